// Reference kernels for the activation family: element-wise nonlinearities,
// a few with one parameter per channel (axis -3).
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

enum class Activation {
  kLinear,              // alpha * x + beta
  kReLU,                // max(0, x)
  kLeakyReLU,           // x >= 0 ? x : alpha * x
  kThresholdedReLU,     // x >= alpha ? x : 0
  kPReLU,               // x >= 0 ? x : alpha[c] * x
  kTanh,                // tanh(x)
  kScaledTanh,          // alpha * tanh(beta * x)
  kSigmoid,             // 1 / (1 + exp(-x))
  kSigmoidHard,         // min(max(alpha * x + beta, 0), 1)
  kELU,                 // x >= 0 ? x : alpha * (exp(x) - 1)
  kSoftsign,            // x / (1 + |x|)
  kSoftplus,            // log(1 + exp(x))
  kParametricSoftplus,  // alpha[c] * log(1 + exp(beta[c] * x))
  kGeluExact,           // 0.5 * x * (1 + erf(x / sqrt(2)))
  kGeluTanh,            // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
  kGeluSigmoid,         // x * sigmoid(1.702 * x)
  kClip,                // min(max(x, alpha), beta)
  kClampedReLU,         // min(beta, x >= 0 ? x : alpha * x)
  kSwish,               // x * sigmoid(x): no layer of its own; what the passes make
                        // of sigmoid followed by a multiply with the same input
};

struct ActivationParams {
  Activation kind = Activation::kReLU;
  float alpha = 0.f;  // scalar parameters of the kinds above
  float beta = 0.f;
  // Per-channel parameters of kPReLU (alpha) and kParametricSoftplus (alpha
  // and beta): each holds either 1 value, shared by every channel, or one
  // value per channel.
  const float* channel_alpha = nullptr;
  int64_t channel_alpha_count = 0;
  const float* channel_beta = nullptr;
  int64_t channel_beta_count = 0;
};

// y = f(x) for a contiguous tensor seen as [outer, channels, inner] (channels
// is axis -3; only the per-channel kinds care). y may be the same as x.
void activation(const ActivationParams& p, const float* x, float* y, int64_t outer,
                int64_t channels, int64_t inner, int threads);

// One value of the nonlinearity, with the channel's parameters already picked
// (for the per-channel kinds, alpha and beta are that channel's values).
float activate(Activation kind, float x, float alpha, float beta);

}  // namespace morel::kernels::reference
