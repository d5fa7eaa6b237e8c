#include "support/paths.h"

#include <gtest/gtest.h>

namespace morel::test {

std::filesystem::path source_dir() {
  return MOREL_SOURCE_DIR;
}
std::filesystem::path fixtures_dir() {
  return source_dir() / "tests" / "fixtures";
}
std::filesystem::path binary_dir() {
  return MOREL_BINARY_DIR;
}

std::filesystem::path testdata_dir() {
  std::filesystem::path dir = std::filesystem::path(MOREL_SHARED_DIR) / "testdata";
  EXPECT_TRUE(std::filesystem::is_directory(dir))
      << dir << " is missing: the shared test data must sit beside the clone";
  return dir;
}

}  // namespace morel::test
