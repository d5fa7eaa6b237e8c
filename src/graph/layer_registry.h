// Which function lowers each layer kind. Each layer family registers its
// kinds in its own file under src/graph/layers/.
#pragma once

#include <array>
#include <memory>

#include "graph/op.h"

namespace morel::graph {

class LayerRegistry {
 public:
  using Case = spec::NeuralNetworkLayer::LayerCase;
  void add(Case kind, LayerLowering lower);
  LayerLowering find(Case kind) const;  // nullptr when no family runs it

 private:
  std::array<LayerLowering, 4096> table_{};  // indexed by the layer oneof field number
};

// The lowering for a kind whose op is built from (layer, context):
// r.add(kind, &make_op<MyOp>).
template <class OpType>
std::unique_ptr<Op> make_op(const spec::NeuralNetworkLayer& layer, const LowerContext& context) {
  return std::make_unique<OpType>(layer, context);
}

// Every built-in layer kind.
const LayerRegistry& builtin_layers();

// One function per layer family (src/graph/layers/<family>.cpp).
void register_activation_layers(LayerRegistry& r);
void register_convolution_layers(LayerRegistry& r);
void register_pooling_layers(LayerRegistry& r);
void register_inner_product_layers(LayerRegistry& r);
void register_normalization_layers(LayerRegistry& r);
void register_softmax_layers(LayerRegistry& r);
void register_elementwise_layers(LayerRegistry& r);
void register_unary_layers(LayerRegistry& r);
void register_reduce_layers(LayerRegistry& r);
void register_padding_layers(LayerRegistry& r);
void register_slicing_layers(LayerRegistry& r);
void register_resize_layers(LayerRegistry& r);
void register_reshape_layers(LayerRegistry& r);
void register_transpose_layers(LayerRegistry& r);
void register_concat_split_layers(LayerRegistry& r);
void register_sequence_layers(LayerRegistry& r);
void register_recurrent_layers(LayerRegistry& r);
void register_constant_layers(LayerRegistry& r);
void register_gather_layers(LayerRegistry& r);

}  // namespace morel::graph
