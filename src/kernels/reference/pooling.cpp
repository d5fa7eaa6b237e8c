#include "kernels/reference/pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

PoolWindow pool_window(const PoolParams& p, int axis, int64_t o) {
  const int64_t start = o * p.stride[axis] - p.pad_before[axis];
  const int64_t stop = start + p.kernel[axis];
  const int64_t in = p.in_size[axis];
  PoolWindow w;
  w.begin = std::clamp<int64_t>(start, 0, in);
  w.end = std::clamp<int64_t>(stop, w.begin, in);
  const int64_t padded_begin = std::max(start, -p.pad_before[axis]);
  const int64_t padded_end = std::min(stop, in + p.pad_after[axis]);
  w.padded = std::max<int64_t>(0, padded_end - padded_begin);
  return w;
}

void pooling(const PoolParams& p, int64_t planes, const float* input, float* output, int threads) {
  const auto& is = p.in_size;
  const auto& os = p.out_size;
  const int64_t in_plane = is[0] * is[1] * is[2];
  const int64_t out_plane = os[0] * os[1] * os[2];

  parallel_for(threads, planes, [&](int64_t plane) {
    const float* in = input + plane * in_plane;
    float* out = output + plane * out_plane;
    for (int64_t z = 0; z < os[0]; ++z) {
      const PoolWindow wz = pool_window(p, 0, z);
      for (int64_t y = 0; y < os[1]; ++y) {
        const PoolWindow wy = pool_window(p, 1, y);
        for (int64_t x = 0; x < os[2]; ++x) {
          const PoolWindow wx = pool_window(p, 2, x);
          float max_value = -std::numeric_limits<float>::infinity();
          double sum = 0, sum_squares = 0;
          for (int64_t iz = wz.begin; iz < wz.end; ++iz)
            for (int64_t iy = wy.begin; iy < wy.end; ++iy)
              for (int64_t ix = wx.begin; ix < wx.end; ++ix) {
                const float v = in[(iz * is[1] + iy) * is[2] + ix];
                max_value = std::max(max_value, v);
                sum += v;
                sum_squares += double(v) * v;
              }
          float result = 0;
          switch (p.type) {
            case PoolType::kMax: result = max_value; break;
            case PoolType::kAverage: {
              const int64_t real = (wz.end - wz.begin) * (wy.end - wy.begin) * (wx.end - wx.begin);
              const int64_t divisor = p.exclude_padding ? real : wz.padded * wy.padded * wx.padded;
              result = divisor > 0 ? static_cast<float>(sum / double(divisor)) : 0.f;
              break;
            }
            case PoolType::kL2: result = static_cast<float>(std::sqrt(sum_squares)); break;
          }
          out[(z * os[1] + y) * os[2] + x] = result;
        }
      }
    }
  });
}

}  // namespace morel::kernels::reference
