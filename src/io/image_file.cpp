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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(ErrorCode::kIo, path.string() + ": is a folder, not an image file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open image file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decode_image(bytes, path.string());
}

namespace {

void check_buffer(const std::filesystem::path& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * size_t(image.height) * size_t(image.channels()))
    throw Error(ErrorCode::kInvalidArgument,
                path.string() + ": cannot write a " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " " +
                    std::string(pixel_format_name(image.format)) + " image from " +
                    std::to_string(image.pixels.size()) + " bytes");
}

// The pixels in R,G,B(,A) order, as the encoders take them.
std::vector<uint8_t> rgb_order(const Image& image) {
  std::vector<uint8_t> pixels = image.pixels;
  const int channels = image.channels();
  if (image.format == PixelFormat::kBGR8 || image.format == PixelFormat::kBGRA8)
    for (size_t i = 0; i + 2 < pixels.size(); i += channels) std::swap(pixels[i], pixels[i + 2]);
  return pixels;
}

void sink(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": write failed");
}

}  // namespace

void write_png(const std::filesystem::path& path, const Image& image) {
  check_buffer(path, image);
  std::vector<uint8_t> pixels = rgb_order(image);
  const int channels = image.channels();
  std::string bytes;
  if (!stbi_write_png_to_func(sink, &bytes, image.width, image.height, channels, pixels.data(),
                              image.width * channels))
    throw Error(ErrorCode::kIo, path.string() + ": cannot encode PNG");
  write_bytes(path, bytes);
}

void write_jpeg(const std::filesystem::path& path, const Image& image, int quality) {
  check_buffer(path, image);
  if (quality < 1 || quality > 100)
    throw Error(ErrorCode::kInvalidArgument,
                "JPEG quality " + std::to_string(quality) + " is not in 1..100");
  std::vector<uint8_t> pixels = rgb_order(image);
  const int channels = image.channels();
  if (channels == 4) {  // drop alpha: the encoder would ignore it anyway
    std::vector<uint8_t> rgb;
    rgb.reserve(pixels.size() / 4 * 3);
    for (size_t i = 0; i < pixels.size(); i += 4)
      rgb.insert(rgb.end(), pixels.begin() + i, pixels.begin() + i + 3);
    pixels = std::move(rgb);
  }
  std::string bytes;
  if (!stbi_write_jpg_to_func(sink, &bytes, image.width, image.height, channels == 4 ? 3 : channels,
                              pixels.data(), quality))
    throw Error(ErrorCode::kIo, path.string() + ": cannot encode JPEG");
  write_bytes(path, bytes);
}

}  // namespace morel::io
