// Conv and ConvTranspose: 2-D as the convolution layer (1-D through a unit
// width), 3-D as convolution3D. Explicit padding is always written out as
// amounts, having resolved auto_pad against the static input size.
#include <algorithm>
#include "convert/onnx/ops.h"
#include "convert/onnx/spatial.h"

namespace morel::onnxc {

namespace {

void set_weights(spec::WeightParams* w, const std::vector<float>& v) {
  w->mutable_floatvalue()->Add(v.begin(), v.end());
}

// A bias input as floats, checked to hold `n` values; empty when absent.
std::vector<float> read_bias(Context& cx, const Node& node, int64_t n) {
  if (!node.has_input(2)) return {};
  const Tensor& b = cx.require_constant(node, 2, "the bias B");
  if (b.count() != n)
    node.invalid("bias B has " + std::to_string(b.count()) + " values; expected " +
                 std::to_string(n));
  return b.floats();
}

// Reshape [N, C, L] to [N, C, L, 1] for a 1-D op done in 2-D.
std::string as_2d(Context& cx, const Node& node, const std::string& in, const Dims& shape) {
  Dims s = shape;
  s.push_back(1);
  return emit_reshape(cx, hint(node, "as2d"), in, s);
}

void convert_conv(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Value& wv = cx.input(node, 1);
  const int r = static_cast<int>(x.shape.size()) - 2;
  if (r < 1 || r > 3)
    node.unsupported("input has shape " + shape_str(x.shape) +
                     "; Conv is converted for 1, 2 or 3 spatial axes");
  if (wv.shape.size() != x.shape.size())
    node.invalid("weights W have shape " + shape_str(wv.shape) + " for input " +
                 shape_str(x.shape));
  const int64_t groups = node.attr_int("group", 1);
  const int64_t c = x.shape[1], m = wv.shape[0];
  if (groups < 1 || c % groups != 0 || m % groups != 0 || wv.shape[1] != c / groups)
    node.invalid("weights W " + shape_str(wv.shape) + " do not fit input " + shape_str(x.shape) +
                 " with group = " + std::to_string(groups));
  const Dims in_spatial(x.shape.begin() + 2, x.shape.end());
  const Dims k_spatial(wv.shape.begin() + 2, wv.shape.end());
  const Spatial sp = read_spatial(node, in_spatial, k_spatial);
  Dims out_shape = {x.shape[0], m};
  for (int i = 0; i < r; ++i) {
    const int64_t o = pooled_size(in_spatial[i], sp.kernel[i], sp.stride[i], sp.dilation[i],
                                  sp.pad_begin[i], sp.pad_end[i], false);
    if (o < 1) node.invalid("the kernel is larger than the padded input " + shape_str(x.shape));
    out_shape.push_back(o);
  }
  const Tensor* w = cx.constant_input(node, 1);
  const std::vector<float> bias = read_bias(cx, node, m);
  std::string in = cx.input_blob(node, 0);

  if (r == 3) {
    if (!w) node.unsupported("3-D convolution needs constant weights W");
    const std::string out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
      auto* p = l.mutable_convolution3d();
      p->set_inputchannels(static_cast<int32_t>(c));
      p->set_outputchannels(static_cast<int32_t>(m));
      p->set_ngroups(static_cast<int32_t>(groups));
      p->set_kerneldepth(static_cast<int32_t>(sp.kernel[0]));
      p->set_kernelheight(static_cast<int32_t>(sp.kernel[1]));
      p->set_kernelwidth(static_cast<int32_t>(sp.kernel[2]));
      p->set_stridedepth(static_cast<int32_t>(sp.stride[0]));
      p->set_strideheight(static_cast<int32_t>(sp.stride[1]));
      p->set_stridewidth(static_cast<int32_t>(sp.stride[2]));
      p->set_dilationdepth(static_cast<int32_t>(sp.dilation[0]));
      p->set_dilationheight(static_cast<int32_t>(sp.dilation[1]));
      p->set_dilationwidth(static_cast<int32_t>(sp.dilation[2]));
      p->set_paddingtype(spec::Convolution3DLayerParams::CUSTOM);
      p->set_custompaddingfront(static_cast<int32_t>(sp.pad_begin[0]));
      p->set_custompaddingback(static_cast<int32_t>(sp.pad_end[0]));
      p->set_custompaddingtop(static_cast<int32_t>(sp.pad_begin[1]));
      p->set_custompaddingbottom(static_cast<int32_t>(sp.pad_end[1]));
      p->set_custompaddingleft(static_cast<int32_t>(sp.pad_begin[2]));
      p->set_custompaddingright(static_cast<int32_t>(sp.pad_end[2]));
      set_weights(p->mutable_weights(), w->floats());
      p->set_hasbias(!bias.empty());
      if (!bias.empty()) set_weights(p->mutable_bias(), bias);
    });
    define_output(cx, node, 0, out, x.dtype, out_shape);
    return;
  }

