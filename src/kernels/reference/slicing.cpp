#include "kernels/reference/slicing.h"

#include "kernels/parallel.h"

namespace morel::kernels::reference {

void strided_window(const StridedWindow& w, const float* in, float* out, int threads) {
  const int rank = w.output.rank();
  const std::array<int64_t, kMaxRank> in_strides = strides_of(w.input);
  const int64_t row_len = w.output[rank - 1];
  const int64_t rows = w.output.count(0, rank - 1);
  const int64_t last_step = w.step[rank - 1] * in_strides[rank - 1];

  // One output row (all axes but the last fixed) per iteration.
  parallel_for(threads, rows, [&](int64_t row) {
    // Input offset of the row's first element: decompose the row number into
    // output coordinates, from the second-to-last axis outwards.
    int64_t offset = w.begin[rank - 1] * in_strides[rank - 1];
    int64_t rest = row;
    for (int axis = rank - 2; axis >= 0; --axis) {
      const int64_t i = rest % w.output[axis];
      rest /= w.output[axis];
      offset += (w.begin[axis] + i * w.step[axis]) * in_strides[axis];
    }
    float* dst = out + row * row_len;
    for (int64_t x = 0; x < row_len; ++x) dst[x] = in[offset + x * last_step];
  });
}

}  // namespace morel::kernels::reference
