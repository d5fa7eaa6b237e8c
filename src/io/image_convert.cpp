#include "io/image_convert.h"

#include <cmath>

#include "morel/error.h"

namespace morel::io {

namespace {

bool is_bgr(PixelFormat f) {
  return f == PixelFormat::kBGR8 || f == PixelFormat::kBGRA8;
}
bool has_alpha(PixelFormat f) {
  return f == PixelFormat::kRGBA8 || f == PixelFormat::kBGRA8;
}

}  // namespace

Image convert_pixels(const Image& image, PixelFormat format) {
  const size_t plane = size_t(image.width) * size_t(image.height);
  const int in_ch = image.channels();
  if (image.width < 0 || image.height < 0 || image.pixels.size() != plane * size_t(in_ch))
    throw Error(ErrorCode::kInvalidArgument,
                "image of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                    " " + std::string(pixel_format_name(image.format)) + " holds " +
                    std::to_string(image.pixels.size()) + " bytes");
  if (format == image.format) return image;

  Image out(image.width, image.height, format);
  const int out_ch = out.channels();
  const bool in_bgr = is_bgr(image.format), out_bgr = is_bgr(format);
  for (size_t p = 0; p < plane; ++p) {
    const uint8_t* src = image.pixels.data() + p * in_ch;
    uint8_t* dst = out.pixels.data() + p * out_ch;
    uint8_t r, g, b, a = 255;
    if (in_ch == 1) {
      r = g = b = src[0];
    } else {
      r = in_bgr ? src[2] : src[0];
      g = src[1];
      b = in_bgr ? src[0] : src[2];
      if (has_alpha(image.format)) a = src[3];
    }
    if (out_ch == 1) {
      dst[0] = static_cast<uint8_t>(std::lround(0.299 * r + 0.587 * g + 0.114 * b));
      continue;
    }
    dst[0] = out_bgr ? b : r;
    dst[1] = g;
    dst[2] = out_bgr ? r : b;
    if (out_ch == 4) dst[3] = a;
  }
  return out;
}

}  // namespace morel::io
