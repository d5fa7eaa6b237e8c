#include "kernels/cpu/inner_product.h"

#include <cstring>

namespace morel::kernels::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

}  // namespace

std::unique_ptr<Kernel> prepare_inner_product(const InnerProductSpec& spec) {
  auto k = std::make_unique<WeightedPrimitiveKernel>();
  k->setup = spec.epilogue;
  k->src_md = dnnl::memory::desc({spec.rows, spec.in}, dt::f32, tag::nc);
  k->dst_md = dnnl::memory::desc({spec.rows, spec.out}, dt::f32, tag::nc);
  const dnnl::memory::desc user_w({spec.out, spec.in}, dt::f32, tag::oi);
  const dnnl::memory::desc any_w({spec.out, spec.in}, dt::f32, tag::any);
  dnnl::memory::desc bias_md;
  if (spec.bias) bias_md = dnnl::memory::desc({spec.out}, dt::f32, tag::a);
  auto make = [&](const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
    dnnl::inner_product_forward::desc d(dnnl::prop_kind::forward_inference, k->src_md, any_w,
                                        bias_md, k->dst_md);
    return dnnl::inner_product_forward::primitive_desc(d, attr, engine());
  };
  int steps = 0;
  const dnnl::post_ops post_ops = k->fusable_post_ops(steps);
  dnnl::primitive_desc pd;
  bool fused = false;
  if (!make_primitive_desc(make, steps > 0 ? &post_ops : nullptr, pd, fused)) return nullptr;
  k->prim = dnnl::primitive(pd);
  k->scratch_md = pd.scratchpad_desc();
  k->weights = reorder_weights(user_w, spec.weights, pd.weights_desc());
  if (spec.bias) {
    k->bias = dnnl::memory(bias_md, engine());
    std::memcpy(k->bias.get_data_handle(), spec.bias,
                static_cast<size_t>(spec.out) * sizeof(float));
  }
  k->finish(fused ? steps : 0);
  return k;
}

}  // namespace morel::kernels::cpu
