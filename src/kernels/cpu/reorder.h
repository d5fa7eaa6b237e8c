// Plain <-> channels-last reorders as oneDNN reorder primitives (jitted
// transposes), for the layout pass's border nodes.
#pragma once

#include <memory>

#include "kernels/cpu/kernel.h"

namespace morel::kernels::cpu {

// Reorders output 0 = input 0 of [outer, channels, spatial] into the other
// layout; null when oneDNN has no fast reorder for it.
std::unique_ptr<Kernel> prepare_reorder(int64_t outer, int64_t channels, int64_t spatial,
                                        bool to_channels_last);

}  // namespace morel::kernels::cpu
