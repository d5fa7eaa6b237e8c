// Normalization: BatchNormalization and InstanceNormalization (batchnorm,
// channels at axis -3), LayerNormalization, LRN, and the ones expressed with
// reductions: LpNormalization, MeanVarianceNormalization, GroupNormalization
// and RMSNormalization.
#include <algorithm>
#include <cmath>
#include <limits>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

// Zero means "the default" to Core ML; the smallest denormal means none.
float epsilon_field(float eps) {
  return eps > 0.f ? eps : std::numeric_limits<float>::denorm_min();
}

// [N, C, spatial...] as [N, C, prod(spatial), 1] for the channel-at-axis--3
// layers; rank 4 as it is.
Dims channel_layout(const Dims& s) {
  if (s.size() == 4) return s;
  int64_t rest = 1;
  for (size_t i = 2; i < s.size(); ++i) rest *= s[i];
  return {s[0], s[1], rest, 1};
}

std::vector<float> per_channel(Context& cx, const Node& node, int i, int64_t c, const char* what) {
  const Tensor& t = cx.require_constant(node, i, what);
  if (t.count() != c)
    node.invalid(std::string(what) + " has " + std::to_string(t.count()) + " values; expected " +
                 std::to_string(c) + " (one per channel)");
  return t.floats();
}

void add_weights(spec::WeightParams* w, const std::vector<float>& v) {
  w->mutable_floatvalue()->Add(v.begin(), v.end());
}

bool all_constant(Context& cx, const Node& node, int first, int last) {
  for (int i = first; i <= last; ++i)
    if (node.has_input(i) && !cx.constant_input(node, i)) return false;
  return true;
}

// A per-channel input ([C]) as a blob of shape [C, 1, ...] that broadcasts
// against an input of rank `rank` with channels at axis 1.
std::string channel_blob(Context& cx, const Node& node, int i, int64_t c, size_t rank,
                         const char* what) {
  const Value& v = cx.input(node, i);
  if (element_count(v.shape) != c)
    node.invalid(std::string(what) + " has shape " + shape_str(v.shape) + "; expected " +
                 std::to_string(c) + " values (one per channel)");
  Dims s = {c};
  s.resize(rank - 1, 1);
  return emit_reshape(cx, hint(node, what), cx.input_blob(node, i), s);
}

