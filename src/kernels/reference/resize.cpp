#include "kernels/reference/resize.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

std::vector<double> sampling_grid(SamplingMethod method, double start, double end, int64_t n) {
  std::vector<double> grid(static_cast<size_t>(n));
  const double length = end - start;  // "X - 1" of the format's description
  for (int64_t i = 0; i < n; ++i) {
    double g = start;
    switch (method) {
      case SamplingMethod::kStrictAlignEndpoints:
        if (n > 1) g = start + double(i) * length / double(n - 1);
        break;
      case SamplingMethod::kAlignEndpoints:
        g = n > 1 ? start + double(i) * length / double(n - 1) : start + 0.5 * length;
        break;
      case SamplingMethod::kUpsample: {
        const double x = length + 1.0;  // "X"
        if (n > 1) g = start + double(i) * (x - x / double(n)) / double(n - 1);
        g = std::min(g, end);
        break;
      }
      case SamplingMethod::kRoiAlign: {
        const double spacing = std::max(1.0, length) / double(n);
        g = std::min(start + (double(i) + 0.5) * spacing, end);
        break;
      }
    }
    grid[static_cast<size_t>(i)] = g;
  }
  return grid;
}

std::vector<double> upsample_grid(LinearUpsampleMode mode, int64_t in, int64_t out) {
  std::vector<double> grid(static_cast<size_t>(out));
  const double xin = double(in), xout = double(out);
  for (int64_t i = 0; i < out; ++i) {
    double g = 0.0;
    switch (mode) {
      case LinearUpsampleMode::kDefault:
        if (out > 1) g = double(i) * (xin - xin / xout) / (xout - 1.0);
        break;
      case LinearUpsampleMode::kAlignCornersTrue:
        if (out > 1) g = double(i) * (xin - 1.0) / (xout - 1.0);
        break;
      case LinearUpsampleMode::kAlignCornersFalse:
        g = (double(i) + 0.5) * (xin / xout) - 0.5;
        break;
    }
    grid[static_cast<size_t>(i)] = std::clamp(g, 0.0, xin - 1.0);
  }
  return grid;
}

namespace {

// One bilinear sample of the image `img` [h, w] at (y, x), clamped inside
// (NaN for a NaN position).
float sample(const float* img, int64_t h, int64_t w, double y, double x) {
  if (std::isnan(y) || std::isnan(x)) return std::nanf("");
  y = std::clamp(y, 0.0, double(h - 1));
  x = std::clamp(x, 0.0, double(w - 1));
  const int64_t y0 = static_cast<int64_t>(std::floor(y));
  const int64_t x0 = static_cast<int64_t>(std::floor(x));
  const int64_t y1 = std::min(y0 + 1, h - 1);
  const int64_t x1 = std::min(x0 + 1, w - 1);
  const double wy = y - double(y0), wx = x - double(x0);
  const double top = (1.0 - wx) * img[y0 * w + x0] + wx * img[y0 * w + x1];
  const double bottom = (1.0 - wx) * img[y1 * w + x0] + wx * img[y1 * w + x1];
  return static_cast<float>((1.0 - wy) * top + wy * bottom);
}

}  // namespace

void bilinear_sample(const BilinearParams& p, const double* ys, const double* xs, const float* x,
                     float* y, int threads) {
  parallel_for(threads, p.planes, [&](int64_t plane) {
    const float* img = x + plane * p.in_h * p.in_w;
    float* out = y + plane * p.out_h * p.out_w;
    for (int64_t i = 0; i < p.out_h; ++i)
      for (int64_t j = 0; j < p.out_w; ++j)
        out[i * p.out_w + j] = sample(img, p.in_h, p.in_w, ys[i], xs[j]);
  });
}

void upsample_nearest(const NearestUpsampleParams& p, const float* x, float* y, int threads) {
  const int64_t out_h = p.in_h * p.scale_h, out_w = p.in_w * p.scale_w;
  parallel_for(threads, p.planes, [&](int64_t plane) {
    const float* img = x + plane * p.in_h * p.in_w;
    float* out = y + plane * out_h * out_w;
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j)
        out[i * out_w + j] = img[(i / p.scale_h) * p.in_w + j / p.scale_w];
  });
}

void crop_resize(const CropResizeParams& p, const float* image, const float* boxes, float* y,
                 int threads) {
  const int64_t per_box = p.box_has_index ? 5 : 4;
  const int64_t images_out = p.box_has_index ? 1 : p.batch;  // images cropped per box
  const int64_t plane_in = p.in_h * p.in_w, plane_out = p.out_h * p.out_w;
  parallel_for(threads, p.boxes * images_out, [&](int64_t task) {
    const int64_t n = task / images_out;
    const float* box = boxes + n * per_box;
    const int64_t b = p.box_has_index ? static_cast<int64_t>(box[0]) : task % images_out;
    const float* v = box + (p.box_has_index ? 1 : 0);

    // Box extent [h_start, h_end] x [w_start, w_end] in input pixels.
    double h0 = 0, w0 = 0, h1 = 0, w1 = 0;
    switch (p.box_mode) {
      case BoxMode::kCornersHeightFirst: h0 = v[0], w0 = v[1], h1 = v[2], w1 = v[3]; break;
      case BoxMode::kCornersWidthFirst: w0 = v[0], h0 = v[1], w1 = v[2], h1 = v[3]; break;
      case BoxMode::kCenterSizeHeightFirst:
        h0 = v[0] - 0.5 * v[2], h1 = v[0] + 0.5 * v[2];
        w0 = v[1] - 0.5 * v[3], w1 = v[1] + 0.5 * v[3];
        break;
      case BoxMode::kCenterSizeWidthFirst:
        w0 = v[0] - 0.5 * v[2], w1 = v[0] + 0.5 * v[2];
        h0 = v[1] - 0.5 * v[3], h1 = v[1] + 0.5 * v[3];
        break;
    }
    const double sh = (p.normalized ? double(p.in_h - 1) : 1.0) * p.spatial_scale;
    const double sw = (p.normalized ? double(p.in_w - 1) : 1.0) * p.spatial_scale;
    const std::vector<double> ys = sampling_grid(p.method, h0 * sh, h1 * sh, p.out_h);
    const std::vector<double> xs = sampling_grid(p.method, w0 * sw, w1 * sw, p.out_w);

    for (int64_t c = 0; c < p.channels; ++c) {
      const float* img = image + (b * p.channels + c) * plane_in;
      float* out = y + (task * p.channels + c) * plane_out;
      for (int64_t i = 0; i < p.out_h; ++i)
        for (int64_t j = 0; j < p.out_w; ++j)
          out[i * p.out_w + j] = sample(img, p.in_h, p.in_w, ys[i], xs[j]);
    }
  });
}

}  // namespace morel::kernels::reference
