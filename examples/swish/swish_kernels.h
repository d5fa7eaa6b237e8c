// The arithmetic of Swish, y = x * sigmoid(beta * x), over float arrays:
// a plain per-element loop (the baseline the benchmark compares against)
// and a vectorized one (what the layers run).
#pragma once

#include <cstdint>

namespace swish {

// One element at a time with std::exp, the formula as written:
// x / (1 + e^(-beta x)). Results below about 1e-36 in magnitude come out as
// zero (e^(-beta x) overflows first).
void swish_naive(const float* x, float* y, int64_t n, float beta);

// Sixteen lanes at a time with a polynomial exp, in a form that never
// overflows: within a few float roundings of the exact value for every input,
// subnormal results included. y may equal x; otherwise they must not overlap.
void swish_vectorized(const float* x, float* y, int64_t n, float beta);

}  // namespace swish
