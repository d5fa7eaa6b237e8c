// Reference pooling kernels (max, average, L2) over contiguous float32. They
// always work on three spatial axes [D, H, W]; 2-D pooling passes D = 1 with a
// depth kernel and stride of 1.
//
// These loops are the oracle faster kernels are tested against: they favour
// being obviously right over being fast.
#pragma once

#include <array>
#include <cstdint>

namespace morel::kernels::reference {

enum class PoolType {
  kMax,      // largest input cell of the window; padding never wins
  kAverage,  // sum of the input cells / divisor (see exclude_padding)
  kL2,       // sqrt(sum of the squared input cells); padding adds nothing
};

struct PoolParams {
  PoolType type = PoolType::kMax;
  std::array<int64_t, 3> in_size{1, 1, 1};   // [D, H, W]
  std::array<int64_t, 3> out_size{1, 1, 1};  // [D, H, W]
  std::array<int64_t, 3> kernel{1, 1, 1};
  std::array<int64_t, 3> stride{1, 1, 1};
  std::array<int64_t, 3> pad_before{0, 0, 0};
  std::array<int64_t, 3> pad_after{0, 0, 0};
  // Average: divide by the number of real input cells in the window instead
  // of the number of cells inside the padded input.
  bool exclude_padding = false;
};

// Where the window of output position `o` along `axis` falls: input cells
// [begin, end) are real, `padded` counts its cells inside the padded input
// [-pad_before, in + pad_after). A window reaching past the padded input (a
// ceil-mode last window) is clipped there and its outside part is not counted.
struct PoolWindow {
  int64_t begin = 0, end = 0;
  int64_t padded = 0;
};
PoolWindow pool_window(const PoolParams& p, int axis, int64_t o);

// Pool `planes` independent [D, H, W] planes (items x channels) of `input`
// into [oD, oH, oW] planes of `output`. Every window must hold at least one
// real input cell (max) or one cell to divide by (average); callers check.
void pooling(const PoolParams& p, int64_t planes, const float* input, float* output, int threads);

}  // namespace morel::kernels::reference
