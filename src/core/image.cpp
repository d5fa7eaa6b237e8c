#include "morel/image.h"

#include "io/image_file.h"

namespace morel {

int channels_of(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return 1;
    case PixelFormat::kRGB8:
    case PixelFormat::kBGR8: return 3;
    case PixelFormat::kRGBA8:
    case PixelFormat::kBGRA8: return 4;
  }
  return 0;
}

std::string_view pixel_format_name(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return "gray";
    case PixelFormat::kRGB8: return "RGB";
    case PixelFormat::kBGR8: return "BGR";
    case PixelFormat::kRGBA8: return "RGBA";
    case PixelFormat::kBGRA8: return "BGRA";
  }
  return "unknown";
}

Image load_image(const std::filesystem::path& path) {
  return io::read_image(path);
}

}  // namespace morel
