#include "io/image_resize.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "morel/error.h"

namespace morel::io {

namespace {

// The source pixels one output pixel along an axis reads, and their weights
// (normalized to sum to 1).
struct Taps {
  int first = 0;
  std::vector<float> weights;
};

// Taps for resampling [r0, r1) of an axis of `in_size` pixels to `out_size`.
std::vector<Taps> axis_taps(int in_size, double r0, double r1, int out_size) {
  const double scale = (r1 - r0) / out_size;
  // Widening the triangle by the reduction factor averages all source
  // pixels under an output pixel (no aliasing when shrinking).
  const double support = std::max(scale, 1.0);
  const int lo = std::max(0, static_cast<int>(std::floor(r0)));
  const int hi = std::min(in_size, static_cast<int>(std::ceil(r1)));  // exclusive
  std::vector<Taps> taps(static_cast<size_t>(out_size));
  for (int i = 0; i < out_size; ++i) {
    const double center = r0 + (i + 0.5) * scale;
    const int first = std::max(lo, static_cast<int>(std::floor(center - support)));
    const int last = std::min(hi - 1, static_cast<int>(std::ceil(center + support)));
    Taps& t = taps[static_cast<size_t>(i)];
    t.first = first;
    double sum = 0;
    std::vector<double> w;
    for (int j = first; j <= last; ++j) {
      double d = std::fabs(j + 0.5 - center) / support;
      w.push_back(std::max(0.0, 1.0 - d));
      sum += w.back();
    }
    if (sum <= 0) {  // cannot happen for a non-empty region; keep the nearest pixel anyway
      t.first = std::clamp(static_cast<int>(std::floor(center)), lo, hi - 1);
      t.weights = {1.0f};
      continue;
    }
    // Trim zero weights at both ends so the inner loops skip them.
    size_t a = 0, b = w.size();
    while (a < b && w[a] == 0) ++a;
    while (b > a && w[b - 1] == 0) --b;
    t.first = first + static_cast<int>(a);
    for (size_t k = a; k < b; ++k) t.weights.push_back(static_cast<float>(w[k] / sum));
  }
  return taps;
}

void check_size(int width, int height, const char* what) {
  if (width <= 0 || height <= 0)
    throw Error(ErrorCode::kInvalidArgument, std::string("cannot resize ") + what + " to " +
                                                 std::to_string(width) + "x" +
                                                 std::to_string(height));
}

void check_image(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * size_t(image.height) * size_t(image.channels()))
    throw Error(ErrorCode::kInvalidArgument,
                "cannot resize an image of " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " " +
                    std::string(pixel_format_name(image.format)) + " holding " +
                    std::to_string(image.pixels.size()) + " bytes");
}

}  // namespace

Image resize_region(const Image& image, const Region& region, int width, int height) {
  check_image(image);
  check_size(width, height, "an image");
  if (!(region.x0 >= 0 && region.y0 >= 0 && region.x1 <= image.width && region.y1 <= image.height &&
        region.x1 > region.x0 && region.y1 > region.y0))
    throw Error(ErrorCode::kInvalidArgument,
                "resize region [" + std::to_string(region.x0) + ", " + std::to_string(region.x1) +
                    ") x [" + std::to_string(region.y0) + ", " + std::to_string(region.y1) +
                    ") is empty or outside the " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image");

  const std::vector<Taps> across = axis_taps(image.width, region.x0, region.x1, width);
  const std::vector<Taps> down = axis_taps(image.height, region.y0, region.y1, height);
  const int ch = image.channels();
  // Source rows the vertical pass reads.
  int row_lo = image.height, row_hi = 0;
  for (const Taps& t : down) {
    row_lo = std::min(row_lo, t.first);
    row_hi = std::max(row_hi, t.first + static_cast<int>(t.weights.size()));
  }

  // Horizontal pass: those rows at the output width, in float.
  const size_t out_row = size_t(width) * ch;
  std::vector<float> mid(size_t(row_hi - row_lo) * out_row);
  for (int y = row_lo; y < row_hi; ++y) {
    const uint8_t* src = image.pixels.data() + size_t(y) * image.width * ch;
    float* dst = mid.data() + size_t(y - row_lo) * out_row;
    for (int x = 0; x < width; ++x) {
      const Taps& t = across[size_t(x)];
      for (int c = 0; c < ch; ++c) {
        float acc = 0;
        for (size_t k = 0; k < t.weights.size(); ++k)
          acc += t.weights[k] * src[(t.first + k) * ch + c];
        dst[size_t(x) * ch + c] = acc;
      }
    }
  }

  // Vertical pass, rounded back to 8 bits.
  Image out(width, height, image.format);
  for (int y = 0; y < height; ++y) {
    const Taps& t = down[size_t(y)];
    uint8_t* dst = out.pixels.data() + size_t(y) * out_row;
    for (size_t i = 0; i < out_row; ++i) {
      float acc = 0;
      for (size_t k = 0; k < t.weights.size(); ++k)
        acc += t.weights[k] * mid[size_t(t.first - row_lo + static_cast<int>(k)) * out_row + i];
      dst[i] = static_cast<uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
    }
  }
  return out;
}

Image resize_image(const Image& image, int width, int height) {
  return resize_region(image, Region{0, 0, double(image.width), double(image.height)}, width,
                       height);
}

std::string_view image_scale_name(ImageScale scale) {
  switch (scale) {
    case ImageScale::kFill: return "fill";
    case ImageScale::kFit: return "fit";
    case ImageScale::kCenterCrop: return "center-crop";
  }
  return "unknown";
}

std::optional<ImageScale> parse_image_scale(std::string_view name) {
  for (ImageScale s : {ImageScale::kFill, ImageScale::kFit, ImageScale::kCenterCrop})
    if (image_scale_name(s) == name) return s;
  return std::nullopt;
}

Image scale_image(const Image& image, int width, int height, ImageScale scale) {
  check_image(image);
  check_size(width, height, "an image");
  if (image.width == width && image.height == height) return image;
  const double w = image.width, h = image.height;
  switch (scale) {
    case ImageScale::kFill: return resize_image(image, width, height);
    case ImageScale::kCenterCrop: {
      // The factor that makes the short side fit; the long side overhangs.
      const double s = std::max(width / w, height / h);
      const double cw = std::min(w, width / s), chh = std::min(h, height / s);
      const double x0 = (w - cw) / 2, y0 = (h - chh) / 2;
      return resize_region(image, Region{x0, y0, x0 + cw, y0 + chh}, width, height);
    }
    case ImageScale::kFit: {
      const double s = std::min(width / w, height / h);
      const int fw = std::clamp(static_cast<int>(std::lround(w * s)), 1, width);
      const int fh = std::clamp(static_cast<int>(std::lround(h * s)), 1, height);
      const Image inner = resize_image(image, fw, fh);
      Image out(width, height, image.format);  // zero: black
      const int ch = image.channels();
      if (ch == 4)
        for (size_t i = 3; i < out.pixels.size(); i += 4) out.pixels[i] = 255;
      const int ox = (width - fw) / 2, oy = (height - fh) / 2;
      for (int y = 0; y < fh; ++y)
        std::copy_n(inner.pixels.data() + size_t(y) * fw * ch, size_t(fw) * ch,
                    out.pixels.data() + (size_t(y + oy) * width + ox) * ch);
      return out;
    }
  }
  return image;
}

}  // namespace morel::io
