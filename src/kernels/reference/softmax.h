// Reference kernel for the softmax family.
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

// Softmax along the middle axis of a contiguous tensor seen as
// [outer, n, inner]: for every (o, i), y[o, :, i] = exp(x[o, :, i]) / sum(exp(x[o, :, i])).
// y may be the same as x.
void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, int threads);

}  // namespace morel::kernels::reference
