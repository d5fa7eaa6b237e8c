// Run the built `morel` command as a subprocess and capture what it prints,
// for end-to-end tests of the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace morel::test {

struct CliResult {
  int exit_code = -1;  // 128 + N when killed by signal N
  std::string out;     // stdout
  std::string err;     // stderr
};

// build/bin/morel with these arguments (no shell interpretation).
CliResult run_morel(const std::vector<std::string>& args);

// A fresh, empty folder under the build directory for one test's files.
std::filesystem::path scratch_dir(const std::string& name);

}  // namespace morel::test
