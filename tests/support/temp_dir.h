// A fresh folder under the system temp directory for one test, removed when
// it goes out of scope. Names carry the process id, so tests of several
// builds (worktrees, ctest -j) running at once never share one.
#pragma once

#include <filesystem>
#include <string>

namespace morel::test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Leave the folder in place (to inspect it after a failure).
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace morel::test