void convert_batchnorm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 2)
    node.invalid("input has shape " + shape_str(x.shape) + "; expected [N, C, ...]");
  if (node.opset() >= 14 && node.attr_int("training_mode", 0) != 0)
    node.unsupported("training_mode = 1 (statistics of the batch) is not converted");
  if (node.opset() < 9 && node.attr_int("spatial", 1) == 0)
    node.unsupported("spatial = 0 (per-element statistics) is not converted");
  for (int i = 1; i < node.output_count(); ++i)
    if (node.has_output(i))
      node.unsupported("training outputs (running statistics) are not converted");
  const int64_t c = x.shape[1];
  const float eps = node.attr_float("epsilon", 1e-5f);
  if (!all_constant(cx, node, 1, 4)) {
    // Statistics or affine parameters known only at run time:
    // (x - mean) * rsqrt(var + eps) * scale + B, broadcast per channel.
    const size_t r = x.shape.size();
    const std::string in = cx.input_blob(node, 0);
    const std::string centered = emit_binary(cx, hint(node, "centered"), Binary::kSub, in,
                                             channel_blob(cx, node, 3, c, r, "mean"));
    const std::string inv =
        emit_unary(cx, hint(node, "rsqrt"), channel_blob(cx, node, 4, c, r, "var"),
                   spec::UnaryFunctionLayerParams::RSQRT, 0.f, epsilon_field(eps));
    const std::string normed =
        emit_binary(cx, hint(node, "normalized"), Binary::kMul, centered, inv);
    const std::string scaled = emit_binary(cx, hint(node, "scaled"), Binary::kMul, normed,
                                           channel_blob(cx, node, 1, c, r, "scale"));
    const std::string out =
        emit_binary(cx, node.output(0), Binary::kAdd, scaled, channel_blob(cx, node, 2, c, r, "B"));
    define_output(cx, node, 0, out, x.dtype, x.shape);
    return;
  }
  const auto gamma = per_channel(cx, node, 1, c, "scale");
  const auto beta = per_channel(cx, node, 2, c, "bias B");
  const auto mean = per_channel(cx, node, 3, c, "mean");
  const auto var = per_channel(cx, node, 4, c, "variance");
  std::string in =
      emit_reshape(cx, hint(node, "nchw"), cx.input_blob(node, 0), channel_layout(x.shape));
  std::string out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_batchnorm();
    p->set_channels(static_cast<uint64_t>(c));
    p->set_epsilon(epsilon_field(eps));
    add_weights(p->mutable_gamma(), gamma);
    add_weights(p->mutable_beta(), beta);
    add_weights(p->mutable_mean(), mean);
    add_weights(p->mutable_variance(), var);
  });
  out = emit_reshape(cx, node.output(0), out, x.shape);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_instance_norm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 3)
    node.invalid("input has shape " + shape_str(x.shape) + "; expected [N, C, D1, ...]");
  const int64_t c = x.shape[1];
  // Scale and bias known only at run time are applied after normalizing.
  const bool fixed = all_constant(cx, node, 1, 2);
  const auto gamma =
      fixed ? per_channel(cx, node, 1, c, "scale") : std::vector<float>(size_t(c), 1.f);
  const auto beta =
      fixed ? per_channel(cx, node, 2, c, "bias B") : std::vector<float>(size_t(c), 0.f);
  const float eps = node.attr_float("epsilon", 1e-5f);
  std::string in =
      emit_reshape(cx, hint(node, "nchw"), cx.input_blob(node, 0), channel_layout(x.shape));
  std::string out = emit_layer(cx, fixed ? node.output(0) : hint(node, "normalized"), {in},
                               [&](spec::NeuralNetworkLayer& l) {
                                 auto* p = l.mutable_batchnorm();
                                 p->set_channels(static_cast<uint64_t>(c));
                                 p->set_epsilon(epsilon_field(eps));
                                 p->set_computemeanvar(true);
                                 p->set_instancenormalization(true);
                                 add_weights(p->mutable_gamma(), gamma);
                                 add_weights(p->mutable_beta(), beta);
                               });
  out = emit_reshape(cx, node.output(0), out, x.shape);
  if (!fixed) {
    const size_t r = x.shape.size();
    out = emit_binary(cx, hint(node, "scaled"), Binary::kMul, out,
                      channel_blob(cx, node, 1, c, r, "scale"));
    out = emit_binary(cx, node.output(0), Binary::kAdd, out, channel_blob(cx, node, 2, c, r, "B"));
  }
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

// A constant broadcast to `shape`, as floats; `what` names it in errors.
std::vector<float> expanded(const Node& node, const Tensor& t, const Dims& shape,
                            const char* what) {
  Dims b;
  try {
    b = broadcast(node, t.shape(), shape);
  } catch (...) {
    node.invalid(std::string(what) + " of shape " + shape_str(t.shape()) +
                 " does not broadcast to " + shape_str(shape));
  }
  if (b != shape)
    node.unsupported(std::string(what) + " of shape " + shape_str(t.shape()) +
                     " is larger than the normalized shape " + shape_str(shape));
  return fold_expand(t, shape).floats();
}

