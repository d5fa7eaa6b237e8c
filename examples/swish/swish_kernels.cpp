// Vectorized with GCC/Clang vector extensions, so the same source compiles
// to SSE, AVX2, AVX-512 or NEON; on x86-64 the function is cloned per
// instruction set and the best one is picked when the program starts.
#include "swish_kernels.h"

// The 64-byte vector helpers below are always inlined, so GCC's warning that
// returning such vectors differs between AVX-512 and other targets never
// applies. (Their arguments are references for the same reason.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <cmath>
#include <cstring>

namespace swish {

namespace {

// Helpers are forced inline so that each target clone below gets them in
// its own instruction set.
#define SWISH_INLINE inline __attribute__((always_inline))

constexpr int kLanes = 16;
using Floats = float __attribute__((vector_size(kLanes * sizeof(float))));
using Ints = int32_t __attribute__((vector_size(kLanes * sizeof(int32_t))));

// All lanes v. (Not Floats{} + v: 0 + -0 is +0, and -0 is used below.)
SWISH_INLINE Floats splat(float v) {
  Floats r;
  for (int i = 0; i < kLanes; ++i) r[i] = v;
  return r;
}

// Lane-wise min / max by comparison masks (portable across compilers).
SWISH_INLINE Floats vmin(const Floats& a, const Floats& b) {
  Ints a_lt_b = a < b;
  return reinterpret_cast<Floats>((a_lt_b & reinterpret_cast<Ints>(a)) |
                                  (~a_lt_b & reinterpret_cast<Ints>(b)));
}
SWISH_INLINE Floats vmax(const Floats& a, const Floats& b) {
  Ints a_gt_b = a > b;
  return reinterpret_cast<Floats>((a_gt_b & reinterpret_cast<Ints>(a)) |
                                  (~a_gt_b & reinterpret_cast<Ints>(b)));
}

// e^x: x = n ln2 + r with |r| <= ln2 / 2, e^r by the classic degree-7
// minimax polynomial (Cephes' expf coefficients), 2^n built in the exponent
// bits in two halves so that results down to the subnormal range come out
// right. x is clamped to [-104, 88], beyond which e^x is 0 or near overflow.
SWISH_INLINE Floats exp_lanes(const Floats& x) {
  const Floats v = vmax(vmin(x, splat(88.0f)), splat(-104.0f));
  // Round v / ln2 to the nearest integer with the 1.5 * 2^23 trick.
  const Floats magic = splat(12582912.0f);
  const Floats n = (v * splat(1.44269504088896341f) + magic) - magic;
  // ln2 split in two so that n * ln2_hi is exact.
  const Floats r = v - n * splat(0.693359375f) - n * splat(-2.12194440e-4f);
  Floats p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  p = p * (r * r) + r + splat(1.0f);
  const Ints k = __builtin_convertvector(n, Ints);  // -150 .. 127
  const Ints half = k >> 1, rest = k - half;        // each a normal float's exponent
  return p * reinterpret_cast<Floats>((half + 127) << 23) *
         reinterpret_cast<Floats>((rest + 127) << 23);
}

// x * sigmoid(t) with t = beta * x, in the form that never overflows:
// e = e^-|t| <= 1, sigmoid(t) = 1 / (1 + e) for t >= 0 and e / (1 + e) below.
SWISH_INLINE Floats swish_lanes(const Floats& x, float beta) {
  const Floats t = x * beta;
  // -|t|: t with its sign bit set.
  const Floats minus_abs =
      reinterpret_cast<Floats>(reinterpret_cast<Ints>(t) | reinterpret_cast<Ints>(splat(-0.0f)));
  const Floats e = exp_lanes(minus_abs);
  const Floats s = splat(1.0f) / (splat(1.0f) + e);
  const Ints non_negative = t >= splat(0.0f);
  const Ints picked =
      (non_negative & reinterpret_cast<Ints>(s)) | (~non_negative & reinterpret_cast<Ints>(e * s));
  return x * reinterpret_cast<Floats>(picked);
}

}  // namespace

void swish_naive(const float* x, float* y, int64_t n, float beta) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-beta * x[i]));
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void swish_vectorized(const float* x, float* y, int64_t n, float beta) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    Floats v;
    std::memcpy(&v, x + i, sizeof v);
    v = swish_lanes(v, beta);
    std::memcpy(y + i, &v, sizeof v);
  }
  if (i < n) {  // the tail through the same arithmetic, in a zero-padded block
    const size_t rest = static_cast<size_t>(n - i) * sizeof(float);
    Floats v = splat(0.0f);
    std::memcpy(&v, x + i, rest);
    v = swish_lanes(v, beta);
    std::memcpy(y + i, &v, rest);
  }
}

}  // namespace swish
