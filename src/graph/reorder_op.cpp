#include "graph/reorder_op.h"

#include "graph/layer_util.h"
#include "kernels/reference/layout.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/reorder.h"
#endif

namespace morel::graph {
namespace {

class ReorderOp final : public Op {
 public:
  explicit ReorderOp(Layout to) : to_(to) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {inputs[0]};
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape>,
                                  const PrepareContext&) const override {
#if defined(MOREL_WITH_DNNL)
    const ChannelPlanes v = channel_planes(inputs[0]);
    if (!layouts_agree(inputs[0]))
      return kernels::cpu::prepare_reorder(v.outer, v.channels, v.spatial,
                                           to_ == Layout::kChannelsLast);
#else
    (void)inputs;
#endif
    return nullptr;
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
#if defined(MOREL_WITH_DNNL)
    if (kernels::cpu::run_prepared(ctx, inputs, outputs)) return;
#endif
    const float* in = inputs[0].data;
    float* out = outputs[0].data;
    if (in == out) return;  // the layouts agree for this shape (reuse_input)
    const ChannelPlanes v = channel_planes(inputs[0].shape);
    if (to_ == Layout::kChannelsLast)
      kernels::reference::to_channels_last(in, out, v.outer, v.channels, v.spatial, ctx.threads);
    else
      kernels::reference::to_plain(in, out, v.outer, v.channels, v.spatial, ctx.threads);
  }

  // Where both layouts store the tensor the same way, the output is the input.
  int reuse_input(std::span<const Shape> inputs) const override {
    return layouts_agree(inputs[0]) ? 0 : -1;
  }

 private:
  Layout to_;
};

}  // namespace

std::unique_ptr<Op> make_reorder(Layout to) {
  return std::make_unique<ReorderOp>(to);
}

}  // namespace morel::graph
