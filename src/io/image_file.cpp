#include "io/image_file.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <climits>
#include <fstream>
#include <iterator>

#include "morel/error.h"

namespace morel::io {

Image decode_image(std::string_view bytes, std::string_view origin) {
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    throw Error(ErrorCode::kInvalidInput, std::string(origin) + ": image file is too large");
  int w = 0, h = 0, channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                          static_cast<int>(bytes.size()), &w, &h, &channels, 0);
  if (!pixels)
    throw Error(ErrorCode::kInvalidInput, std::string(origin) + ": cannot decode image (" +
                                              stbi_failure_reason() +
                                              "); PNG and JPEG are supported");
  Image im;
  im.width = w;
  im.height = h;
  const size_t plane = size_t(w) * size_t(h);
  switch (channels) {
    case 1:
    case 2:
      im.format = PixelFormat::kGray8;
      im.pixels.resize(plane);
      for (size_t i = 0; i < plane; ++i) im.pixels[i] = pixels[i * channels];
      break;
    case 3:
      im.format = PixelFormat::kRGB8;
      im.pixels.assign(pixels, pixels + plane * 3);
      break;
    default:
      im.format = PixelFormat::kRGBA8;
      im.pixels.assign(pixels, pixels + plane * 4);
      break;
  }
  stbi_image_free(pixels);
  return im;
}

Image read_image(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open image file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decode_image(bytes, path.string());
}

void write_png(const std::filesystem::path& path, const Image& image) {
  std::string bytes;
  auto sink = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
  };
  int channels = image.channels();
  bool bgr = image.format == PixelFormat::kBGR8 || image.format == PixelFormat::kBGRA8;
  std::vector<uint8_t> pixels = image.pixels;
  if (bgr)
    for (size_t i = 0; i + 2 < pixels.size(); i += channels) std::swap(pixels[i], pixels[i + 2]);
  if (!stbi_write_png_to_func(sink, &bytes, image.width, image.height, channels, pixels.data(),
                              image.width * channels))
    throw Error(ErrorCode::kIo, path.string() + ": cannot encode PNG");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": write failed");
}

}  // namespace morel::io
