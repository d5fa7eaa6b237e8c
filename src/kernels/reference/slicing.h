// Reference kernels for the slicing family (crop, slice, sliceStatic,
// sliceBySize, sliceDynamic): all of them copy a strided window of the input.
#pragma once

#include <array>
#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

// A strided window of a tensor. Output element (i_0, ..., i_{r-1}) is input
// element (begin_0 + i_0 * step_0, ..., begin_{r-1} + i_{r-1} * step_{r-1}).
// Input and output have the same rank r >= 1. Steps may be negative. The
// caller guarantees that every index the window touches lies inside the input.
struct StridedWindow {
  Shape input;
  Shape output;
  std::array<int64_t, kMaxRank> begin{};
  std::array<int64_t, kMaxRank> step{};
};

void strided_window(const StridedWindow& w, const float* in, float* out, int threads);

}  // namespace morel::kernels::reference