void convert_layer_norm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  const int64_t axis = norm_axis(node, node.attr_int("axis", -1), r);
  const Dims norm(x.shape.begin() + axis, x.shape.end());
  // Scale and B known only at run time are applied after normalizing.
  const bool fixed = all_constant(cx, node, 1, 2);
  std::vector<float> gamma(static_cast<size_t>(element_count(norm)), 1.f);
  std::vector<float> beta(gamma.size(), 0.f);
  if (fixed) {
    gamma = expanded(node, cx.require_constant(node, 1, "Scale"), norm, "Scale");
    if (const Tensor* b = cx.constant_input(node, 2)) beta = expanded(node, *b, norm, "B");
  }
  const float eps = node.attr_float("epsilon", 1e-5f);
  const std::string in = cx.input_blob(node, 0);
  std::string out = emit_layer(cx, fixed ? node.output(0) : hint(node, "normalized"), {in},
                               [&](spec::NeuralNetworkLayer& l) {
                                 auto* p = l.mutable_layernormalization();
                                 for (int64_t d : norm) p->add_normalizedshape(d);
                                 p->set_eps(epsilon_field(eps));
                                 add_weights(p->mutable_gamma(), gamma);
                                 add_weights(p->mutable_beta(), beta);
                               });
  if (!fixed) {
    for (int i = 1; i <= 2; ++i)
      if (node.has_input(i) && broadcast(node, cx.input(node, i).shape, norm) != norm)
        node.invalid("input " + std::to_string(i) + " of shape " +
                     shape_str(cx.input(node, i).shape) +
                     " does not broadcast to the normalized shape " + shape_str(norm));
    out = emit_binary(cx, node.has_input(2) ? hint(node, "scaled") : node.output(0), Binary::kMul,
                      out, cx.input_blob(node, 1));
    if (node.has_input(2))
      out = emit_binary(cx, node.output(0), Binary::kAdd, out, cx.input_blob(node, 2));
  }
  define_output(cx, node, 0, out, x.dtype, x.shape);
  // Optional outputs: the mean and 1 / sqrt(variance + epsilon), reduced axes kept.
  if (node.has_output(1) || node.has_output(2)) {
    std::vector<int64_t> axes;
    for (int64_t a = axis; a < r; ++a) axes.push_back(a);
    Dims stat_shape = x.shape;
    for (int64_t a : axes) stat_shape[a] = 1;
    const std::string mean =
        emit_reduce(cx, node.has_output(1) ? node.output(1) : hint(node, "mean"), in, Reduce::kMean,
                    axes, true);
    if (node.has_output(1)) define_output(cx, node, 1, mean, kFloat, stat_shape);
    if (node.has_output(2)) {
      const std::string centered = emit_binary(cx, hint(node, "centered"), Binary::kSub, in, mean);
      const std::string sq =
          emit_binary(cx, hint(node, "squared"), Binary::kMul, centered, centered);
      const std::string var = emit_reduce(cx, hint(node, "var"), sq, Reduce::kMean, axes, true);
      const std::string inv = emit_unary(
          cx, node.output(2), var, spec::UnaryFunctionLayerParams::RSQRT, 0.f, epsilon_field(eps));
      define_output(cx, node, 2, inv, kFloat, stat_shape);
    }
  }
}

void convert_lrn(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 3)
    node.invalid("input has shape " + shape_str(x.shape) + "; expected [N, C, ...]");
  const int64_t size = node.attr_int("size");
  if (size % 2 == 0)
    node.unsupported("size = " + std::to_string(size) +
                     ": Core ML's LRN window is centered (odd sizes only)");
  std::string in =
      emit_reshape(cx, hint(node, "nchw"), cx.input_blob(node, 0), channel_layout(x.shape));
  std::string out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_lrn();
    p->set_alpha(node.attr_float("alpha", 1e-4f));
    p->set_beta(node.attr_float("beta", 0.75f));
    p->set_k(node.attr_float("bias", 1.f));
    p->set_localsize(static_cast<uint64_t>(size));
  });
  out = emit_reshape(cx, node.output(0), out, x.shape);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_lp_norm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t axis =
      norm_axis(node, node.attr_int("axis", -1), static_cast<int64_t>(x.shape.size()));
  const int64_t p = node.attr_int("p", 2);
  if (p != 1 && p != 2) node.invalid("p = " + std::to_string(p) + "; expected 1 or 2");
  const std::string in = cx.input_blob(node, 0);
  const std::string norm =
      emit_reduce(cx, hint(node, "norm"), in, p == 1 ? Reduce::kL1 : Reduce::kL2, {axis}, true);
  const std::string out = emit_binary(cx, node.output(0), Binary::kDiv, in, norm);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

// (x - mean) / sqrt(var + eps) over `axes`, with reductions.
std::string normalize(Context& cx, const Node& node, const std::string& in,
                      const std::vector<int64_t>& axes, float eps, const std::string& out_hint) {
  const std::string mean = emit_reduce(cx, hint(node, "mean"), in, Reduce::kMean, axes, true);
  const std::string centered = emit_binary(cx, hint(node, "centered"), Binary::kSub, in, mean);
  const std::string sq = emit_binary(cx, hint(node, "squared"), Binary::kMul, centered, centered);
  const std::string var = emit_reduce(cx, hint(node, "var"), sq, Reduce::kMean, axes, true);
  const std::string inv = emit_unary(
      cx, hint(node, "rsqrt"), var, spec::UnaryFunctionLayerParams::RSQRT, 0.f, epsilon_field(eps));
  return emit_binary(cx, out_hint, Binary::kMul, centered, inv);
}

