// allocate_large: 2 MiB alignment for buffers of 2 MiB or more (so that
// transparent huge pages can back them), 64 bytes for the rest.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "kernels/large_buffer.h"

namespace morel::test {
namespace {

uintptr_t address(const kernels::LargeBuffer& b) {
  return reinterpret_cast<uintptr_t>(b.get());
}

TEST(LargeBuffer, AlignmentFollowsTheSize) {
  for (size_t bytes : {size_t{1}, size_t{100}, (size_t{2} << 20) - 1}) {
    const kernels::LargeBuffer b = kernels::allocate_large(bytes);
    ASSERT_TRUE(b);
    EXPECT_EQ(address(b) % 64, 0u) << bytes;
    std::memset(b.get(), 1, bytes);
  }
  for (size_t bytes : {size_t{2} << 20, (size_t{5} << 20) + 3}) {
    const kernels::LargeBuffer b = kernels::allocate_large(bytes);
    ASSERT_TRUE(b);
    EXPECT_EQ(address(b) % (size_t{2} << 20), 0u) << bytes;
    std::memset(b.get(), 1, bytes);
  }
  EXPECT_TRUE(kernels::allocate_large(0)) << "an empty buffer is still a buffer";
}

}  // namespace
}  // namespace morel::test
