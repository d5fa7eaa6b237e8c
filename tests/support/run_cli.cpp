#include "support/run_cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/paths.h"

namespace morel::test {

namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};

}  // namespace

std::string temp_dir() {
  static TempDirs all;
  static std::atomic<int> counter{0};
  std::filesystem::path d =
      std::filesystem::temp_directory_path() /
      ("morel-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(d);
  all.dirs.push_back(d);
  return d.string();
}

CliResult run_morel(const std::vector<std::string>& args) {
  static const std::string dir = temp_dir();
  static std::atomic<int> counter{0};
  int n = counter++;
  std::string out = dir + "/out" + std::to_string(n), err = dir + "/err" + std::to_string(n);
  std::string cmd = quote((binary_dir() / "bin" / "morel").string());
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " >" + quote(out) + " 2>" + quote(err) + " </dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace morel::test