void convert_mvn(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const auto axes =
      norm_axes(node, node.attr_ints("axes", {0, 2, 3}), static_cast<int64_t>(x.shape.size()));
  // The ONNX function body adds no epsilon; 1e-9 keeps a constant input finite.
  const std::string out = normalize(cx, node, cx.input_blob(node, 0), axes, 1e-9f, node.output(0));
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_group_norm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 3)
    node.invalid("input has shape " + shape_str(x.shape) + "; expected [N, C, ...]");
  const int64_t groups = node.attr_int("num_groups");
  const int64_t n = x.shape[0], c = x.shape[1];
  if (groups < 1 || c % groups != 0)
    node.invalid("num_groups = " + std::to_string(groups) + " does not divide " +
                 std::to_string(c) + " channels");
  // Opset 18 gave scale and bias per group; 21 per channel.
  const int64_t per = element_count(cx.input(node, 1).shape);
  if ((per != c && per != groups) || element_count(cx.input(node, 2).shape) != per)
    node.invalid("scale / bias have " + std::to_string(per) + " values; expected " +
                 std::to_string(c));
  const int64_t rest = element_count(Dims(x.shape.begin() + 2, x.shape.end()));
  std::string g = emit_reshape(cx, hint(node, "groups"), cx.input_blob(node, 0),
                               {n, groups, (c / groups) * rest});
  const std::string normed =
      normalize(cx, node, g, {2}, node.attr_float("epsilon", 1e-5f), hint(node, "normalized"));
  const std::string back = emit_reshape(cx, hint(node, "nc"), normed, {n, c, rest});
  std::string sb, bb;
  if (all_constant(cx, node, 1, 2)) {
    const Tensor& scale = *cx.constant_input(node, 1);
    const Tensor& bias = *cx.constant_input(node, 2);
    std::vector<float> s(static_cast<size_t>(c)), b(static_cast<size_t>(c));
    for (int64_t i = 0; i < c; ++i) {
      const int64_t k = per == c ? i : i / (c / groups);
      s[i] = static_cast<float>(scale.get(k));
      b[i] = static_cast<float>(bias.get(k));
    }
    sb = emit_constant(cx, hint(node, "scale"), s, {c, 1});
    bb = emit_constant(cx, hint(node, "bias"), b, {c, 1});
  } else {
    if (per != c)
      node.unsupported("per-group scale and bias known only at run time are not converted");
    sb = emit_reshape(cx, hint(node, "scale"), cx.input_blob(node, 1), {c, 1});
    bb = emit_reshape(cx, hint(node, "bias"), cx.input_blob(node, 2), {c, 1});
  }
  const std::string scaled = emit_binary(cx, hint(node, "scaled"), Binary::kMul, back, sb);
  std::string out = emit_binary(cx, hint(node, "biased"), Binary::kAdd, scaled, bb);
  out = emit_reshape(cx, node.output(0), out, x.shape);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_rms_norm(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  const int64_t axis = norm_axis(node, node.attr_int("axis", -1), r);
  std::vector<int64_t> axes;
  for (int64_t a = axis; a < r; ++a) axes.push_back(a);
  const std::string in = cx.input_blob(node, 0);
  const std::string sq = emit_binary(cx, hint(node, "squared"), Binary::kMul, in, in);
  const std::string ms = emit_reduce(cx, hint(node, "meansq"), sq, Reduce::kMean, axes, true);
  const std::string inv =
      emit_unary(cx, hint(node, "rsqrt"), ms, spec::UnaryFunctionLayerParams::RSQRT, 0.f,
                 epsilon_field(node.attr_float("epsilon", 1e-5f)));
  const std::string normed = emit_binary(cx, hint(node, "normalized"), Binary::kMul, in, inv);
  const std::string out =
      emit_binary(cx, node.output(0), Binary::kMul, normed, cx.input_blob(node, 1));
  define_output(cx, node, 0, out, x.dtype, broadcast(node, x.shape, cx.input(node, 1).shape));
}

}  // namespace

void register_normalization_ops(OpTable& t) {
  t["BatchNormalization"] = &convert_batchnorm;
  t["InstanceNormalization"] = &convert_instance_norm;
  t["LayerNormalization"] = &convert_layer_norm;
  t["LRN"] = &convert_lrn;
  t["LpNormalization"] = &convert_lp_norm;
  t["MeanVarianceNormalization"] = &convert_mvn;
  t["GroupNormalization"] = &convert_group_norm;
  t["RMSNormalization"] = &convert_rms_norm;
}

}  // namespace morel::onnxc
