// Reference kernels of the concat/split family. A tensor is seen as
// [outer, size, inner] around the axis being joined or cut: outer is the
// product of the dimensions before the axis, inner of those after it.
#pragma once

#include <cstdint>
#include <span>

namespace morel::kernels::reference {

struct AxisSplit {
  int64_t outer = 1;
  int64_t inner = 1;
};

// Concatenation: input i ([outer, sizes[i], inner]) fills rows
// [sum(sizes[:i]), sum(sizes[:i+1])) of the output ([outer, sum(sizes), inner]).
void concat(const AxisSplit& p, std::span<const float* const> inputs,
            std::span<const int64_t> sizes, float* out, int threads);

// Interleaving concatenation of n equally shaped inputs ([outer, size, inner]):
// out[o, k*n + i, :] = input_i[o, k, :] (output [outer, size*n, inner]).
void concat_interleave(const AxisSplit& p, std::span<const float* const> inputs, int64_t size,
                       float* out, int threads);

// Split: output i ([outer, sizes[i], inner]) takes rows
// [sum(sizes[:i]), sum(sizes[:i+1])) of the input ([outer, sum(sizes), inner]).
void split(const AxisSplit& p, const float* in, std::span<const int64_t> sizes,
           std::span<float* const> outputs, int threads);

}  // namespace morel::kernels::reference
