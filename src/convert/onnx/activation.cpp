// Activations: the activation layer's nonlinearities, gelu and clip, and the
// ones composed from them (Selu, Celu, HardSwish, Mish, Swish, Shrink).
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

using Fill = std::function<void(spec::ActivationParams&)>;

void simple(Context& cx, const Node& node, const Fill& fill) {
  const Value& x = cx.input(node, 0);
  const std::string out = emit_activation(cx, node.output(0), cx.input_blob(node, 0), fill);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void finish(Context& cx, const Node& node, const std::string& out) {
  const Value& x = cx.input(node, 0);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_selu(Context& cx, const Node& node) {
  const float alpha = node.attr_float("alpha", 1.67326319217681884765625f);
  const float gamma = node.attr_float("gamma", 1.05070102214813232421875f);
  const std::string e =
      emit_activation(cx, hint(node, "elu"), cx.input_blob(node, 0),
                      [&](spec::ActivationParams& a) { a.mutable_elu()->set_alpha(alpha); });
  finish(cx, node, emit_linear(cx, node.output(0), e, gamma, 0.f));
}

void convert_celu(Context& cx, const Node& node) {
  // celu(x) = alpha * elu(x / alpha, 1).
  const float alpha = node.attr_float("alpha", 1.f);
  if (alpha == 0.f) node.invalid("alpha = 0");
  const std::string s =
      emit_linear(cx, hint(node, "scaled"), cx.input_blob(node, 0), 1.f / alpha, 0.f);
  const std::string e = emit_activation(
      cx, hint(node, "elu"), s, [](spec::ActivationParams& a) { a.mutable_elu()->set_alpha(1.f); });
  finish(cx, node, emit_linear(cx, node.output(0), e, alpha, 0.f));
}

void convert_prelu(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Value& slope = cx.input(node, 1);
  Dims slope_shape = slope.shape;
  // Before opset 7 a 1-D slope of C values applied per channel (axis 1).
  const bool legacy = node.opset() < 7 && slope_shape.size() == 1 && x.shape.size() >= 2 &&
                      slope_shape[0] == x.shape[1] && slope_shape[0] != 1;
  if (legacy) slope_shape.resize(x.shape.size() - 1, 1);
  if (broadcast(node, x.shape, slope_shape) != x.shape)
    node.invalid("slope of shape " + shape_str(slope.shape) + " does not broadcast to X " +
                 shape_str(x.shape));
  const std::string in = cx.input_blob(node, 0);
  if (const Tensor* s = cx.constant_input(node, 1)) {
    // Core ML's PReLU takes one value, or one per channel at axis -3.
    const Dims ps = pad_left(slope_shape, x.shape.size());
    bool per_channel = x.shape.size() >= 3;
    for (size_t i = 0; per_channel && i < ps.size(); ++i)
      per_channel = i + 3 == ps.size() ? ps[i] == x.shape[i] : ps[i] == 1;
    if (s->count() == 1 || per_channel) {
      const std::vector<float> alpha = s->floats();
      finish(cx, node, emit_activation(cx, node.output(0), in, [&](spec::ActivationParams& a) {
               a.mutable_prelu()->mutable_alpha()->mutable_floatvalue()->Add(alpha.begin(),
                                                                             alpha.end());
             }));
      return;
    }
  }
  // max(x, 0) + slope * min(x, 0).
  std::string slope_blob = cx.input_blob(node, 1);
  if (legacy) slope_blob = emit_reshape(cx, hint(node, "slope"), slope_blob, slope_shape);
  const std::string pos = emit_activation(cx, hint(node, "relu"), in,
                                          [](spec::ActivationParams& a) { a.mutable_relu(); });
  const std::string neg = emit_binary_scalar(cx, hint(node, "neg"), Binary::kMin, in, 0.f);
  const std::string scaled = emit_binary(cx, hint(node, "scaled"), Binary::kMul, neg, slope_blob);
  finish(cx, node, emit_binary(cx, node.output(0), Binary::kAdd, pos, scaled));
}

void convert_thresholded_relu(Context& cx, const Node& node) {
  // x if x > alpha else 0 (the activation layer's form keeps x == alpha).
  const float alpha = node.attr_float("alpha", 1.f);
  const std::string in = cx.input_blob(node, 0);
  const std::string keep = emit_binary_scalar(cx, hint(node, "keep"), Binary::kGreater, in, alpha);
  const std::string zero = emit_constant(cx, hint(node, "zero"), {0.f}, {1});
  finish(cx, node,
         emit_layer(cx, node.output(0), {keep, in, zero},
                    [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); }));
}

void convert_gelu(Context& cx, const Node& node) {
  const std::string approx = node.attr_string("approximate", "none");
  if (approx != "none" && approx != "tanh") node.invalid("approximate = '" + approx + "'");
  finish(cx, node,
         emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, [&](spec::NeuralNetworkLayer& l) {
           l.mutable_gelu()->set_mode(approx == "tanh" ? spec::GeluLayerParams::TANH_APPROXIMATION
                                                       : spec::GeluLayerParams::EXACT);
         }));
}

