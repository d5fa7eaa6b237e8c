// Memory for large buffers that kernels stream through on every prediction
// (a plan's arena, weights in a library's layout). Those of 2 MiB or more
// start on a 2 MiB boundary, take whole 2 MiB pages and ask for transparent
// huge pages (Linux's default "madvise" mode grants them only on request):
// fewer TLB misses. Measured about 2% on resnet50 (at 1 and 2 threads), for
// about 1 MiB more memory per such buffer. Smaller ones are 64-byte aligned.
#pragma once

#include <cstddef>
#include <memory>

namespace morel::kernels {

struct LargeBufferFree {
  void operator()(void* p) const;
};
using LargeBuffer = std::unique_ptr<void, LargeBufferFree>;

// Null when the memory cannot be had.
LargeBuffer allocate_large(size_t bytes);

}  // namespace morel::kernels
