// Ops whose result is known at conversion time: Constant, and ops that only
// look at shapes (Shape, Size) or at constant inputs (ConstantOfShape, Range,
// EyeLike, NonZero of a constant). They define constants, never layers.
#include <algorithm>
#include <cmath>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

void convert_constant(Context& cx, const Node& node) {
  if (auto t = node.attr_tensor("value")) {
    cx.define_constant(node.output(0), std::move(*t));
  } else if (node.has_attr("value_float")) {
    cx.define_constant(node.output(0), Tensor::scalar(kFloat, node.attr_float("value_float", 0.f)));
  } else if (node.has_attr("value_floats")) {
    std::vector<float> f = node.attr_floats("value_floats");
    const int64_t n = static_cast<int64_t>(f.size());
    cx.define_constant(node.output(0), Tensor::from_floats(std::move(f), {n}));
  } else if (node.has_attr("value_int")) {
    cx.define_constant(node.output(0), Tensor::from_ints(kInt64, {node.attr_int("value_int")}, {}));
  } else if (node.has_attr("value_ints")) {
    cx.define_constant(node.output(0), Tensor::from_ints(node.attr_ints("value_ints")));
  } else if (node.has_attr("sparse_value")) {
    node.unsupported("sparse tensor constants are not converted");
  } else if (node.has_attr("value_string") || node.has_attr("value_strings")) {
    node.unsupported("string constants: Core ML networks carry numbers only");
  } else {
    node.invalid("has no value attribute");
  }
}

void convert_constant_of_shape(Context& cx, const Node& node) {
  const Dims shape = cx.require_constant(node, 0, "the shape").ints();
  for (int64_t d : shape)
    if (d < 0) node.invalid("shape " + shape_str(shape) + " has a negative dimension");
  Tensor fill = Tensor::scalar(kFloat, 0.0);
  if (auto v = node.attr_tensor("value")) {
    if (v->count() != 1) node.invalid("value must hold one element");
    fill = *v;
  }
  Tensor out(fill.dtype(), shape);
  if (fill.is_int()) {
    const int64_t v = fill.get_int(0);
    for (int64_t i = 0; i < out.count(); ++i) out.set_int(i, v);
  } else {
    const double v = fill.get(0);
    for (int64_t i = 0; i < out.count(); ++i) out.set(i, v);
  }
  cx.define_constant(node.output(0), std::move(out));
}

void convert_shape(Context& cx, const Node& node) {
  const Dims& s = cx.input(node, 0).shape;
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t start = node.attr_int("start", 0), end = node.attr_int("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(s[i]);
  cx.define_constant(node.output(0), Tensor::from_ints(dims));
}

void convert_size(Context& cx, const Node& node) {
  cx.define_constant(node.output(0),
                     Tensor::from_ints(kInt64, {element_count(cx.input(node, 0).shape)}, {}));
}

void convert_range(Context& cx, const Node& node) {
  const Tensor& start = cx.require_constant(node, 0, "start");
  const Tensor& limit = cx.require_constant(node, 1, "limit");
  const Tensor& delta = cx.require_constant(node, 2, "delta");
  if (start.count() != 1 || limit.count() != 1 || delta.count() != 1)
    node.invalid("start, limit and delta must be scalars");
  const double s = start.get(0), l = limit.get(0), d = delta.get(0);
  if (d == 0) node.invalid("delta is 0");
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((l - s) / d)));
  if (n > (int64_t(1) << 31)) node.unsupported("the range has " + std::to_string(n) + " elements");
  Tensor out(start.dtype(), {n});
  for (int64_t i = 0; i < n; ++i) {
    if (out.is_int())
      out.set_int(i, start.get_int(0) + i * delta.get_int(0));
    else
      out.set(i, s + static_cast<double>(i) * d);
  }
  cx.define_constant(node.output(0), std::move(out));
}

void convert_eye_like(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() != 2) node.invalid("input must be 2-D");
  const int dtype = static_cast<int>(node.attr_int("dtype", x.dtype));
  const int64_t k = node.attr_int("k", 0);
  Tensor out(dtype, x.shape);
  for (int64_t i = 0; i < x.shape[0]; ++i) {
    const int64_t j = i + k;
    if (j >= 0 && j < x.shape[1]) out.set(i * x.shape[1] + j, 1);
  }
  cx.define_constant(node.output(0), std::move(out));
}

void convert_non_zero(Context& cx, const Node& node) {
  const Tensor& x =
      cx.require_constant(node, 0, "the input (its nonzero count sets the output shape)");
  const int r = x.rank();
  std::vector<std::vector<int64_t>> coords(static_cast<size_t>(std::max(r, 1)));
  std::vector<int64_t> pos(static_cast<size_t>(r), 0);
  int64_t n = 0;
  for (int64_t i = 0; i < x.count(); ++i) {
    if (x.get(i) != 0) {
      for (int k = 0; k < r; ++k) coords[k].push_back(pos[k]);
      if (r == 0) coords[0].push_back(0);
      ++n;
    }
    for (int k = r - 1; k >= 0; --k) {
      if (++pos[k] < x.shape()[k]) break;
      pos[k] = 0;
    }
  }
  std::vector<int64_t> flat;
  for (int k = 0; k < r; ++k) flat.insert(flat.end(), coords[k].begin(), coords[k].end());
  cx.define_constant(node.output(0), Tensor::from_ints(kInt64, flat, {r, n}));
}

}  // namespace

void register_constant_ops(OpTable& t) {
  t["Constant"] = &convert_constant;
  t["ConstantOfShape"] = &convert_constant_of_shape;
  t["Shape"] = &convert_shape;
  t["Size"] = &convert_size;
  t["Range"] = &convert_range;
  t["EyeLike"] = &convert_eye_like;
  t["NonZero"] = &convert_non_zero;
}

}  // namespace morel::onnxc
