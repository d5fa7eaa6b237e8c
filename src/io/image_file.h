// Image files: PNG and JPEG (8-bit gray, gray+alpha, RGB, RGBA) decoded into
// morel::Image, and PNG / JPEG writing (for tests and tools).
#pragma once

#include <filesystem>
#include <string_view>

#include "morel/image.h"

namespace morel::io {

// Gray+alpha decodes to gray (alpha dropped). Throws Error(kIo) when the file
// cannot be read and Error(kInvalidInput) naming it when it cannot be decoded.
Image read_image(const std::filesystem::path& path);
Image decode_image(std::string_view bytes, std::string_view origin);

// Throw Error(kInvalidArgument) when the pixel buffer does not match the
// size and format, and Error(kIo) when the file cannot be written.
void write_png(const std::filesystem::path& path, const Image& image);
// Baseline JPEG; `quality` 1..100. Alpha is dropped (JPEG has none).
void write_jpeg(const std::filesystem::path& path, const Image& image, int quality = 90);

}  // namespace morel::io