  const bool one_d = r == 1;
  if (one_d) in = as_2d(cx, node, in, x.shape);
  auto fill = [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_convolution();
    p->set_outputchannels(static_cast<uint64_t>(m));
    p->set_kernelchannels(static_cast<uint64_t>(c / groups));
    p->set_ngroups(static_cast<uint64_t>(groups));
    p->add_kernelsize(static_cast<uint64_t>(sp.kernel[0]));
    p->add_kernelsize(one_d ? 1 : static_cast<uint64_t>(sp.kernel[1]));
    p->add_stride(static_cast<uint64_t>(sp.stride[0]));
    p->add_stride(one_d ? 1 : static_cast<uint64_t>(sp.stride[1]));
    p->add_dilationfactor(static_cast<uint64_t>(sp.dilation[0]));
    p->add_dilationfactor(one_d ? 1 : static_cast<uint64_t>(sp.dilation[1]));
    auto* amounts = p->mutable_valid()->mutable_paddingamounts();
    for (int a = 0; a < 2; ++a) {
      auto* e = amounts->add_borderamounts();
      e->set_startedgesize(a < r ? static_cast<uint64_t>(sp.pad_begin[a]) : 0);
      e->set_endedgesize(a < r ? static_cast<uint64_t>(sp.pad_end[a]) : 0);
    }
    if (w) set_weights(p->mutable_weights(), w->floats());
    p->set_hasbias(!bias.empty());
    if (!bias.empty()) set_weights(p->mutable_bias(), bias);
  };
  std::vector<std::string> inputs = {in};
  if (!w) {
    // Weights known only at run time: the layer's second input (2-D only).
    std::string wb = cx.input_blob(node, 1);
    if (one_d) wb = as_2d(cx, node, wb, wv.shape);
    inputs.push_back(wb);
  }
  std::string out = emit_layer(cx, one_d ? hint(node, "conv2d") : node.output(0), inputs, fill);
  if (one_d) out = emit_reshape(cx, node.output(0), out, out_shape);
  define_output(cx, node, 0, out, x.dtype, out_shape);
}

