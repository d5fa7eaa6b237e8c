// Helpers that append one common Core ML layer and return the blob it
// writes. The blob (and layer) are named after `hint`, made unique.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "convert/onnx/context.h"

namespace morel::onnxc {

// A layer reading `inputs`, writing one fresh blob; `fill` sets its params.
std::string emit_layer(Context& cx, const std::string& hint, const std::vector<std::string>& inputs,
                       const std::function<void(spec::NeuralNetworkLayer&)>& fill);

// A constant as a loadConstantND layer (rank 0 as [1]).
std::string emit_constant(Context& cx, const std::string& hint, const Tensor& t);
// A float32 constant of the given values and shape.
std::string emit_constant(Context& cx, const std::string& hint, std::vector<float> values,
                          const Dims& shape);

std::string emit_reshape(Context& cx, const std::string& hint, const std::string& in,
                         const Dims& shape);
std::string emit_transpose(Context& cx, const std::string& hint, const std::string& in,
                           const std::vector<int64_t>& perm);

enum class Binary {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMax,
  kMin,
  kPow,
  kMod,
  kFloorDiv,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kXor,
};
// NumPy-broadcasting binary op (the *Broadcastable / comparison layers).
std::string emit_binary(Context& cx, const std::string& hint, Binary op, const std::string& a,
                        const std::string& b);
// Binary op with a scalar: x op s.
std::string emit_binary_scalar(Context& cx, const std::string& hint, Binary op,
                               const std::string& x, float s);

// The legacy unary layer: f(scale * x + shift).
std::string emit_unary(Context& cx, const std::string& hint, const std::string& in,
                       spec::UnaryFunctionLayerParams::Operation op, float alpha = 0.f,
                       float epsilon = 0.f);
// alpha * x + beta.
std::string emit_linear(Context& cx, const std::string& hint, const std::string& in, float alpha,
                        float beta);
// ReLU, sigmoid, tanh, ... (activation params with nothing to set).
std::string emit_activation(Context& cx, const std::string& hint, const std::string& in,
                            const std::function<void(spec::ActivationParams&)>& fill);

// Reduction over `axes` (non-negative) of the N-d reduce layers.
enum class Reduce { kSum, kMean, kProd, kMax, kMin, kL1, kL2, kLogSum, kSumSquare, kLogSumExp };
std::string emit_reduce(Context& cx, const std::string& hint, const std::string& in, Reduce op,
                        const std::vector<int64_t>& axes, bool keep_dims);

// Truncation toward zero (float -> integer casts): sign(x) * floor(|x|).
std::string emit_trunc(Context& cx, const std::string& hint, const std::string& in);

}  // namespace morel::onnxc
