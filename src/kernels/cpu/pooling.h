// oneDNN pooling (2-D max and average) on plain or channels-last data.
#pragma once

#include <memory>

#include "kernels/cpu/primitive_kernel.h"
#include "kernels/reference/pooling.h"

namespace morel::kernels::cpu {

// The kernel for pooling `items` images of `channels` channels, or null when
// oneDNN cannot compute exactly what the reference kernel defines (L2
// pooling; an average whose last window hangs past the padded input).
std::unique_ptr<Kernel> prepare_pooling(const reference::PoolParams& p, int64_t items,
                                        int64_t channels, bool channels_last);

}  // namespace morel::kernels::cpu
