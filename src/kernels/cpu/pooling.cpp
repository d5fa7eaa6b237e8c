#include "kernels/cpu/pooling.h"

namespace morel::kernels::cpu {
namespace {

class PoolingKernel final : public PrimitiveKernel {
 public:
  dnnl::memory::desc src_md, dst_md;

 protected:
  void bind_args(BoundArgs& args, std::span<const ConstTensorView> inputs,
                 float* dst) const override {
    args.add(DNNL_ARG_SRC, wrap(src_md, inputs[0].data));
    args.add(DNNL_ARG_DST, wrap(dst_md, dst));
  }
};

}  // namespace

std::unique_ptr<Kernel> prepare_pooling(const reference::PoolParams& p, int64_t items,
                                        int64_t channels, bool channels_last) {
  using reference::PoolType;
  if (p.type == PoolType::kL2) return nullptr;
  if (p.in_size[0] != 1 || p.out_size[0] != 1 || p.kernel[0] != 1) return nullptr;
  dnnl::memory::dims strides{p.stride[1], p.stride[2]}, kernel{p.kernel[1], p.kernel[2]};
  dnnl::memory::dims pad_l{p.pad_before[1], p.pad_before[2]}, pad_r(2);
  bool overhang = false;  // a window reaches past the padded input (ceil mode)
  for (int a = 1; a < 3; ++a) {
    const int64_t need =
        (p.out_size[a] - 1) * p.stride[a] + p.kernel[a] - p.in_size[a] - p.pad_before[a];
    pad_r[a - 1] = std::max<int64_t>(0, need);
    overhang = overhang || need > p.pad_after[a];
  }
  dnnl::algorithm alg = dnnl::algorithm::pooling_max;
  if (p.type == PoolType::kAverage) {
    // oneDNN divides by the whole kernel when padding counts: exact only when
    // every window lies inside the padded input.
    if (!p.exclude_padding && overhang) return nullptr;
    alg = p.exclude_padding ? dnnl::algorithm::pooling_avg_exclude_padding
                            : dnnl::algorithm::pooling_avg_include_padding;
  }

  auto k = std::make_unique<PoolingKernel>();
  k->setup.channels_last = channels_last;
  k->src_md = activation_desc(items, channels, p.in_size[1], p.in_size[2], channels_last);
  k->dst_md = activation_desc(items, channels, p.out_size[1], p.out_size[2], channels_last);
  auto make = [&](const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, k->src_md, k->dst_md,
                                  strides, kernel, pad_l, pad_r);
    return dnnl::pooling_forward::primitive_desc(d, attr, engine());
  };
  dnnl::primitive_desc pd;
  bool fused = false;
  if (!make_primitive_desc(make, nullptr, pd, fused)) return nullptr;
  k->prim = dnnl::primitive(pd);
  k->scratch_md = pd.scratchpad_desc();
  k->setup.result_shape = k->setup.out_shape = Shape{items, channels, p.out_size[1], p.out_size[2]};
  k->finish(0);
  return k;
}

}  // namespace morel::kernels::cpu