void convert_clip(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  std::string out = cx.input_blob(node, 0);
  if (node.opset() < 11) {
    const float lo = node.attr_float("min", -FLT_MAX), hi = node.attr_float("max", FLT_MAX);
    finish(cx, node, emit_layer(cx, node.output(0), {out}, [&](spec::NeuralNetworkLayer& l) {
             l.mutable_clip()->set_minval(lo);
             l.mutable_clip()->set_maxval(hi);
           }));
    return;
  }
  const Tensor* lo = cx.constant_input(node, 1);
  const Tensor* hi = cx.constant_input(node, 2);
  const bool lo_static = !node.has_input(1) || (lo && lo->count() == 1);
  const bool hi_static = !node.has_input(2) || (hi && hi->count() == 1);
  if (lo_static && hi_static && is_float_type(x.dtype)) {
    const float l = lo ? static_cast<float>(lo->get(0)) : -INFINITY;
    const float h = hi ? static_cast<float>(hi->get(0)) : INFINITY;
    finish(cx, node, emit_layer(cx, node.output(0), {out}, [&](spec::NeuralNetworkLayer& layer) {
             layer.mutable_clip()->set_minval(l);
             layer.mutable_clip()->set_maxval(h);
           }));
    return;
  }
  // Bounds known only at run time (or integer data): max, then min.
  if (node.has_input(1))
    out = emit_binary(cx, hint(node, "lower"), Binary::kMax, out, cx.input_blob(node, 1));
  if (node.has_input(2))
    out = emit_binary(cx, hint(node, "upper"), Binary::kMin, out, cx.input_blob(node, 2));
  if (!node.has_input(1) && !node.has_input(2))
    out = emit_linear(cx, node.output(0), out, 1.f, 0.f);
  finish(cx, node, out);
}

void convert_hard_swish(Context& cx, const Node& node) {
  const std::string in = cx.input_blob(node, 0);
  const std::string g = emit_activation(cx, hint(node, "gate"), in, [](spec::ActivationParams& a) {
    a.mutable_sigmoidhard()->set_alpha(1.f / 6.f);
    a.mutable_sigmoidhard()->set_beta(0.5f);
  });
  finish(cx, node, emit_binary(cx, node.output(0), Binary::kMul, in, g));
}

void convert_mish(Context& cx, const Node& node) {
  const std::string in = cx.input_blob(node, 0);
  const std::string sp = emit_activation(cx, hint(node, "softplus"), in,
                                         [](spec::ActivationParams& a) { a.mutable_softplus(); });
  const std::string t = emit_activation(cx, hint(node, "tanh"), sp,
                                        [](spec::ActivationParams& a) { a.mutable_tanh(); });
  finish(cx, node, emit_binary(cx, node.output(0), Binary::kMul, in, t));
}

