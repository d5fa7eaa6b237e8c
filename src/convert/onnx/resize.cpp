// Resize and Upsample. Where Core ML's upsample layer computes exactly what
// ONNX asks (integer factors on H and W: nearest with floor indexing, or
// linear with align_corners / half_pixel / asymmetric coordinates) it is
// used; every other case (any axis, any size, nearest modes, cubic) becomes
// one matrix product per resized axis with a constant interpolation matrix
// built here from the ONNX formulas, which is exact for all of them.
#include <algorithm>
#include <cmath>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

struct ResizeSpec {
  std::string mode = "nearest";      // nearest, linear, cubic
  std::string coord = "half_pixel";  // coordinate_transformation_mode
  std::string nearest = "round_prefer_floor";
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  std::vector<double> scales;  // per axis, as used in the coordinate transform
  Dims out;
};

double source_coordinate(const ResizeSpec& r, int64_t x, int64_t in, int64_t out, double scale,
                         const Node& node) {
  const double xd = static_cast<double>(x);
  if (r.coord == "half_pixel") return (xd + 0.5) / scale - 0.5;
  if (r.coord == "pytorch_half_pixel") return out > 1 ? (xd + 0.5) / scale - 0.5 : 0.0;
  if (r.coord == "align_corners")
    return out == 1 ? 0.0 : xd * static_cast<double>(in - 1) / static_cast<double>(out - 1);
  if (r.coord == "asymmetric") return xd / scale;
  if (r.coord == "tf_half_pixel_for_nn") return (xd + 0.5) / scale;
  if (r.coord == "half_pixel_symmetric") {
    const double adjustment = static_cast<double>(out) / (scale * static_cast<double>(in));
    const double center = static_cast<double>(in) / 2.0;
    return center * (1.0 - adjustment) + (xd + 0.5) / scale - 0.5;
  }
  node.unsupported("coordinate_transformation_mode = '" + r.coord + "' is not converted");
}

int64_t nearest_index(const std::string& mode, double x) {
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  const double f = std::floor(x);
  if (x - f == 0.5) return static_cast<int64_t>(mode == "round_prefer_ceil" ? f + 1 : f);
  return static_cast<int64_t>(std::round(x));
}

