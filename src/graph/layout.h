// Memory layouts of tensor values. Shapes are always logical (the format's
// [..., C, H, W]); a value's layout says how its elements are stored:
//   kPlain         row-major over the logical shape;
//   kChannelsLast  row-major over the shape with its last three axes taken as
//                  [H, W, C] ("NHWC"), the order convolution libraries run
//                  fastest on. A value of rank < 3 is seen with leading 1s
//                  added, so that both layouts store it the same way.
// The layout pass (graph/passes/layout.cpp) picks channels-last for regions
// of ops that can work on it and inserts reorders at their borders.
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::graph {

enum class Layout : uint8_t { kPlain, kChannelsLast };

// How an op can work on channels-last data.
enum class LayoutSupport : uint8_t {
  kNone,  // plain only
  // Correct on channels-last data as it is, when every view run() gets carries
  // the channels-last shape (channels_last_shape()): element-wise maps and
  // broadcasting maps, which treat all axes alike. The runtime passes those
  // shapes; the op needs no change.
  kPermutable,
  // The op handles it itself once set_channels_last() was called; its views
  // keep their logical shapes.
  kNative,
};

// The shape whose row-major order is the channels-last storage of `logical`:
// [..., C, H, W] -> [..., H, W, C], after padding to rank 3 with leading 1s.
Shape channels_last_shape(const Shape& logical);

// Where logical axis `axis` (non-negative, of a rank-`rank` tensor, rank >= 3)
// lies in channels_last_shape().
int channels_last_axis(int axis, int rank);

// True when both layouts store a tensor of this shape identically (C == 1, or
// H == W == 1, or rank < 3), so a reorder is a no-op.
bool layouts_agree(const Shape& logical);

// Channels-last [outer, C, H*W] views: outer = product of the leading axes.
struct ChannelPlanes {
  int64_t outer = 1, channels = 1, spatial = 1;
};
ChannelPlanes channel_planes(const Shape& logical);

}  // namespace morel::graph