void convert_swish(Context& cx, const Node& node) {
  const float alpha = node.attr_float("alpha", 1.f);
  const std::string in = cx.input_blob(node, 0);
  std::string s = alpha == 1.f ? in : emit_linear(cx, hint(node, "scaled"), in, alpha, 0.f);
  s = emit_activation(cx, hint(node, "sigmoid"), s,
                      [](spec::ActivationParams& a) { a.mutable_sigmoid(); });
  finish(cx, node, emit_binary(cx, node.output(0), Binary::kMul, in, s));
}

void convert_shrink(Context& cx, const Node& node) {
  // x < -lambd: x + bias; x > lambd: x - bias; else 0.
  const float lambd = node.attr_float("lambd", 0.5f), bias = node.attr_float("bias", 0.f);
  const std::string in = cx.input_blob(node, 0);
  const std::string zero = emit_constant(cx, hint(node, "zero"), {0.f}, {1});
  const std::string lo = emit_binary_scalar(cx, hint(node, "below"), Binary::kLess, in, -lambd);
  const std::string hi = emit_binary_scalar(cx, hint(node, "above"), Binary::kGreater, in, lambd);
  const std::string plus = emit_linear(cx, hint(node, "plus"), in, 1.f, bias);
  const std::string minus = emit_linear(cx, hint(node, "minus"), in, 1.f, -bias);
  const std::string upper =
      emit_layer(cx, hint(node, "upper"), {hi, minus, zero},
                 [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); });
  finish(cx, node,
         emit_layer(cx, node.output(0), {lo, plus, upper},
                    [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); }));
}

}  // namespace

void register_activation_ops(OpTable& t) {
  t["Relu"] = [](Context& cx, const Node& n) {
    simple(cx, n, [](spec::ActivationParams& a) { a.mutable_relu(); });
  };
  t["LeakyRelu"] = [](Context& cx, const Node& n) {
    const float alpha = n.attr_float("alpha", 0.01f);
    simple(cx, n, [&](spec::ActivationParams& a) { a.mutable_leakyrelu()->set_alpha(alpha); });
  };
  t["Elu"] = [](Context& cx, const Node& n) {
    const float alpha = n.attr_float("alpha", 1.f);
    simple(cx, n, [&](spec::ActivationParams& a) { a.mutable_elu()->set_alpha(alpha); });
  };
  t["Sigmoid"] = [](Context& cx, const Node& n) {
    simple(cx, n, [](spec::ActivationParams& a) { a.mutable_sigmoid(); });
  };
  t["HardSigmoid"] = [](Context& cx, const Node& n) {
    const float alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
    simple(cx, n, [&](spec::ActivationParams& a) {
      a.mutable_sigmoidhard()->set_alpha(alpha);
      a.mutable_sigmoidhard()->set_beta(beta);
    });
  };
  t["Tanh"] = [](Context& cx, const Node& n) {
    simple(cx, n, [](spec::ActivationParams& a) { a.mutable_tanh(); });
  };
  t["Softplus"] = [](Context& cx, const Node& n) {
    simple(cx, n, [](spec::ActivationParams& a) { a.mutable_softplus(); });
  };
  t["Softsign"] = [](Context& cx, const Node& n) {
    simple(cx, n, [](spec::ActivationParams& a) { a.mutable_softsign(); });
  };
  t["Selu"] = &convert_selu;
  t["Celu"] = &convert_celu;
  t["PRelu"] = &convert_prelu;
  t["ThresholdedRelu"] = &convert_thresholded_relu;
  t["Gelu"] = &convert_gelu;
  t["Clip"] = &convert_clip;
  t["HardSwish"] = &convert_hard_swish;
  t["Mish"] = &convert_mish;
  t["Swish"] = &convert_swish;
  t["Shrink"] = &convert_shrink;
}

}  // namespace morel::onnxc
