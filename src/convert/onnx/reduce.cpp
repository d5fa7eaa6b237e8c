// Reductions (ReduceSum ... ReduceLogSumExp) as the N-d reduce layers, ArgMax
// / ArgMin, and CumSum. Reductions of constants (shape arithmetic) fold.
#include <algorithm>
#include <cmath>
#include <limits>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

// The reduced axes (non-negative, sorted), or nullopt for "no reduction"
// (empty axes with noop_with_empty_axes).
std::optional<std::vector<int64_t>> reduce_axes(Context& cx, const Node& node, int64_t rank,
                                                bool axes_input) {
  std::vector<int64_t> axes;
  if (axes_input) {
    if (node.has_input(1)) axes = cx.require_constant(node, 1, "axes").ints();
  } else {
    axes = node.attr_ints("axes");
  }
  if (axes.empty()) {
    if (node.attr_int("noop_with_empty_axes", 0) != 0) return std::nullopt;
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    return axes;
  }
  axes = norm_axes(node, axes, rank);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    node.invalid("axes repeats an axis");
  return axes;
}

double fold_value(Reduce op, const std::vector<double>& v) {
  double acc = op == Reduce::kProd ? 1 : 0;
  switch (op) {
    case Reduce::kMax: acc = -INFINITY; break;
    case Reduce::kMin: acc = INFINITY; break;
    default: break;
  }
  for (double x : v) {
    switch (op) {
      case Reduce::kSum:
      case Reduce::kMean:
      case Reduce::kLogSum: acc += x; break;
      case Reduce::kProd: acc *= x; break;
      case Reduce::kMax: acc = std::max(acc, x); break;
      case Reduce::kMin: acc = std::min(acc, x); break;
      case Reduce::kL1: acc += std::fabs(x); break;
      case Reduce::kL2:
      case Reduce::kSumSquare: acc += x * x; break;
      case Reduce::kLogSumExp: acc += std::exp(x); break;
    }
  }
  switch (op) {
    case Reduce::kMean: return acc / static_cast<double>(v.size());
    case Reduce::kL2: return std::sqrt(acc);
    case Reduce::kLogSum:
    case Reduce::kLogSumExp: return std::log(acc);
    default: return acc;
  }
}

Tensor fold_reduce(const Tensor& x, Reduce op, const std::vector<int64_t>& axes,
                   const Dims& out_shape) {
  const int r = x.rank();
  std::vector<bool> reduced(static_cast<size_t>(r), false);
  for (int64_t a : axes) reduced[a] = true;
  Dims kept_shape = x.shape();
  for (int64_t a : axes) kept_shape[a] = 1;
  std::vector<std::vector<double>> groups(static_cast<size_t>(element_count(kept_shape)));
  std::vector<int64_t> pos(static_cast<size_t>(r), 0);
  for (int64_t i = 0; i < x.count(); ++i) {
    int64_t g = 0;
    for (int k = 0; k < r; ++k) g = g * kept_shape[k] + (reduced[k] ? 0 : pos[k]);
    groups[g].push_back(x.get(i));
    for (int k = r - 1; k >= 0; --k) {
      if (++pos[k] < x.shape()[k]) break;
      pos[k] = 0;
    }
  }
  Tensor out(x.dtype(), out_shape);
  for (size_t g = 0; g < groups.size(); ++g)
    out.set(static_cast<int64_t>(g), fold_value(op, groups[g]));
  return out;
}

void convert_reduce(Context& cx, const Node& node, Reduce op, int axes_input_opset) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  const bool keep = node.attr_int("keepdims", 1) != 0;
  const auto axes = reduce_axes(cx, node, r, node.opset() >= axes_input_opset);
  if (!axes) {
    cx.alias(node.output(0), node.input(0));
    return;
  }
  Dims out_shape;
  for (int64_t a = 0; a < r; ++a) {
    const bool red = std::find(axes->begin(), axes->end(), a) != axes->end();
    if (!red)
      out_shape.push_back(x.shape[a]);
    else if (keep)
      out_shape.push_back(1);
  }
  if (x.constant) {
    cx.define_constant(node.output(0), fold_reduce(*x.constant, op, *axes, out_shape));
    return;
  }
  if (r == 0) {  // a scalar reduces to itself
    cx.alias(node.output(0), node.input(0));
    return;
  }
  const std::string out = emit_reduce(cx, node.output(0), cx.input_blob(node, 0), op, *axes, keep);
  define_output(cx, node, 0, out, x.dtype, out_shape);
}

