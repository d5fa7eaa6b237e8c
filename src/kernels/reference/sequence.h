// Reference kernels of the sequence family: tiling, flipping axes, and
// reversing variable-length sequences. Plain loops over contiguous float32.
#pragma once

#include <cstdint>
#include <span>

#include "morel/shape.h"

namespace morel::kernels::reference {

// NumPy tile with equal ranks: out_shape[a] is a multiple of in_shape[a], and
// out[index] = in[index[a] % in_shape[a] for each axis a].
void tile(const float* in, const Shape& in_shape, const Shape& out_shape, float* out, int threads);

// out[index] = in[index with axis a mirrored (d - 1 - index[a]) wherever flip[a]].
void reverse(const float* in, const Shape& shape, std::span<const bool> flip, float* out,
             int threads);

// For each item b along batch_axis, the first lengths[b] entries along
// seq_axis are reversed and the rest copied:
//   out[..., b, ..., s, ...] = in[..., b, ..., lengths[b] - 1 - s, ...] for s < lengths[b],
//   out[..., b, ..., s, ...] = in[..., b, ..., s, ...] otherwise.
// lengths has shape[batch_axis] entries, each in [0, shape[seq_axis]].
void reverse_sequence(const float* in, const Shape& shape, int batch_axis, int seq_axis,
                      std::span<const int64_t> lengths, float* out, int threads);

}  // namespace morel::kernels::reference
