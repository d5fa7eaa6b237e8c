// Reference kernels of the reshape family. Most reshapes keep the row-major
// order of the data and are a plain copy; the legacy channel-last modes
// reorder it.
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

// out[i] = in[i] for i < count (nothing to do when both are the same memory).
void copy(const float* in, int64_t count, float* out);

// Legacy rank-5 reshape, done on each Batch item on its own:
// [seq, batch, c, h, w] -> [out_seq, batch, out_c, out_h, out_w], where
// seq*c*h*w == out_seq*out_c*out_h*out_w.
// Channel-first: each item's values are read as one row-major stream over
// (s, c, h, w) and written back in (s', c', h', w') order.
// Channel-last: the stream runs over (s, h, w, c) and is written back in
// (s', h', w', c') order, i.e. each sequence step is taken in HWC order on
// both sides.
struct Rank5Reshape {
  int64_t seq = 1, batch = 1, c = 1, h = 1, w = 1;
  int64_t out_seq = 1, out_c = 1, out_h = 1, out_w = 1;
  bool channel_last = false;
};
void reshape_rank5(const Rank5Reshape& p, const float* in, float* out, int threads);

// Each of `items` [c, h, w] blocks flattened to c*h*w values in channel-last
// order: out[(y*w + x)*c + k] = in[(k*h + y)*w + x].
void flatten_channel_last(int64_t items, int64_t c, int64_t h, int64_t w, const float* in,
                          float* out, int threads);

}  // namespace morel::kernels::reference
