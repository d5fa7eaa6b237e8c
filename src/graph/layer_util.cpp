#include "graph/layer_util.h"

#include <algorithm>

#include "graph/layout.h"
#include "kernels/reference/concat_split.h"

namespace morel::graph {

std::string str(int64_t v) {
  return std::to_string(v);
}

void require_one_output(const spec::NeuralNetworkLayer& layer) {
  require(layer.output_size() == 1, "expects 1 output, got " + str(int64_t(layer.output_size())));
}

void require_input_count(const spec::NeuralNetworkLayer& layer, int count) {
  require(layer.input_size() == count,
          "expects " + str(count) + " input(s), got " + str(int64_t(layer.input_size())));
}

int64_t param_size(uint64_t value, const std::string& field) {
  require(
      value <= static_cast<uint64_t>(kMaxParam),
      field + " = " + std::to_string(value) + " is out of range (at most " + str(kMaxParam) + ")");
  return static_cast<int64_t>(value);
}

void require_plannable(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    require_shape(d >= 1 && n <= kMaxElements / d, "output shape " + shape.str() +
                                                       " is too large (more than " +
                                                       str(kMaxElements) + " elements)");
    n *= d;
  }
}

void require_inputs(std::span<const Shape> inputs, size_t min, size_t max) {
  if (inputs.size() < min || inputs.size() > max) {
    std::string want =
        min == max ? str(int64_t(min)) : str(int64_t(min)) + " to " + str(int64_t(max));
    throw Error(ErrorCode::kInvalidModel,
                "expects " + want + " input(s), got " + str(int64_t(inputs.size())));
  }
}

int normalize_axis(int64_t axis, int rank, const std::string& field) {
  if (axis < -rank || axis >= rank)
    throw Error(ErrorCode::kInvalidModel,
                field + " = " + str(axis) + " is out of range for rank " + str(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  int rank = std::max(a.rank(), b.rank());
  Shape out;
  out.resize(rank);
  for (int i = 0; i < rank; ++i) {
    int ia = i - (rank - a.rank()), ib = i - (rank - b.rank());
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1)
      throw Error(ErrorCode::kInvalidInput,
                  "shapes " + a.str() + " and " + b.str() + " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<float> weights(const spec::WeightParams& w, int64_t count, const std::string& field,
                           ChannelLayout layout) {
  return decode_weights(w, count, layout, field);
}

Shape permuted(const Shape& in, std::span<const int> perm) {
  Shape out;
  for (int a : perm) out.push_back(in[a]);
  return out;
}

Shape concat_shape(std::span<const Shape> inputs, int axis) {
  Shape out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    require_shape(s.rank() == out.rank(), "input " + str(int64_t(i)) + " has shape " + s.str() +
                                              "; input 0 has shape " + inputs[0].str() +
                                              " (ranks must match)");
    for (int a = 0; a < s.rank(); ++a)
      require_shape(a == axis || s[a] == inputs[0][a],
                    "input " + str(int64_t(i)) + " has shape " + s.str() + "; input 0 has shape " +
                        inputs[0].str() + " (only axis " + str(axis) + " may differ)");
    out[axis] += s[axis];
  }
  return out;
}

void concat_values(std::span<const ConstTensorView> inputs, int axis, bool channels_last,
                   float* out, int threads) {
  std::vector<const float*> data;
  std::vector<int64_t> sizes;
  for (const ConstTensorView& t : inputs) {
    data.push_back(t.data);
    sizes.push_back(t.shape[axis]);
  }
  Shape stored = inputs[0].shape;
  if (channels_last && stored.rank() >= 3) {
    axis = channels_last_axis(axis, stored.rank());
    stored = channels_last_shape(stored);
  }
  const kernels::reference::AxisSplit around{stored.count(0, axis),
                                             stored.count(axis + 1, stored.rank())};
  kernels::reference::concat(around, data, sizes, out, threads);
}

}  // namespace morel::graph
