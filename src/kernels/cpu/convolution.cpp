#include "kernels/cpu/convolution.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace morel::kernels::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

// Runs one convolution per input part, in order, onto the same output.
class PartsKernel final : public Kernel {
 public:
  std::vector<std::unique_ptr<Kernel>> parts;

  std::unique_ptr<graph::OpBinding> bind(std::span<const ConstTensorView> inputs,
                                         std::span<const TensorView> outputs,
                                         float* workspace) const override {
    auto b = std::make_unique<Binding>();
    b->inputs.reserve(parts.size());
    const TensorView& out = outputs[0];
    for (size_t j = 0; j < parts.size(); ++j) {
      // Part j > 0 reads the output as its addend.
      b->inputs.push_back({inputs[j], ConstTensorView(out.data, out.shape)});
      b->bindings.push_back(parts[j]->bind(b->inputs.back(), outputs, workspace));
    }
    return b;
  }

  void run(const graph::RunContext& ctx, std::span<const ConstTensorView>,
           std::span<const TensorView> outputs) const override {
    const auto* b = static_cast<const Binding*>(ctx.binding);
    for (size_t j = 0; j < parts.size(); ++j)
      run_part(*parts[j], b->bindings[j].get(), ctx, b->inputs[j], outputs);
  }

 private:
  struct Binding : graph::OpBinding {
    std::vector<std::array<ConstTensorView, 2>> inputs;  // per part: its input, the addend
    std::vector<std::unique_ptr<graph::OpBinding>> bindings;
  };
};

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

namespace morel::kernels::cpu {

std::unique_ptr<Kernel> prepare_convolution_parts(const ConvolutionSpec& spec,
                                                  std::span<const int64_t> part_channels) {
  const reference::ConvParams& p = spec.params;
  if (spec.deconvolution || p.groups != 1 || spec.epilogue.epilogue.has_add()) return nullptr;
  const int64_t oc = p.out_channels, ic = p.in_channels;
  const int64_t taps = p.kernel[0] * p.kernel[1] * p.kernel[2];
  auto k = std::make_unique<PartsKernel>();
  int64_t first = 0;  // the part's first input channel
  for (size_t j = 0; j < part_channels.size(); ++j) {
    const int64_t c = part_channels[j];
    const bool last = j + 1 == part_channels.size();
    // Weights [O, I, kH, kW]: this part's slice of I.
    std::vector<float> w(static_cast<size_t>(oc * c * taps));
    for (int64_t o = 0; o < oc; ++o)
      std::memcpy(w.data() + o * c * taps, spec.weights + (o * ic + first) * taps,
                  static_cast<size_t>(c * taps) * sizeof(float));
    ConvolutionSpec part = spec;
    part.params.in_channels = c;
    part.weights = w.data();
    if (j > 0) part.bias = nullptr;
    graph::Epilogue& e = part.epilogue.epilogue;
    e.steps.clear();
    if (j > 0) {
      e.add_input = 1;
      e.steps.push_back({graph::EpilogueStep::Kind::kAdd, {}});
      part.epilogue.addend_shape = part.epilogue.result_shape;
    }
    if (last)
      for (const graph::EpilogueStep& s : spec.epilogue.epilogue.steps) e.steps.push_back(s);
    std::unique_ptr<Kernel> kernel = prepare_convolution(part);
    if (!kernel) return nullptr;
    k->workspace_floats = std::max(k->workspace_floats, kernel->workspace_floats);
    k->parts.push_back(std::move(kernel));
    first += c;
  }
  if (first != ic) return nullptr;
  return k;
}

}  // namespace morel::kernels::cpu
