#include "graph/layer_registry.h"

#include "morel/error.h"

namespace morel::graph {

void LayerRegistry::add(Case kind, LayerLowering lower) {
  if (kind <= 0 || static_cast<size_t>(kind) >= table_.size())
    throw Error(ErrorCode::kInvalidArgument, "layer kind number out of range");
  table_[kind] = lower;
}

LayerLowering LayerRegistry::find(Case kind) const {
  if (kind <= 0 || static_cast<size_t>(kind) >= table_.size()) return nullptr;
  return table_[kind];
}

const LayerRegistry& builtin_layers() {
  static const LayerRegistry registry = [] {
    LayerRegistry r;
    register_activation_layers(r);
    register_convolution_layers(r);
    register_pooling_layers(r);
    register_inner_product_layers(r);
    register_normalization_layers(r);
    register_softmax_layers(r);
    register_elementwise_layers(r);
    register_unary_layers(r);
    register_reduce_layers(r);
    register_padding_layers(r);
    register_slicing_layers(r);
    register_resize_layers(r);
    register_reshape_layers(r);
    register_transpose_layers(r);
    register_concat_split_layers(r);
    register_sequence_layers(r);
    register_recurrent_layers(r);
    register_constant_layers(r);
    register_gather_layers(r);
    return r;
  }();
  return registry;
}

}  // namespace morel::graph
