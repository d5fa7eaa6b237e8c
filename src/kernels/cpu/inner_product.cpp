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
  if (!k->build(make, user_w, spec.weights, bias_md, spec.bias, spec.out)) return nullptr;
  return k;
}

}  // namespace morel::kernels::cpu
