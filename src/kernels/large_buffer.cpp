#include "kernels/large_buffer.h"

#include <algorithm>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace morel::kernels {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

void LargeBufferFree::operator()(void* p) const {
  std::free(p);
}

LargeBuffer allocate_large(size_t bytes) {
  bytes = std::max<size_t>(bytes, 1);
  const bool huge = bytes >= kHugePage;
  const size_t align = huge ? kHugePage : 64;
  bytes = (bytes + align - 1) / align * align;  // aligned_alloc wants a multiple
  void* p = std::aligned_alloc(align, bytes);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (p && huge) ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  return LargeBuffer(p);
}

}  // namespace morel::kernels
