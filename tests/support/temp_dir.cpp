#include "support/temp_dir.h"

#include <unistd.h>

#include <atomic>

namespace morel::test {

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("morel_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!keep_) std::filesystem::remove_all(path_, ec);
}

}  // namespace morel::test
