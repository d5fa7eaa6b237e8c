#include "io/file_bytes.h"

#include <fstream>
#include <string>

#include "morel/error.h"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define MOREL_HAVE_MMAP 1
#endif

namespace morel::io {

namespace {

void check_size(const std::filesystem::path& path, uint64_t size, uint64_t max_bytes) {
  if (size > max_bytes)
    throw Error(ErrorCode::kInvalidModel, path.string() + ": file of " + std::to_string(size) +
                                              " bytes is larger than the limit of " +
                                              std::to_string(max_bytes) + " bytes");
}

}  // namespace

FileBytes::FileBytes(const std::filesystem::path& path, uint64_t max_bytes) {
  if (!map(path, max_bytes)) read(path, max_bytes);
}

FileBytes::~FileBytes() {
#if defined(MOREL_HAVE_MMAP)
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
#endif
}

// Regular, non-empty files only; anything else (or a failed mapping) is read.
// A file truncated by another process while mapped would fault on access:
// model files are not written while they load.
bool FileBytes::map(const std::filesystem::path& path, uint64_t max_bytes) {
#if defined(MOREL_HAVE_MMAP)
  // Looked at before opening: opening a pipe would wait for its writer.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return false;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  check_size(path, size, max_bytes);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // read() says why
  int flags = MAP_PRIVATE;
#if defined(MAP_POPULATE)
  flags |= MAP_POPULATE;
#endif
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, flags, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return false;
  data_ = static_cast<const char*>(p);
  size_ = static_cast<size_t>(size);
  mapped_ = true;
  return true;
#else
  (void)path;
  (void)max_bytes;
  return false;
#endif
}

void FileBytes::read(const std::filesystem::path& path, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open file");
  // To the end, in chunks: a pipe has no size to ask for.
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    buffer_.append(chunk, static_cast<size_t>(in.gcount()));
    check_size(path, buffer_.size(), max_bytes);
  }
  if (in.bad()) throw Error(ErrorCode::kIo, path.string() + ": cannot read file");
  data_ = buffer_.data();
  size_ = buffer_.size();
}

}  // namespace morel::io
