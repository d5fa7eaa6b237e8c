#include "kernels/cpu/reorder.h"

#include "kernels/cpu/dnnl_common.h"

namespace morel::kernels::cpu {
namespace {

class ReorderKernel final : public Kernel {
 public:
  dnnl::primitive prim;
  dnnl::memory::desc src_md, dst_md;

  std::unique_ptr<graph::OpBinding> bind(std::span<const ConstTensorView> inputs,
                                         std::span<const TensorView> outputs,
                                         float*) const override {
    auto args = std::make_unique<BoundArgs>();
    args->add(DNNL_ARG_FROM, wrap(src_md, inputs[0].data));
    args->add(DNNL_ARG_TO, wrap(dst_md, outputs[0].data));
    return args;
  }

  void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    if (inputs[0].data == outputs[0].data) return;  // both layouts agree: nothing to move
    static_cast<const BoundArgs*>(ctx.binding)->execute(prim);
  }
};

}  // namespace

std::unique_ptr<Kernel> prepare_reorder(int64_t outer, int64_t channels, int64_t spatial,
                                        bool to_channels_last) {
  auto k = std::make_unique<ReorderKernel>();
  const auto plain = activation_desc(outer, channels, spatial, 1, false);
  const auto last = activation_desc(outer, channels, spatial, 1, true);
  k->src_md = to_channels_last ? plain : last;
  k->dst_md = to_channels_last ? last : plain;
  try {
    dnnl::reorder::primitive_desc pd(engine(), k->src_md, engine(), k->dst_md);
    if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return nullptr;
    k->prim = dnnl::reorder(pd);
  } catch (const dnnl::error&) {
    return nullptr;
  }
  return k;
}

}  // namespace morel::kernels::cpu
