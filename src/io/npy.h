// NumPy .npy files (format versions 1-3): float32, float64, int32, int64,
// uint8 and bool arrays in C order, read into and written from MultiArrays.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "morel/multi_array.h"

namespace morel::io {

// int64 / uint8 / bool arrays are widened or narrowed to int32 (values must fit).
// Throws Error(kIo) when unreadable and Error(kInvalidInput) naming the file
// when the dtype is unsupported, the array is in Fortran order, or the data is short.
MultiArray read_npy(const std::filesystem::path& path);
MultiArray parse_npy(std::string_view bytes, std::string_view origin);

void write_npy(const std::filesystem::path& path, const MultiArray& array);
std::string serialize_npy(const MultiArray& array);

}  // namespace morel::io