double cubic_weight(double d, double a) {
  d = std::fabs(d);
  if (d < 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// The [out, in] matrix that resizes one axis.
std::vector<float> interpolation_matrix(const ResizeSpec& r, int64_t in, int64_t out, double scale,
                                        const Node& node) {
  std::vector<double> m(static_cast<size_t>(out * in), 0.0);
  auto at = [&](int64_t o, int64_t i) -> double& { return m[static_cast<size_t>(o * in + i)]; };
  for (int64_t o = 0; o < out; ++o) {
    const double x = source_coordinate(r, o, in, out, scale, node);
    if (r.mode == "nearest") {
      at(o, std::clamp<int64_t>(nearest_index(r.nearest, x), 0, in - 1)) = 1.0;
    } else if (r.mode == "linear") {
      const double xc = std::clamp(x, 0.0, static_cast<double>(in - 1));
      const int64_t i0 = static_cast<int64_t>(std::floor(xc));
      const int64_t i1 = std::min(i0 + 1, in - 1);
      const double t = xc - static_cast<double>(i0);
      at(o, i0) += 1.0 - t;
      at(o, i1) += t;
    } else {  // cubic: four taps around floor(x), edge-clamped
      const int64_t base = static_cast<int64_t>(std::floor(x));
      const double t = x - static_cast<double>(base);
      double w[4], total = 0;
      for (int k = 0; k < 4; ++k) {
        const int64_t i = base - 1 + k;
        w[k] = cubic_weight(t - (k - 1), r.cubic_a);
        if (r.exclude_outside && (i < 0 || i >= in)) w[k] = 0;
        total += w[k];
      }
      for (int k = 0; k < 4; ++k) {
        const int64_t i = std::clamp<int64_t>(base - 1 + k, 0, in - 1);
        at(o, i) += r.exclude_outside && total != 0 ? w[k] / total : w[k];
      }
    }
  }
  return {m.begin(), m.end()};
}

// The native upsample layer, when it computes exactly this resize.
bool try_upsample(Context& cx, const Node& node, const ResizeSpec& r, const Value& x,
                  std::string& out) {
  const size_t rank = x.shape.size();
  if (rank < 3) return false;
  int64_t factor[2];
  for (size_t a = 0; a < rank; ++a) {
    const bool spatial = a + 2 >= rank;
    if (!spatial && (r.out[a] != x.shape[a] || r.scales[a] != 1.0)) return false;
    if (spatial) {
      if (r.out[a] % x.shape[a] != 0) return false;
      const int64_t f = r.out[a] / x.shape[a];
      if (r.scales[a] != static_cast<double>(f)) return false;
      factor[a + 2 - rank] = f;
    }
  }
  spec::UpsampleLayerParams::LinearUpsampleMode linear = spec::UpsampleLayerParams::DEFAULT;
  if (r.mode == "nearest") {
    // Upsample NN takes input index floor(o / f); check the ONNX indices agree.
    for (size_t a = rank - 2; a < rank; ++a)
      for (int64_t o = 0; o < r.out[a]; ++o) {
        const double xs = source_coordinate(r, o, x.shape[a], r.out[a], r.scales[a], node);
        const int64_t i = std::clamp<int64_t>(nearest_index(r.nearest, xs), 0, x.shape[a] - 1);
        if (i != o / factor[a + 2 - rank]) return false;
      }
  } else if (r.mode == "linear") {
    if (r.coord == "align_corners")
      linear = spec::UpsampleLayerParams::ALIGN_CORNERS_TRUE;
    else if (r.coord == "half_pixel" || r.coord == "pytorch_half_pixel")
      linear = spec::UpsampleLayerParams::ALIGN_CORNERS_FALSE;
    else if (r.coord != "asymmetric")  // DEFAULT samples at o / f
      return false;
  } else {
    return false;
  }
  out = emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_upsample();
    p->add_scalingfactor(static_cast<uint64_t>(factor[0]));
    p->add_scalingfactor(static_cast<uint64_t>(factor[1]));
    p->set_mode(r.mode == "nearest" ? spec::UpsampleLayerParams::NN
                                    : spec::UpsampleLayerParams::BILINEAR);
    if (r.mode == "linear") p->set_linearupsamplemode(linear);
  });
  return true;
}

void resize(Context& cx, const Node& node, ResizeSpec r) {
  const Value& x = cx.input(node, 0);
  const size_t rank = x.shape.size();
  if (r.mode != "nearest" && r.mode != "linear" && r.mode != "cubic")
    node.unsupported("mode = '" + r.mode + "' is not converted");
  for (int64_t d : r.out)
    if (d < 1) node.unsupported("the output shape " + shape_str(r.out) + " is empty");
  if (r.out == x.shape && r.coord != "tf_crop_and_resize") {
    bool unit = true;
    for (double s : r.scales) unit = unit && s == 1.0;
    if (unit) {
      cx.alias(node.output(0), node.input(0));
      return;
    }
  }
  std::string out;
  if (!try_upsample(cx, node, r, x, out)) {
    out = cx.input_blob(node, 0);
    Dims cur = x.shape;
    for (size_t a = 0; a < rank; ++a) {
      if (r.out[a] == x.shape[a] && r.scales[a] == 1.0) continue;
      const int64_t in = x.shape[a], n = r.out[a];
      const std::vector<float> m = interpolation_matrix(r, in, n, r.scales[a], node);
      // Bring the axis last, multiply by the matrix, put it back.
      std::vector<int64_t> perm;
      for (size_t k = 0; k < rank; ++k)
        if (k != a) perm.push_back(static_cast<int64_t>(k));
      perm.push_back(static_cast<int64_t>(a));
      std::vector<int64_t> back(rank);
      for (size_t k = 0; k < rank; ++k) back[perm[k]] = static_cast<int64_t>(k);
      std::string t = emit_transpose(cx, hint(node, "axis_last"), out, perm);
      t = emit_layer(cx, hint(node, "resized"), {t}, [&](spec::NeuralNetworkLayer& l) {
        auto* p = l.mutable_batchedmatmul();
        p->set_weightmatrixfirstdimension(static_cast<uint64_t>(in));
        p->set_weightmatrixseconddimension(static_cast<uint64_t>(n));
        p->mutable_weights()->mutable_floatvalue()->Add(m.begin(), m.end());
      });
      out = emit_transpose(cx, hint(node, "axis_back"), t, back);
      cur[a] = n;
    }
  }
  define_output(cx, node, 0, out, x.dtype, r.out);
}

