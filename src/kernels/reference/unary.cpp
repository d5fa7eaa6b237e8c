#include "kernels/reference/unary.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

// Elements per parallel work item.
constexpr int64_t kChunk = 16384;

// Nearest integer; a value exactly halfway between two integers goes to the
// even one (like numpy.round and torch.round).
float round_half_to_even(float v) {
  if (std::fabs(v - std::trunc(v)) == 0.5f) return 2.f * std::round(v / 2.f);
  return std::round(v);
}

}  // namespace

float unary_value(const UnaryParams& p, float v) {
  switch (p.kind) {
    case UnaryFunction::kSqrt: return std::sqrt(v);
    case UnaryFunction::kRsqrt: return 1.f / std::sqrt(v + p.epsilon);
    case UnaryFunction::kInverse: return 1.f / (v + p.epsilon);
    case UnaryFunction::kPower: return std::pow(v, p.alpha);
    case UnaryFunction::kExp: return std::exp(v);
    case UnaryFunction::kLog: return std::log(v);
    case UnaryFunction::kAbs: return std::fabs(v);
    case UnaryFunction::kThreshold: return std::max(p.alpha, v);
    case UnaryFunction::kCeil: return std::ceil(v);
    case UnaryFunction::kFloor: return std::floor(v);
    case UnaryFunction::kSign: return v > 0.f ? 1.f : v < 0.f ? -1.f : v;  // keeps 0 and NaN
    case UnaryFunction::kRound: return round_half_to_even(v);
    case UnaryFunction::kExp2: return std::exp2(v);
    case UnaryFunction::kSin: return std::sin(v);
    case UnaryFunction::kCos: return std::cos(v);
    case UnaryFunction::kTan: return std::tan(v);
    case UnaryFunction::kAsin: return std::asin(v);
    case UnaryFunction::kAcos: return std::acos(v);
    case UnaryFunction::kAtan: return std::atan(v);
    case UnaryFunction::kSinh: return std::sinh(v);
    case UnaryFunction::kCosh: return std::cosh(v);
    case UnaryFunction::kTanh: return std::tanh(v);
    case UnaryFunction::kAsinh: return std::asinh(v);
    case UnaryFunction::kAcosh: return std::acosh(v);
    case UnaryFunction::kAtanh: return std::atanh(v);
    case UnaryFunction::kErf: return std::erf(v);
  }
  return v;
}

void unary(const UnaryParams& p, const float* x, float* y, int64_t count, int threads) {
  const int64_t chunks = (count + kChunk - 1) / kChunk;
  parallel_for(threads, chunks, [&](int64_t chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(count, begin + kChunk);
    for (int64_t i = begin; i < end; ++i) y[i] = unary_value(p, p.scale * x[i] + p.shift);
  });
}

}  // namespace morel::kernels::reference
