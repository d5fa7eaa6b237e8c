#include "kernels/reference/normalization.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

struct Moments {
  double mean = 0;
  double variance = 0;  // population variance
};

// Mean and variance of n consecutive values (two passes, for accuracy).
Moments moments(const float* x, int64_t n) {
  Moments m;
  if (n == 0) return m;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  m.mean = sum / static_cast<double>(n);
  double squares = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = x[i] - m.mean;
    squares += d * d;
  }
  m.variance = squares / static_cast<double>(n);
  return m;
}

// y = gamma * (x - mean) / sqrt(variance + epsilon) + beta over n consecutive values.
void normalize_run(const float* x, float* y, int64_t n, const Moments& m, double epsilon,
                   double gamma, double beta) {
  const double scale = gamma / std::sqrt(m.variance + epsilon);
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>((x[i] - m.mean) * scale + beta);
}

}  // namespace

void batchnorm(const BatchnormParams& p, const float* x, float* y, int threads) {
  const int64_t C = p.channels, inner = p.inner;
  switch (p.stats) {
    case BatchnormStats::kGiven:
    case BatchnormStats::kPerInstance:
      // Each (item, channel) row normalizes on its own.
      parallel_for(threads, p.outer * C, [&](int64_t row) {
        const int64_t c = row % C;
        const float* xr = x + row * inner;
        Moments m;
        if (p.stats == BatchnormStats::kGiven) {
          m.mean = p.mean[c];
          m.variance = p.variance[c];
        } else {
          m = moments(xr, inner);
        }
        normalize_run(xr, y + row * inner, inner, m, p.epsilon, p.gamma[c], p.beta[c]);
      });
      return;
    case BatchnormStats::kPerBatch:
      // Each channel gathers its statistics over every item's row of that channel.
      parallel_for(threads, C, [&](int64_t c) {
        const double n = static_cast<double>(p.outer * inner);
        Moments m;
        if (n > 0) {
          double sum = 0;
          for (int64_t o = 0; o < p.outer; ++o)
            for (int64_t i = 0; i < inner; ++i) sum += x[(o * C + c) * inner + i];
          m.mean = sum / n;
          double squares = 0;
          for (int64_t o = 0; o < p.outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
              const double d = x[(o * C + c) * inner + i] - m.mean;
              squares += d * d;
            }
          m.variance = squares / n;
        }
        for (int64_t o = 0; o < p.outer; ++o) {
          const int64_t row = o * C + c;
          normalize_run(x + row * inner, y + row * inner, inner, m, p.epsilon, p.gamma[c],
                        p.beta[c]);
        }
      });
      return;
  }
}

void mvn(const MvnParams& p, const float* x, float* y, int threads) {
  // Groups of consecutive values that share one mean and variance.
  const int64_t size = p.across_channels ? p.channels * p.inner : p.inner;
  const int64_t groups = p.across_channels ? p.outer : p.outer * p.channels;
  parallel_for(threads, groups, [&](int64_t g) {
    const float* xg = x + g * size;
    float* yg = y + g * size;
    const Moments m = moments(xg, size);
    if (p.normalize_variance) {
      normalize_run(xg, yg, size, m, p.epsilon, 1.0, 0.0);
    } else {
      for (int64_t i = 0; i < size; ++i) yg[i] = static_cast<float>(xg[i] - m.mean);
    }
  });
}

void l2_normalize(const float* x, float* y, int64_t outer, int64_t size, float epsilon,
                  int threads) {
  parallel_for(threads, outer, [&](int64_t g) {
    const float* xg = x + g * size;
    float* yg = y + g * size;
    double squares = 0;
    for (int64_t i = 0; i < size; ++i) squares += double(xg[i]) * xg[i];
    const double norm = std::sqrt(squares + epsilon);
    for (int64_t i = 0; i < size; ++i) yg[i] = static_cast<float>(xg[i] / norm);
  });
}

void lrn(const LrnParams& p, const float* x, float* y, int threads) {
  const int64_t C = p.channels, inner = p.inner, half = p.local_size / 2;
  const double scale = double(p.alpha) / double(p.local_size);
  parallel_for(threads, p.outer * C, [&](int64_t row) {
    const int64_t o = row / C, c = row % C;
    const int64_t first = std::max<int64_t>(0, c - half), last = std::min(C - 1, c + half);
    for (int64_t i = 0; i < inner; ++i) {
      double squares = 0;
      for (int64_t j = first; j <= last; ++j) {
        const double v = x[(o * C + j) * inner + i];
        squares += v * v;
      }
      const double denominator = std::pow(p.k + scale * squares, double(p.beta));
      y[row * inner + i] = static_cast<float>(x[row * inner + i] / denominator);
    }
  });
}

void layer_norm(const LayerNormParams& p, const float* x, float* y, int threads) {
  parallel_for(threads, p.outer, [&](int64_t g) {
    const float* xg = x + g * p.size;
    float* yg = y + g * p.size;
    const Moments m = moments(xg, p.size);
    const double inv = 1.0 / std::sqrt(m.variance + p.epsilon);
    for (int64_t i = 0; i < p.size; ++i)
      yg[i] = static_cast<float>((xg[i] - m.mean) * inv * p.gamma[i] + p.beta[i]);
  });
}

}  // namespace morel::kernels::reference
