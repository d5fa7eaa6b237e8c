#include "kernels/reference/padding.h"

#include "kernels/parallel.h"

namespace morel::kernels::reference {

namespace {

// The source index for padded position `i` (which may lie outside [0, n)),
// or -1 where the constant fills in.
int64_t source_index(PadMode mode, int64_t i, int64_t n) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kReflect: return i < 0 ? -i : 2 * (n - 1) - i;
    case PadMode::kReplicate: return i < 0 ? 0 : n - 1;
  }
  return -1;
}

}  // namespace

void pad_2d(const Pad2d& p, const float* in, int64_t planes, int64_t h, int64_t w, float* out,
            int threads) {
  const int64_t oh = h + p.top + p.bottom;
  const int64_t ow = w + p.left + p.right;
  // One output row of one plane per iteration.
  parallel_for(threads, planes * oh, [&](int64_t r) {
    const int64_t plane = r / oh;
    const int64_t sy = source_index(p.mode, r % oh - p.top, h);
    float* dst = out + r * ow;
    if (sy < 0) {
      for (int64_t x = 0; x < ow; ++x) dst[x] = p.value;
      return;
    }
    const float* src = in + (plane * h + sy) * w;
    for (int64_t x = 0; x < ow; ++x) {
      const int64_t sx = source_index(p.mode, x - p.left, w);
      dst[x] = sx < 0 ? p.value : src[sx];
    }
  });
}

void constant_pad_nd(const ConstantPadNd& p, const float* in, float* out, int threads) {
  const int rank = p.output.rank();
  const std::array<int64_t, kMaxRank> in_strides = strides_of(p.input);
  const int64_t row_len = p.output[rank - 1];
  const int64_t rows = p.output.count(0, rank - 1);

  // One output row (all axes but the last fixed) per iteration.
  parallel_for(threads, rows, [&](int64_t row) {
    float* dst = out + row * row_len;
    // Find the input row this output row shows, if any.
    bool inside = true;
    int64_t offset = 0;
    int64_t rest = row;
    for (int axis = rank - 2; axis >= 0; --axis) {
      const int64_t i = rest % p.output[axis] - p.before[axis];
      rest /= p.output[axis];
      if (i < 0 || i >= p.input[axis]) inside = false;
      offset += i * in_strides[axis];
    }
    for (int64_t x = 0; x < row_len; ++x) {
      const int64_t ix = x - p.before[rank - 1];
      dst[x] = inside && ix >= 0 && ix < p.input[rank - 1] ? in[offset + ix] : p.value;
    }
  });
}

}  // namespace morel::kernels::reference
