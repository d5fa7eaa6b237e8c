#include "kernels/reference/reshape.h"

#include <cstring>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

void copy(const float* in, int64_t count, float* out) {
  if (in == out || count <= 0) return;
  std::memcpy(out, in, static_cast<size_t>(count) * sizeof(float));
}

void reshape_rank5(const Rank5Reshape& p, const float* in, float* out, int threads) {
  const int64_t step_size = p.c * p.h * p.w;                  // one input sequence step
  const int64_t out_step_size = p.out_c * p.out_h * p.out_w;  // one output sequence step

  // One task per (output sequence step, batch item).
  parallel_for(threads, p.out_seq * p.batch, [&](int64_t task) {
    const int64_t so = task / p.batch, b = task % p.batch;
    float* dst = out + task * out_step_size;
    for (int64_t c = 0; c < p.out_c; ++c)
      for (int64_t y = 0; y < p.out_h; ++y)
        for (int64_t x = 0; x < p.out_w; ++x) {
          // Position of this output value in the item's stream.
          const int64_t within =
              p.channel_last ? (y * p.out_w + x) * p.out_c + c : (c * p.out_h + y) * p.out_w + x;
          const int64_t pos = so * out_step_size + within;
          // The input value at that stream position.
          const int64_t s = pos / step_size, r = pos % step_size;
          int64_t offset;  // within input step (s, b), channel-first as stored
          if (p.channel_last) {
            const int64_t k = r % p.c, xi = (r / p.c) % p.w, yi = r / (p.c * p.w);
            offset = (k * p.h + yi) * p.w + xi;
          } else {
            offset = r;
          }
          dst[(c * p.out_h + y) * p.out_w + x] = in[(s * p.batch + b) * step_size + offset];
        }
  });
}

void flatten_channel_last(int64_t items, int64_t c, int64_t h, int64_t w, const float* in,
                          float* out, int threads) {
  const int64_t item_size = c * h * w;
  parallel_for(threads, items, [&](int64_t n) {
    const float* x = in + n * item_size;
    float* y = out + n * item_size;
    for (int64_t row = 0; row < h; ++row)
      for (int64_t col = 0; col < w; ++col)
        for (int64_t k = 0; k < c; ++k) y[(row * w + col) * c + k] = x[(k * h + row) * w + col];
  });
}

}  // namespace morel::kernels::reference
