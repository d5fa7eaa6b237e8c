// Constant folding: ONNX ops evaluated at conversion time on tensors whose
// values are known, so that shape computations (Shape -> Gather -> Concat ->
// Reshape, ConstantOfShape, Range, ...) never reach the runtime, which plans
// shapes without looking at tensor values.
#pragma once

#include <optional>
#include <vector>

#include "convert/onnx/node.h"
#include "convert/onnx/tensor.h"

namespace morel::onnxc {

// Element-wise ops (arithmetic, comparison, logic, Where, simple unary math,
// Cast, variadic Sum/Mean/Max/Min) on constant inputs; std::nullopt when the
// op is not one of them. `inputs` has nullptr for omitted inputs.
std::optional<std::vector<Tensor>> fold_elementwise(const Node& node,
                                                    const std::vector<const Tensor*>& inputs);

// Building blocks the op converters use when their inputs are constant.
Tensor fold_transpose(const Tensor& x, const std::vector<int64_t>& perm);
Tensor fold_concat(const std::vector<const Tensor*>& parts, int64_t axis);
// numpy.take along `axis`; indices may be negative. Error(kInvalidModel) out of range.
Tensor fold_gather(const Node& node, const Tensor& data, const Tensor& indices, int64_t axis);
// One strided window per axis: start, step and element count.
struct AxisSlice {
  int64_t start = 0, step = 1, count = 0;
};
Tensor fold_slice(const Tensor& x, const std::vector<AxisSlice>& window);
Tensor fold_expand(const Tensor& x, const Dims& shape);  // shape already broadcast

// For every index of an N-d shape, the flat index into a tensor broadcast to it.
std::vector<int64_t> broadcast_index(const Dims& from, const Dims& to);

}  // namespace morel::onnxc
