// Reference kernels for the padding family: padding (last two axes, constant,
// reflection or replication) and constantPad (any axes, constant).
#pragma once

#include <array>
#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

enum class PadMode {
  kConstant,   // fill the border with `value`
  kReflect,    // mirror around the edge element, which is not repeated (numpy 'reflect')
  kReplicate,  // repeat the edge element (numpy 'edge')
};

// Pads each of `planes` [h, w] images to [h + top + bottom, w + left + right].
// kReflect needs top, bottom < h and left, right < w (the caller checks).
struct Pad2d {
  PadMode mode = PadMode::kConstant;
  float value = 0.f;
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

void pad_2d(const Pad2d& p, const float* in, int64_t planes, int64_t h, int64_t w, float* out,
            int threads);

// Places the input inside a larger output filled with `value`: input element
// (i_0, ...) lands at output element (before_0 + i_0, ...). Same rank >= 1;
// output[a] >= before[a] + input[a] (the caller checks).
struct ConstantPadNd {
  Shape input;
  Shape output;
  std::array<int64_t, kMaxRank> before{};
  float value = 0.f;
};

void constant_pad_nd(const ConstantPadNd& p, const float* in, float* out, int threads);

}  // namespace morel::kernels::reference