// Output sizes and per-axis scales from `scales` or `sizes`.
void size_from(const Node& node, const Dims& in, const Tensor* scales, const Tensor* sizes,
               const std::vector<int64_t>& axes, ResizeSpec& r) {
  const size_t rank = in.size();
  r.out = in;
  r.scales.assign(rank, 1.0);
  std::vector<int64_t> ax = axes;
  if (ax.empty())
    for (size_t a = 0; a < rank; ++a) ax.push_back(static_cast<int64_t>(a));
  ax = norm_axes(node, ax, static_cast<int64_t>(rank));
  if (sizes && sizes->count() > 0) {
    if (sizes->count() != static_cast<int64_t>(ax.size()))
      node.invalid("sizes has the wrong length");
    const std::string policy = node.attr_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch")
      node.unsupported("keep_aspect_ratio_policy = '" + policy + "' is not converted");
    for (size_t i = 0; i < ax.size(); ++i) {
      r.out[ax[i]] = sizes->get_int(static_cast<int64_t>(i));
      r.scales[ax[i]] = static_cast<double>(r.out[ax[i]]) / static_cast<double>(in[ax[i]]);
    }
  } else if (scales && scales->count() > 0) {
    if (scales->count() != static_cast<int64_t>(ax.size()))
      node.invalid("scales has the wrong length");
    for (size_t i = 0; i < ax.size(); ++i) {
      // The scale as ONNX stores it (float32), widened.
      const double s = static_cast<float>(scales->get(static_cast<int64_t>(i)));
      if (!(s > 0)) node.invalid("scales must be positive");
      r.scales[ax[i]] = s;
      r.out[ax[i]] = static_cast<int64_t>(std::floor(static_cast<double>(in[ax[i]]) * s));
    }
  } else {
    node.invalid("needs scales or sizes");
  }
}

void convert_resize(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  ResizeSpec r;
  r.mode = node.attr_string("mode", "nearest");
  if (node.opset() < 11) {
    r.coord = "asymmetric";
    r.nearest = "floor";
    size_from(node, x.shape, &cx.require_constant(node, 1, "scales"), nullptr, {}, r);
  } else {
    r.coord = node.attr_string("coordinate_transformation_mode", "half_pixel");
    r.nearest = node.attr_string("nearest_mode", "round_prefer_floor");
    r.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
    r.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
    if (node.attr_int("antialias", 0) != 0 && r.mode != "nearest")
      node.unsupported("antialias = 1 is not converted");
    if (r.coord == "tf_crop_and_resize")
      node.unsupported("coordinate_transformation_mode = 'tf_crop_and_resize' is not converted");
    const Tensor* scales = node.has_input(2) ? &cx.require_constant(node, 2, "scales") : nullptr;
    const Tensor* sizes = node.has_input(3) ? &cx.require_constant(node, 3, "sizes") : nullptr;
    size_from(node, x.shape, scales, sizes, node.attr_ints("axes"), r);
  }
  resize(cx, node, r);
}

void convert_upsample(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  ResizeSpec r;
  r.mode = node.attr_string("mode", "nearest");
  if (r.mode == "bilinear") r.mode = "linear";
  r.coord = "asymmetric";
  r.nearest = "floor";
  if (node.opset() < 9) {
    std::vector<float> s = node.attr_floats("scales");
    if (s.empty()) {  // opset 1: height_scale / width_scale
      s.assign(x.shape.size(), 1.f);
      if (s.size() >= 2) {
        s[s.size() - 2] = node.attr_float("height_scale", 1.f);
        s.back() = node.attr_float("width_scale", 1.f);
      }
    }
    const int64_t n = static_cast<int64_t>(s.size());
    const Tensor t = Tensor::from_floats(s, {n});
    size_from(node, x.shape, &t, nullptr, {}, r);
  } else {
    size_from(node, x.shape, &cx.require_constant(node, 1, "scales"), nullptr, {}, r);
  }
  resize(cx, node, r);
}

}  // namespace

void register_resize_ops(OpTable& t) {
  t["Resize"] = &convert_resize;
  t["Upsample"] = &convert_upsample;
}

}  // namespace morel::onnxc
