// Image: 8-bit interleaved pixels, the form an image feature takes before the
// runtime turns it into the tensor the network expects.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace morel {

enum class PixelFormat : uint8_t { kGray8, kRGB8, kBGR8, kRGBA8, kBGRA8 };

int channels_of(PixelFormat format);
std::string_view pixel_format_name(PixelFormat format);

struct Image {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRGB8;
  std::vector<uint8_t> pixels;  // row-major, height * width * channels_of(format) bytes

  Image() = default;
  Image(int w, int h, PixelFormat f)
      : width(w), height(h), format(f), pixels(size_t(w) * h * channels_of(f)) {}
  int channels() const { return channels_of(format); }
  const uint8_t* pixel(int x, int y) const {
    return pixels.data() + (size_t(y) * width + x) * channels();
  }
};

// Decode a PNG or JPEG file. Throws Error(kIo) when it cannot be read and
// Error(kInvalidInput) naming it when it cannot be decoded.
Image load_image(const std::filesystem::path& path);

}  // namespace morel
