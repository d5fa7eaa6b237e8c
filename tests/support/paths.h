// Where tests find their data: the repository's own fixtures, and the team's
// shared test data beside the clone (../shared/testdata), read in place.
#pragma once

#include <filesystem>

namespace morel::test {

std::filesystem::path source_dir();
std::filesystem::path fixtures_dir();  // tests/fixtures
// ../shared/testdata; fails the calling test (not skips) when it is missing.
std::filesystem::path testdata_dir();
std::filesystem::path binary_dir();  // the build directory

}  // namespace morel::test
