// Layer family: softmax. The legacy softmax layer normalizes over the channel
// axis (-3) of an input of rank >= 3, separately for every other index;
// softmaxND normalizes over any one axis.
#include <memory>
#include <string>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/softmax.h"

namespace morel::graph {
namespace {

class SoftmaxOp final : public Op {
 public:
  // legacy: the channel axis -3 of an input of rank >= 3; otherwise `axis`
  // counts as softmaxND's field does (negative from the end).
  SoftmaxOp(bool legacy, int64_t axis, bool batch_independent)
      : legacy_(legacy), axis_(axis), batch_independent_(batch_independent) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    axis_for(inputs[0]);
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    Shape s = inputs[0].shape;
    int axis = axis_for(s);
    if (channels_last_ && s.rank() >= 3) {  // the same softmax over the stored order
      axis = channels_last_axis(axis, s.rank());
      s = channels_last_shape(s);
    }
    kernels::reference::softmax(inputs[0].data, outputs[0].data, s.count(0, axis), s[axis],
                                s.count(axis + 1, s.rank()), ctx.threads);
  }

  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

  bool batch_independent() const override { return batch_independent_; }

 private:
  int axis_for(const Shape& s) const {
    if (legacy_) {
      require_shape(s.rank() >= 3,
                    "softmax normalizes over axis -3 and needs an input of rank "
                    ">= 3; input has shape " +
                        s.str());
      return s.rank() - 3;
    }
    require_shape(s.rank() >= 1, "softmaxND needs an input of rank >= 1; input is a scalar");
    return normalize_axis(axis_, s.rank(), "softmaxND axis");
  }

  bool legacy_;
  bool channels_last_ = false;
  int64_t axis_;
  bool batch_independent_;
};

std::unique_ptr<Op> lower_softmax(const spec::NeuralNetworkLayer&, const LowerContext&) {
  return std::make_unique<SoftmaxOp>(true, -3, true);
}

std::unique_ptr<Op> lower_softmax_nd(const spec::NeuralNetworkLayer& layer,
                                     const LowerContext& ctx) {
  const int64_t axis = layer.softmaxnd().axis();
  // In a rank-5 network every blob is [Seq, Batch, C, H, W]: a softmax over
  // the Batch axis mixes the items of a batched prediction.
  bool independent = true;
  if (ctx.rank5) independent = normalize_axis(axis, 5, "softmaxND axis") != 1;
  return std::make_unique<SoftmaxOp>(false, axis, independent);
}

}  // namespace

void register_softmax_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kSoftmax, &lower_softmax);
  r.add(spec::NeuralNetworkLayer::kSoftmaxND, &lower_softmax_nd);
}

}  // namespace morel::graph