void convert_arg(Context& cx, const Node& node, bool max) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  if (r == 0) node.invalid("input is a scalar");
  const int64_t axis = norm_axis(node, node.attr_int("axis", 0), r);
  const bool keep = node.attr_int("keepdims", 1) != 0;
  const bool last = node.attr_int("select_last_index", 0) != 0;
  Dims out_shape = x.shape;
  if (keep)
    out_shape[axis] = 1;
  else
    out_shape.erase(out_shape.begin() + axis);
  std::string in = cx.input_blob(node, 0);
  if (last)  // the first extreme of the reversed axis is the last one
    in = emit_layer(cx, hint(node, "reversed"), {in}, [&](spec::NeuralNetworkLayer& l) {
      for (int64_t a = 0; a < r; ++a) l.mutable_reverse()->add_reversedim(a == axis);
    });
  std::string out = emit_layer(cx, last ? hint(node, "index") : node.output(0), {in},
                               [&](spec::NeuralNetworkLayer& l) {
                                 if (max) {
                                   l.mutable_argmax()->set_axis(axis);
                                   l.mutable_argmax()->set_removedim(!keep);
                                 } else {
                                   l.mutable_argmin()->set_axis(axis);
                                   l.mutable_argmin()->set_removedim(!keep);
                                 }
                               });
  if (last) out = emit_linear(cx, node.output(0), out, -1.f, static_cast<float>(x.shape[axis] - 1));
  define_output(cx, node, 0, out, kInt64, out_shape);
}

void convert_cumsum(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Tensor& axis_t = cx.require_constant(node, 1, "axis");
  if (axis_t.count() != 1) node.invalid("axis must hold one value");
  const int64_t axis = norm_axis(node, axis_t.get_int(0), static_cast<int64_t>(x.shape.size()));
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, [&](spec::NeuralNetworkLayer& l) {
        auto* p = l.mutable_cumsum();
        p->set_axis(axis);
        p->set_excludefinalsum(node.attr_int("exclusive", 0) != 0);
        p->set_reverse(node.attr_int("reverse", 0) != 0);
      });
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

}  // namespace

void register_reduce_ops(OpTable& t) {
  // Reduce ops take axes as an input from opset 18 (ReduceSum from 13).
  t["ReduceSum"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kSum, 13); };
  t["ReduceMean"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kMean, 18); };
  t["ReduceProd"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kProd, 18); };
  t["ReduceMax"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kMax, 18); };
  t["ReduceMin"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kMin, 18); };
  t["ReduceL1"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kL1, 18); };
  t["ReduceL2"] = [](Context& cx, const Node& n) { convert_reduce(cx, n, Reduce::kL2, 18); };
  t["ReduceLogSum"] = [](Context& cx, const Node& n) {
    convert_reduce(cx, n, Reduce::kLogSum, 18);
  };
  t["ReduceSumSquare"] = [](Context& cx, const Node& n) {
    convert_reduce(cx, n, Reduce::kSumSquare, 18);
  };
  t["ReduceLogSumExp"] = [](Context& cx, const Node& n) {
    convert_reduce(cx, n, Reduce::kLogSumExp, 18);
  };
  t["ArgMax"] = [](Context& cx, const Node& n) { convert_arg(cx, n, true); };
  t["ArgMin"] = [](Context& cx, const Node& n) { convert_arg(cx, n, false); };
  t["CumSum"] = &convert_cumsum;
}

}  // namespace morel::onnxc
