#include "kernels/cpu/convolution.h"

#include <cstring>

namespace morel::kernels::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

}  // namespace

std::unique_ptr<Kernel> prepare_convolution(const ConvolutionSpec& spec) {
  const reference::ConvParams& p = spec.params;
  if (p.in_size[0] != 1 || p.out_size[0] != 1 || p.kernel[0] != 1) return nullptr;
  const int64_t g = p.groups, ic = p.in_channels, oc = p.out_channels;
  const int64_t kh = p.kernel[1], kw = p.kernel[2];
  const bool channels_last = spec.epilogue.channels_last;

  dims strides{p.stride[1], p.stride[2]};
  dims dilation{p.dilation[1] - 1, p.dilation[2] - 1};  // oneDNN counts the added gaps
  dims pad_l{p.pad_before[1], p.pad_before[2]}, pad_r(2);
  for (int a = 0; a < 2; ++a) {
    const int64_t ext = (p.kernel[a + 1] - 1) * p.dilation[a + 1] + 1;
    const int64_t in = p.in_size[a + 1], out = p.out_size[a + 1], s = p.stride[a + 1];
    if (!spec.deconvolution) {
      // The least right padding giving `out` positions (none when the last
      // input cells are simply not reached).
      pad_r[a] = std::max<int64_t>(0, (out - 1) * s + ext - in - pad_l[a]);
    } else {
      // The transposed output spans (in - 1) * s + ext cells; `out` of them
      // are kept after cropping pad_l. Output cells past that span (only
      // possible with an explicit outputShape) are not oneDNN's to make.
      pad_r[a] = (in - 1) * s + ext - pad_l[a] - out;
      if (pad_r[a] < 0) return nullptr;
    }
  }

  auto k = std::make_unique<WeightedPrimitiveKernel>();
  k->setup = spec.epilogue;
  k->src_md = activation_desc(spec.items, ic, p.in_size[1], p.in_size[2], channels_last);
  k->dst_md = activation_desc(spec.items, oc, p.out_size[1], p.out_size[2], channels_last);

  // Weights as the reference kernels hold them: convolution [O, I/G, kH, kW],
  // deconvolution [I, O/G, kH, kW] (per group: input channels first).
  dnnl::memory::desc user_w;
  if (g == 1)
    user_w =
        dnnl::memory::desc({oc, ic, kh, kw}, dt::f32, spec.deconvolution ? tag::iohw : tag::oihw);
  else
    user_w = dnnl::memory::desc({g, oc / g, ic / g, kh, kw}, dt::f32,
                                spec.deconvolution ? tag::giohw : tag::goihw);
  const dnnl::memory::desc any_w(user_w.dims(), dt::f32, tag::any);
  dnnl::memory::desc bias_md;
  if (spec.bias) bias_md = dnnl::memory::desc({oc}, dt::f32, tag::a);

  auto make = [&](const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
    const auto prop = dnnl::prop_kind::forward_inference;
    if (spec.deconvolution) {
      dnnl::deconvolution_forward::desc d(prop, dnnl::algorithm::deconvolution_direct, k->src_md,
                                          any_w, bias_md, k->dst_md, strides, dilation, pad_l,
                                          pad_r);
      return dnnl::deconvolution_forward::primitive_desc(d, attr, engine());
    }
    dnnl::convolution_forward::desc d(prop, dnnl::algorithm::convolution_direct, k->src_md, any_w,
                                      bias_md, k->dst_md, strides, dilation, pad_l, pad_r);
    return dnnl::convolution_forward::primitive_desc(d, attr, engine());
  };
  if (!k->build(make, user_w, spec.weights, bias_md, spec.bias, oc)) return nullptr;
  return k;
}

}  // namespace morel::kernels::cpu
