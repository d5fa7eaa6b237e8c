// The op converters: one function per ONNX op type (default domain), grouped
// by family in their own files. A converter reads its node's inputs from the
// context, emits Core ML layers, and defines every output it produces.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "convert/onnx/context.h"
#include "convert/onnx/emit.h"
#include "convert/onnx/fold.h"

namespace morel::onnxc {

using OpConverter = void (*)(Context& cx, const Node& node);
using OpTable = std::map<std::string, OpConverter>;

// Every built-in converter, by op type.
const OpTable& builtin_ops();

void register_conv_ops(OpTable& t);           // conv.cpp
void register_pool_ops(OpTable& t);           // pool.cpp
void register_normalization_ops(OpTable& t);  // normalization.cpp
void register_activation_ops(OpTable& t);     // activation.cpp
void register_elementwise_ops(OpTable& t);    // elementwise.cpp
void register_matmul_ops(OpTable& t);         // matmul.cpp
void register_reduce_ops(OpTable& t);         // reduce.cpp
void register_softmax_ops(OpTable& t);        // softmax.cpp
void register_shape_ops(OpTable& t);          // shape_ops.cpp
void register_indexing_ops(OpTable& t);       // indexing.cpp
void register_resize_ops(OpTable& t);         // resize.cpp
void register_constant_ops(OpTable& t);       // constant_ops.cpp
void register_recurrent_ops(OpTable& t);      // recurrent.cpp

// --- helpers shared by the families --------------------------------------

// Define output `i` of the node as held by `blob` with the given ONNX shape.
inline void define_output(Context& cx, const Node& node, int i, const std::string& blob, int dtype,
                          const Dims& shape) {
  cx.define(node, node.output(i), blob, dtype, shape);
}
// A hint for an intermediate blob of this node.
inline std::string hint(const Node& node, const std::string& what) {
  return node.output(0) + "/" + what;
}
// An axis in [-rank, rank) made non-negative; Error(kInvalidModel) otherwise.
int64_t norm_axis(const Node& node, int64_t axis, int64_t rank, const std::string& what = "axis");
std::vector<int64_t> norm_axes(const Node& node, std::vector<int64_t> axes, int64_t rank,
                               const std::string& what = "axes");
// NumPy broadcast of two shapes; Error(kInvalidModel) naming the node.
Dims broadcast(const Node& node, const Dims& a, const Dims& b);
// The input shape with `rank` leading... (pads with leading 1s to `rank`).
Dims pad_left(const Dims& s, size_t rank);

}  // namespace morel::onnxc
