// Sum, mean, max and min over one contiguous run of axes, as plain
// vectorizable loops: the input seen as [outer, reduced, inner]. Global
// average pooling written as reduceMean (torchvision's ShuffleNet and others)
// is the common case. Other reductions and axis sets are left to the
// reference kernel, which handles any.
#pragma once

#include <cstdint>
#include <memory>

#include "kernels/cpu/kernel.h"
#include "kernels/reference/reduce.h"
#include "morel/shape.h"

namespace morel::kernels::cpu {

// The kernel for reducing the axes in `axis_mask` of `shape`, or null when
// the op or the axes are not one of the fast cases.
std::unique_ptr<Kernel> prepare_reduce(reference::ReduceOp op, const Shape& shape,
                                       uint32_t axis_mask);

}  // namespace morel::kernels::cpu
