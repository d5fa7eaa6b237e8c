#include "kernels/reference/convolution.h"

#include <algorithm>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

// The indices a in [0, count_a) whose partner b = a * stride + offset lies in
// [0, count_b), as the half-open range [lo, hi). Convolution asks it for the
// output positions whose tap reads inside the input; deconvolution for the
// input positions whose contribution lands inside the output.
struct Range {
  int64_t lo = 0, hi = 0;
};
Range strided_range(int64_t count_a, int64_t count_b, int64_t stride, int64_t offset) {
  Range r;
  // b >= 0 needs a >= ceil(-offset / stride).
  r.lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  // b <= count_b - 1 needs a <= floor((count_b - 1 - offset) / stride).
  const int64_t last = count_b - 1 - offset;
  r.hi = last < 0 ? 0 : std::min(count_a, last / stride + 1);
  r.lo = std::min(r.lo, r.hi);
  return r;
}

int64_t volume(const std::array<int64_t, 3>& s) {
  return s[0] * s[1] * s[2];
}

}  // namespace

void convolution(const ConvParams& p, int64_t items, const float* input, const float* weights,
                 const float* bias, float* output, int threads) {
  const int64_t in_per_group = p.in_channels / p.groups;
  const int64_t out_per_group = p.out_channels / p.groups;
  const auto& is = p.in_size;
  const auto& os = p.out_size;
  const auto& k = p.kernel;
  const int64_t in_plane = volume(is), out_plane = volume(os), taps = volume(k);

  // One task per (item, output channel): each writes its own output plane.
  parallel_for(threads, items * p.out_channels, [&](int64_t task) {
    const int64_t n = task / p.out_channels, o = task % p.out_channels;
    const int64_t group = o / out_per_group;
    float* out = output + task * out_plane;
    std::fill(out, out + out_plane, bias ? bias[o] : 0.f);

    for (int64_t c = 0; c < in_per_group; ++c) {
      const float* in = input + (n * p.in_channels + group * in_per_group + c) * in_plane;
      const float* w = weights + (o * in_per_group + c) * taps;
      for (int64_t i = 0; i < k[0]; ++i)
        for (int64_t j = 0; j < k[1]; ++j)
          for (int64_t t = 0; t < k[2]; ++t) {
            const float wv = w[(i * k[1] + j) * k[2] + t];
            // Output position z reads input position z * stride + offset.
            const int64_t off_z = i * p.dilation[0] - p.pad_before[0];
            const int64_t off_y = j * p.dilation[1] - p.pad_before[1];
            const int64_t off_x = t * p.dilation[2] - p.pad_before[2];
            const Range rz = strided_range(os[0], is[0], p.stride[0], off_z);
            const Range ry = strided_range(os[1], is[1], p.stride[1], off_y);
            const Range rx = strided_range(os[2], is[2], p.stride[2], off_x);
            for (int64_t z = rz.lo; z < rz.hi; ++z) {
              const int64_t iz = z * p.stride[0] + off_z;
              for (int64_t y = ry.lo; y < ry.hi; ++y) {
                const int64_t iy = y * p.stride[1] + off_y;
                const float* in_row = in + (iz * is[1] + iy) * is[2];
                float* out_row = out + (z * os[1] + y) * os[2];
                if (p.stride[2] == 1) {  // the same loop, written so it vectorizes
                  for (int64_t x = rx.lo; x < rx.hi; ++x) out_row[x] += wv * in_row[x + off_x];
                } else {
                  for (int64_t x = rx.lo; x < rx.hi; ++x)
                    out_row[x] += wv * in_row[x * p.stride[2] + off_x];
                }
              }
            }
          }
    }
  });
}

void deconvolution(const ConvParams& p, int64_t items, const float* input, const float* weights,
                   const float* bias, float* output, int threads) {
  const int64_t in_per_group = p.in_channels / p.groups;
  const int64_t out_per_group = p.out_channels / p.groups;
  const auto& is = p.in_size;
  const auto& os = p.out_size;
  const auto& k = p.kernel;
  const int64_t in_plane = volume(is), out_plane = volume(os), taps = volume(k);

  // One task per (item, output channel): it gathers every contribution to
  // its own output plane, so no two tasks write the same memory.
  parallel_for(threads, items * p.out_channels, [&](int64_t task) {
    const int64_t n = task / p.out_channels, o = task % p.out_channels;
    const int64_t group = o / out_per_group, o_in_group = o % out_per_group;
    float* out = output + task * out_plane;
    std::fill(out, out + out_plane, bias ? bias[o] : 0.f);

    for (int64_t c = group * in_per_group; c < (group + 1) * in_per_group; ++c) {
      const float* in = input + (n * p.in_channels + c) * in_plane;
      const float* w = weights + (c * out_per_group + o_in_group) * taps;
      for (int64_t i = 0; i < k[0]; ++i)
        for (int64_t j = 0; j < k[1]; ++j)
          for (int64_t t = 0; t < k[2]; ++t) {
            const float wv = w[(i * k[1] + j) * k[2] + t];
            // Input position z lands on output position z * stride + offset.
            const int64_t off_z = i * p.dilation[0] - p.pad_before[0];
            const int64_t off_y = j * p.dilation[1] - p.pad_before[1];
            const int64_t off_x = t * p.dilation[2] - p.pad_before[2];
            const Range rz = strided_range(is[0], os[0], p.stride[0], off_z);
            const Range ry = strided_range(is[1], os[1], p.stride[1], off_y);
            const Range rx = strided_range(is[2], os[2], p.stride[2], off_x);
            for (int64_t z = rz.lo; z < rz.hi; ++z) {
              const int64_t oz = z * p.stride[0] + off_z;
              for (int64_t y = ry.lo; y < ry.hi; ++y) {
                const int64_t oy = y * p.stride[1] + off_y;
                const float* in_row = in + (z * is[1] + y) * is[2];
                float* out_row = out + (oz * os[1] + oy) * os[2];
                if (p.stride[2] == 1) {  // the same loop, written so it vectorizes
                  for (int64_t x = rx.lo; x < rx.hi; ++x) out_row[x + off_x] += wv * in_row[x];
                } else {
                  for (int64_t x = rx.lo; x < rx.hi; ++x)
                    out_row[x * p.stride[2] + off_x] += wv * in_row[x];
                }
              }
            }
          }
    }
  });
}

}  // namespace morel::kernels::reference
