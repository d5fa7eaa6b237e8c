#include "convert/onnx/ops.h"
#include <algorithm>

namespace morel::onnxc {

const OpTable& builtin_ops() {
  static const OpTable table = [] {
    OpTable t;
    register_conv_ops(t);
    register_pool_ops(t);
    register_normalization_ops(t);
    register_activation_ops(t);
    register_elementwise_ops(t);
    register_matmul_ops(t);
    register_reduce_ops(t);
    register_softmax_ops(t);
    register_shape_ops(t);
    register_indexing_ops(t);
    register_resize_ops(t);
    register_constant_ops(t);
    register_recurrent_ops(t);
    return t;
  }();
  return table;
}

int64_t norm_axis(const Node& node, int64_t axis, int64_t rank, const std::string& what) {
  if (axis < -rank || axis >= rank)
    node.invalid(what + " = " + std::to_string(axis) + " is out of range for rank " +
                 std::to_string(rank) + " (expected [" + std::to_string(-rank) + ", " +
                 std::to_string(rank - 1) + "])");
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> norm_axes(const Node& node, std::vector<int64_t> axes, int64_t rank,
                               const std::string& what) {
  for (auto& a : axes) a = norm_axis(node, a, rank, what);
  return axes;
}

Dims broadcast(const Node& node, const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims pa = pad_left(a, r), pb = pad_left(b, r), out(r);
  for (size_t i = 0; i < r; ++i) {
    if (pa[i] == pb[i] || pb[i] == 1)
      out[i] = pa[i];
    else if (pa[i] == 1)
      out[i] = pb[i];
    else
      node.invalid("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
  }
  return out;
}

Dims pad_left(const Dims& s, size_t rank) {
  Dims out(rank > s.size() ? rank - s.size() : 0, 1);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

}  // namespace morel::onnxc
