// oneDNN pooling (2-D max and average) on plain or channels-last data.
#pragma once

#include <memory>
#include <span>

#include "kernels/cpu/primitive_kernel.h"
#include "kernels/reference/pooling.h"

namespace morel::kernels::cpu {

// The kernel for pooling `items` images of `channels` channels, or null when
// oneDNN cannot compute exactly what the reference kernel defines (L2
// pooling; an average whose last window hangs past the padded input).
std::unique_ptr<Kernel> prepare_pooling(const reference::PoolParams& p, int64_t items,
                                        int64_t channels, bool channels_last);

// Pooling an input that arrives as inputs 0..n-1, consecutive runs of
// `part_channels` channels of it (the concatenation the graph no longer
// stores): each part is pooled into the workspace, and the pooled parts (a
// quarter of the data, for a 3x3 window with stride 2) are joined into the
// output. Null when a part has no oneDNN kernel.
std::unique_ptr<Kernel> prepare_pooling_parts(const reference::PoolParams& p, int64_t items,
                                              std::span<const int64_t> part_channels,
                                              bool channels_last);

}  // namespace morel::kernels::cpu
