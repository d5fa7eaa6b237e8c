// A whole file's bytes, read-only: mapped into memory where the system
// allows it (no copy into a buffer; the page cache's pages are mapped in one
// pass instead of a fault per page of a fresh buffer), else read into
// memory. Loading a 100 MB model spent about a third of its time copying
// the file into such a buffer and faulting it in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace morel::io {

class FileBytes {
 public:
  // Throws Error(kIo) naming the file when it cannot be opened or read, and
  // Error(kInvalidModel) when it holds more than `max_bytes`.
  FileBytes(const std::filesystem::path& path, uint64_t max_bytes);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  std::string_view view() const { return {data_, size_}; }

 private:
  bool map(const std::filesystem::path& path, uint64_t max_bytes);
  void read(const std::filesystem::path& path, uint64_t max_bytes);

  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::string buffer_;  // when read, not mapped
};

}  // namespace morel::io
