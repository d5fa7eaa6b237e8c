#include "kernels/reference/activation.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

// Elements per parallel work item of the flat loops.
constexpr int64_t kChunk = 16384;

float sigmoid(float x) {
  return 1.f / (1.f + std::exp(-x));
}

// log(1 + exp(x)), written so that exp() never overflows.
float softplus(float x) {
  return std::max(x, 0.f) + std::log1p(std::exp(-std::fabs(x)));
}

}  // namespace

float activate(Activation kind, float x, float alpha, float beta) {
  switch (kind) {
    case Activation::kLinear: return alpha * x + beta;
    case Activation::kReLU: return x > 0.f ? x : 0.f;
    case Activation::kLeakyReLU: return x >= 0.f ? x : alpha * x;
    case Activation::kThresholdedReLU: return x >= alpha ? x : 0.f;
    case Activation::kPReLU: return x >= 0.f ? x : alpha * x;
    case Activation::kTanh: return std::tanh(x);
    case Activation::kScaledTanh: return alpha * std::tanh(beta * x);
    case Activation::kSigmoid: return sigmoid(x);
    case Activation::kSigmoidHard: return std::min(std::max(alpha * x + beta, 0.f), 1.f);
    case Activation::kELU: return x >= 0.f ? x : alpha * std::expm1(x);
    case Activation::kSoftsign: return x / (1.f + std::fabs(x));
    case Activation::kSoftplus: return softplus(x);
    case Activation::kParametricSoftplus: return alpha * softplus(beta * x);
    case Activation::kGeluExact: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));
    case Activation::kGeluTanh: {
      const float k = 0.79788456080286536f;  // sqrt(2 / pi)
      return 0.5f * x * (1.f + std::tanh(k * (x + 0.044715f * x * x * x)));
    }
    case Activation::kGeluSigmoid: return x * sigmoid(1.702f * x);
    case Activation::kClip: return std::min(std::max(x, alpha), beta);
    case Activation::kClampedReLU: return std::min(beta, x >= 0.f ? x : alpha * x);
    case Activation::kSwish: return x * sigmoid(x);
  }
  return x;
}

void activation(const ActivationParams& p, const float* x, float* y, int64_t outer,
                int64_t channels, int64_t inner, int threads) {
  const int64_t count = outer * channels * inner;
  const bool per_channel = p.channel_alpha_count > 1 || p.channel_beta_count > 1;
  auto channel_value = [](const float* values, int64_t n, int64_t c, float fallback) {
    if (n == 0) return fallback;
    return values[n == 1 ? 0 : c];
  };
  const int64_t chunks = (count + kChunk - 1) / kChunk;
  parallel_for(threads, chunks, [&](int64_t chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(count, begin + kChunk);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t c = per_channel ? (i / inner) % channels : 0;
      const float a = channel_value(p.channel_alpha, p.channel_alpha_count, c, p.alpha);
      const float b = channel_value(p.channel_beta, p.channel_beta_count, c, p.beta);
      y[i] = activate(p.kind, x[i], a, b);
    }
  });
}

}  // namespace morel::kernels::reference
