#include "graph/input_concat.h"

#include "graph/layer_util.h"

namespace morel::graph {

bool InputConcat::take(int64_t axis, int parts) {
  if (fused() || parts < 2) return false;
  axis_ = axis;
  parts_ = parts;
  return true;
}

Shape InputConcat::joined(std::span<const Shape> inputs) const {
  if (!fused()) return inputs[0];
  const auto parts = inputs.first(static_cast<size_t>(parts_));
  try {
    return concat_shape(parts, normalize_axis(axis_, parts[0].rank(), "axis"));
  } catch (const Error& e) {
    throw Error(e.code(), std::string("the concatenation fused into this layer: ") + e.what());
  }
}

Shape InputConcat::joined(std::span<const ConstTensorView> inputs) const {
  if (!fused()) return inputs[0].shape;
  std::vector<Shape> shapes;
  for (const ConstTensorView& t : inputs.first(static_cast<size_t>(parts_)))
    shapes.push_back(t.shape);
  return joined(shapes);
}

std::vector<int64_t> InputConcat::channel_parts(std::span<const Shape> inputs) const {
  if (!fused()) return {};
  const int rank = inputs[0].rank();
  if (normalize_axis(axis_, rank, "axis") != rank - 3) return {};
  std::vector<int64_t> channels;
  for (const Shape& s : inputs.first(static_cast<size_t>(parts_))) channels.push_back(s.dim(-3));
  return channels;
}

const float* InputConcat::join(std::span<const ConstTensorView> inputs, bool channels_last,
                               float*& scratch, int threads) const {
  if (!fused()) return inputs[0].data;
  const Shape in = joined(inputs);
  float* out = scratch;
  concat_values(inputs.first(static_cast<size_t>(parts_)), normalize_axis(axis_, in.rank(), "axis"),
                channels_last, out, threads);
  scratch += in.count();
  return out;
}

}  // namespace morel::graph
