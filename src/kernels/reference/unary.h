// Reference kernels for the unary family: element-wise functions of one
// value, with the legacy layer's optional scale and shift of the input.
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

enum class UnaryFunction {
  // UnaryFunctionLayerParams (applied to scale * x + shift).
  kSqrt,       // sqrt(x)
  kRsqrt,      // 1 / sqrt(x + epsilon)
  kInverse,    // 1 / (x + epsilon)
  kPower,      // x ^ alpha
  kExp,        // e ^ x
  kLog,        // ln(x)
  kAbs,        // |x|
  kThreshold,  // max(alpha, x)
  // The N-d element-wise layers.
  kCeil,
  kFloor,
  kSign,   // -1, 0 or +1 (NaN stays NaN)
  kRound,  // nearest integer, halfway cases to even
  kExp2,   // 2 ^ x
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kTanh,
  kAsinh,
  kAcosh,
  kAtanh,
  kErf,
};

struct UnaryParams {
  UnaryFunction kind = UnaryFunction::kAbs;
  float scale = 1.f;  // the input is first mapped to scale * x + shift
  float shift = 0.f;
  float alpha = 0.f;      // kPower exponent, kThreshold floor
  float epsilon = 1e-6f;  // kRsqrt, kInverse
};

// y[i] = f(scale * x[i] + shift) over `count` values; y may be the same as x.
void unary(const UnaryParams& p, const float* x, float* y, int64_t count, int threads);

// f(v) for one value already scaled and shifted.
float unary_value(const UnaryParams& p, float v);

}  // namespace morel::kernels::reference
