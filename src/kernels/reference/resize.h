// Reference kernels of the resize family: upsampling (nearest / bilinear),
// bilinear resizing to a target size, and crop-and-resize of boxes. Plain
// loops over contiguous float32 data; the oracle for optimized kernels.
#pragma once

#include <cstdint>
#include <vector>

namespace morel::kernels::reference {

// SamplingMode.Method: where N samples are placed on an interval of an axis.
enum class SamplingMethod {
  kStrictAlignEndpoints,  // start, ..., end evenly (one sample: start)
  kAlignEndpoints,        // the same, but one sample sits at the centre
  kUpsample,              // with X = end - start + 1: start .. start + X - X/N
  kRoiAlign,              // spacing max(1, end - start) / N, half a spacing in
};

// The N sample positions on [start, end] (pixel coordinates). The format
// states the methods for the whole axis [0, X-1]; a crop box [start, end]
// is sampled the same way with X - 1 taken as end - start, and positions
// past `end` are moved back to `end`.
std::vector<double> sampling_grid(SamplingMethod method, double start, double end, int64_t n);

// UpsampleLayerParams.LinearUpsampleMode: where output i of `out` samples
// an axis of `in` pixels; always within [0, in - 1].
//   kDefault:          i * (in - in/out) / (out - 1)
//   kAlignCornersTrue: i * (in - 1) / (out - 1)
//   kAlignCornersFalse: (i + 0.5) * in/out - 0.5
// (with out == 1 the spacing of the first two is 0).
enum class LinearUpsampleMode { kDefault, kAlignCornersTrue, kAlignCornersFalse };
std::vector<double> upsample_grid(LinearUpsampleMode mode, int64_t in, int64_t out);

// Bilinear interpolation of `planes` images [in_h, in_w] at the row positions
// ys[out_h] and column positions xs[out_w]; positions are clamped to the
// image, so the edge pixels extend outwards. x: [planes, in_h, in_w],
// y: [planes, out_h, out_w].
struct BilinearParams {
  int64_t planes = 0;
  int64_t in_h = 0, in_w = 0;
  int64_t out_h = 0, out_w = 0;
};
void bilinear_sample(const BilinearParams& p, const double* ys, const double* xs, const float* x,
                     float* y, int threads);

// Nearest-neighbour upsampling by integer factors: y[i, j] = x[i / sh, j / sw].
// x: [planes, in_h, in_w], y: [planes, in_h * scale_h, in_w * scale_w].
struct NearestUpsampleParams {
  int64_t planes = 0;
  int64_t in_h = 0, in_w = 0;
  int64_t scale_h = 1, scale_w = 1;
};
void upsample_nearest(const NearestUpsampleParams& p, const float* x, float* y, int threads);

// BoxCoordinatesMode.Coordinates: the order of a box's four numbers.
enum class BoxMode {
  kCornersHeightFirst,     // [h_start, w_start, h_end, w_end]
  kCornersWidthFirst,      // [w_start, h_start, w_end, h_end]
  kCenterSizeHeightFirst,  // [h_center, w_center, height, width]
  kCenterSizeWidthFirst,   // [w_center, h_center, width, height]
};

// Crop-and-resize: each box is cut out of an image and sampled bilinearly on
// an out_h x out_w grid (SamplingMethod over the box's extent).
// image: [batch, channels, in_h, in_w]; boxes: [boxes, 4] or, when
// box_has_index, [boxes, 5] whose first value picks the image (checked by the
// caller to be an integer in [0, batch)).
// y: [boxes, batch, channels, out_h, out_w] (every box from every image), or
// [boxes, 1, channels, out_h, out_w] with box_has_index.
// Box numbers are scaled by (in_h - 1, in_w - 1) when normalized, then by
// spatial_scale.
struct CropResizeParams {
  int64_t batch = 0, channels = 0;
  int64_t in_h = 0, in_w = 0;
  int64_t boxes = 0;
  int64_t out_h = 0, out_w = 0;
  bool box_has_index = false;
  BoxMode box_mode = BoxMode::kCornersHeightFirst;
  bool normalized = false;
  float spatial_scale = 1.f;
  SamplingMethod method = SamplingMethod::kStrictAlignEndpoints;
};
void crop_resize(const CropResizeParams& p, const float* image, const float* boxes, float* y,
                 int threads);

}  // namespace morel::kernels::reference
