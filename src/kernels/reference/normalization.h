// Reference kernels for the normalization family: batch / instance norm,
// mean-variance normalization, L2 normalization, local response
// normalization and layer normalization. Tensors are contiguous float32;
// "[outer, channels, inner]" views a tensor around its channel axis (-3),
// with every leading axis folded into outer and H * W into inner. Means and
// variances are accumulated in double; variances are population variances
// (divided by the number of values).
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

enum class BatchnormStats {
  kGiven,        // mean and variance come from the layer's weights
  kPerBatch,     // per channel, over every item and position (outer and inner)
  kPerInstance,  // per item and channel, over the positions (inner)
};

struct BatchnormParams {
  int64_t outer = 1, channels = 1, inner = 1;
  BatchnormStats stats = BatchnormStats::kGiven;
  float epsilon = 1e-5f;
  const float* gamma = nullptr;     // channels values
  const float* beta = nullptr;      // channels values
  const float* mean = nullptr;      // channels values, kGiven only
  const float* variance = nullptr;  // channels values, kGiven only
};

// y = gamma[c] * (x - mean) / sqrt(variance + epsilon) + beta[c].
void batchnorm(const BatchnormParams& p, const float* x, float* y, int threads);

struct MvnParams {
  int64_t outer = 1, channels = 1, inner = 1;
  bool across_channels = false;     // statistics over [channels, inner] instead of [inner]
  bool normalize_variance = false;  // false: only subtract the mean
  float epsilon = 1e-6f;
};

// y = (x - mean) / sqrt(variance + epsilon), or y = x - mean.
void mvn(const MvnParams& p, const float* x, float* y, int threads);

// For each of `outer` groups of `size` consecutive values:
// y = x / sqrt(sum(x^2) + epsilon).
void l2_normalize(const float* x, float* y, int64_t outer, int64_t size, float epsilon,
                  int threads);

struct LrnParams {
  int64_t outer = 1, channels = 1, inner = 1;
  int64_t local_size = 1;  // odd: the window is centred on the channel
  float alpha = 0.f, beta = 0.f, k = 1.f;
};

// y[c] = x[c] / (k + alpha / local_size * sum(x[j]^2))^beta, the sum over the
// channels j within local_size / 2 of c (clipped at the edges), per position.
void lrn(const LrnParams& p, const float* x, float* y, int threads);

struct LayerNormParams {
  int64_t outer = 1, size = 1;  // `outer` groups of `size` consecutive values
  float epsilon = 0.f;
  const float* gamma = nullptr;  // size values
  const float* beta = nullptr;   // size values
};

// y[i] = (x[i] - mean) / sqrt(variance + epsilon) * gamma[i] + beta[i], per group.
void layer_norm(const LayerNormParams& p, const float* x, float* y, int threads);

}  // namespace morel::kernels::reference
