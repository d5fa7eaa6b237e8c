// Reference kernels of the transpose family: axis permutation and the
// space/depth reorganizations. Plain loops over contiguous float32; these are
// the oracle faster kernels are tested against.
#pragma once

#include <cstdint>
#include <span>

#include "morel/shape.h"

namespace morel::kernels::reference {

// out = `in` (shape `in_shape`) with its axes permuted: output axis i is input
// axis perm[i], so the output shape is [in_shape[perm[0]], in_shape[perm[1]], ...].
// perm must be a permutation of [0, rank).
void transpose(const float* in, const Shape& in_shape, std::span<const int> perm, float* out,
               int threads);

// Channel shuffle of an [outer, C, S] tensor in `groups` groups (C = groups * k):
// output channel j * groups + i is input channel i * k + j, the result of
// reshaping C to [groups, k], transposing those two axes and merging them back
// (ShuffleNet's channel shuffle). Plain storage moves whole S-planes;
// channels-last storage ([outer, S, C]) shuffles within each pixel.
void channel_shuffle(const float* in, float* out, int64_t outer, int64_t groups, int64_t channels,
                     int64_t spatial, int threads);
void channel_shuffle_channels_last(const float* in, float* out, int64_t outer, int64_t groups,
                                   int64_t channels, int64_t spatial, int threads);

enum class Reorganize {
  kSpaceToDepth,  // [C, H, W] -> [C*b*b, H/b, W/b], block offset (i, j) major
  kDepthToSpace,  // inverse of kSpaceToDepth
  kPixelShuffle,  // [C*b*b, H, W] -> [C, H*b, W*b], channel major (PyTorch order)
};

struct ReorganizeParams {
  Reorganize mode = Reorganize::kSpaceToDepth;
  int64_t block = 2;     // blockSize b
  int64_t items = 1;     // independent [C, H, W] items (product of the leading axes)
  int64_t channels = 1;  // input C
  int64_t height = 1;    // input H
  int64_t width = 1;     // input W
};

// Index rules (c, h, w: output coordinates unless said otherwise; i, j: the
// position inside a b x b block; C_out = C / (b*b) for the depth-to-space modes):
//   kSpaceToDepth: out[(i*b + j)*C + c, h, w] = in[c, h*b + i, w*b + j]
//   kDepthToSpace: out[c, h*b + i, w*b + j]   = in[(i*b + j)*C_out + c, h, w]
//   kPixelShuffle: out[c, h*b + i, w*b + j]   = in[(c*b + i)*b + j, h, w]
void reorganize_data(const ReorganizeParams& p, const float* in, float* out, int threads);

}  // namespace morel::kernels::reference