void convert_conv_transpose(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Tensor& w = cx.require_constant(node, 1, "the weights W");
  const int r = static_cast<int>(x.shape.size()) - 2;
  if (r < 1 || r > 3)
    node.unsupported("input has shape " + shape_str(x.shape) +
                     "; ConvTranspose is converted for 1, 2 or 3 spatial axes");
  if (w.rank() != static_cast<int>(x.shape.size()))
    node.invalid("weights W have shape " + shape_str(w.shape()) + " for input " +
                 shape_str(x.shape));
  const int64_t groups = node.attr_int("group", 1);
  const int64_t c = x.shape[1];
  if (groups < 1 || c % groups != 0 || w.shape()[0] != c)
    node.invalid("weights W " + shape_str(w.shape()) + " do not fit input " + shape_str(x.shape) +
                 " with group = " + std::to_string(groups));
  const int64_t m = w.shape()[1] * groups;
  const Dims in_spatial(x.shape.begin() + 2, x.shape.end());
  const Dims kernel(w.shape().begin() + 2, w.shape().end());
  const Dims k = node.attr_ints("kernel_shape", kernel);
  if (k != kernel) node.invalid("kernel_shape does not match the weights' " + shape_str(kernel));
  const Dims stride = node.attr_ints("strides", Dims(r, 1));
  const Dims dilation = node.attr_ints("dilations", Dims(r, 1));
  const Dims out_pad = node.attr_ints("output_padding", Dims(r, 0));
  if (stride.size() != size_t(r) || dilation.size() != size_t(r) || out_pad.size() != size_t(r))
    node.invalid("strides, dilations and output_padding need one value per spatial axis");
  for (int64_t d : dilation)
    if (d != 1)
      node.unsupported("dilations " + shape_str(dilation) +
                       ": Core ML deconvolution has no dilation");
  Dims pb(r, 0), pe(r, 0), out(r, 0);
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  const Dims output_shape = node.attr_ints("output_shape");
  if (!output_shape.empty() && output_shape.size() != size_t(r) &&
      output_shape.size() != size_t(r + 2))
    node.invalid("output_shape has " + std::to_string(output_shape.size()) + " values");
  for (int i = 0; i < r; ++i) {
    const int64_t full = stride[i] * (in_spatial[i] - 1) + out_pad[i] + k[i];
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out[i] = !output_shape.empty() ? output_shape[output_shape.size() - r + i]
                                     : in_spatial[i] * stride[i];
      const int64_t total = full - out[i];
      if (total < 0)
        node.unsupported("output size " + std::to_string(out[i]) +
                         " is larger than the transposed convolution's full size " +
                         std::to_string(full));
      // As the ONNX spec states: SAME_UPPER puts the odd cell at the end,
      // everything else (SAME_LOWER, or output_shape alone) at the start.
      pb[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe[i] = total - pb[i];
    } else {
      if (auto_pad != "VALID") {
        const Dims pads = node.attr_ints("pads", Dims(2 * r, 0));
        if (pads.size() != size_t(2 * r))
          node.invalid("pads needs " + std::to_string(2 * r) + " values");
        pb[i] = pads[i];
        pe[i] = pads[i + r];
      }
      out[i] = full - pb[i] - pe[i];
    }
    if (out[i] < 1 || pb[i] < 0 || pe[i] < 0)
      node.invalid("the output size along spatial axis " + std::to_string(i) + " is " +
                   std::to_string(out[i]));
  }
  const std::vector<float> bias = read_bias(cx, node, m);
  Dims out_shape = {x.shape[0], m};
  out_shape.insert(out_shape.end(), out.begin(), out.end());
  std::string in = cx.input_blob(node, 0);

  if (r == 3) {
    // Core ML stores 3-D deconvolution weights as [C_out / groups, C_in, kD, kH, kW].
    const Tensor wt = fold_transpose(w, {1, 0, 2, 3, 4});
    const std::string o = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
      auto* p = l.mutable_convolution3d();
      p->set_isdeconvolution(true);
      p->set_inputchannels(static_cast<int32_t>(c));
      p->set_outputchannels(static_cast<int32_t>(m));
      p->set_ngroups(static_cast<int32_t>(groups));
      p->set_kerneldepth(static_cast<int32_t>(k[0]));
      p->set_kernelheight(static_cast<int32_t>(k[1]));
      p->set_kernelwidth(static_cast<int32_t>(k[2]));
      p->set_stridedepth(static_cast<int32_t>(stride[0]));
      p->set_strideheight(static_cast<int32_t>(stride[1]));
      p->set_stridewidth(static_cast<int32_t>(stride[2]));
      p->set_dilationdepth(1);
      p->set_dilationheight(1);
      p->set_dilationwidth(1);
      p->set_paddingtype(spec::Convolution3DLayerParams::CUSTOM);
      p->set_custompaddingfront(static_cast<int32_t>(pb[0]));
      p->set_custompaddingback(static_cast<int32_t>(pe[0]));
      p->set_custompaddingtop(static_cast<int32_t>(pb[1]));
      p->set_custompaddingbottom(static_cast<int32_t>(pe[1]));
      p->set_custompaddingleft(static_cast<int32_t>(pb[2]));
      p->set_custompaddingright(static_cast<int32_t>(pe[2]));
      for (int i = 0; i < 3; ++i) p->add_outputshape(static_cast<uint64_t>(out[i]));
      set_weights(p->mutable_weights(), wt.floats());
      p->set_hasbias(!bias.empty());
      if (!bias.empty()) set_weights(p->mutable_bias(), bias);
    });
    define_output(cx, node, 0, o, x.dtype, out_shape);
    return;
  }

  const bool one_d = r == 1;
  if (one_d) in = as_2d(cx, node, in, x.shape);
  std::string o = emit_layer(cx, one_d ? hint(node, "deconv2d") : node.output(0), {in},
                             [&](spec::NeuralNetworkLayer& l) {
                               auto* p = l.mutable_convolution();
                               p->set_isdeconvolution(true);
                               p->set_outputchannels(static_cast<uint64_t>(m));
                               p->set_kernelchannels(static_cast<uint64_t>(c));
                               p->set_ngroups(static_cast<uint64_t>(groups));
                               p->add_kernelsize(static_cast<uint64_t>(k[0]));
                               p->add_kernelsize(one_d ? 1 : static_cast<uint64_t>(k[1]));
                               p->add_stride(static_cast<uint64_t>(stride[0]));
                               p->add_stride(one_d ? 1 : static_cast<uint64_t>(stride[1]));
                               p->add_dilationfactor(1);
                               p->add_dilationfactor(1);
                               auto* amounts = p->mutable_valid()->mutable_paddingamounts();
                               for (int a = 0; a < 2; ++a) {
                                 auto* e = amounts->add_borderamounts();
                                 e->set_startedgesize(a < r ? static_cast<uint64_t>(pb[a]) : 0);
                                 e->set_endedgesize(a < r ? static_cast<uint64_t>(pe[a]) : 0);
                               }
                               // The output size, explicit: it covers output_padding too.
                               p->add_outputshape(static_cast<uint64_t>(out[0]));
                               p->add_outputshape(one_d ? 1 : static_cast<uint64_t>(out[1]));
                               set_weights(p->mutable_weights(), w.floats());
                               p->set_hasbias(!bias.empty());
                               if (!bias.empty()) set_weights(p->mutable_bias(), bias);
                             });
  if (one_d) o = emit_reshape(cx, node.output(0), o, out_shape);
  define_output(cx, node, 0, o, x.dtype, out_shape);
}

}  // namespace

void register_conv_ops(OpTable& t) {
  t["Conv"] = &convert_conv;
  t["ConvTranspose"] = &convert_conv_transpose;
}

}  // namespace morel::onnxc
