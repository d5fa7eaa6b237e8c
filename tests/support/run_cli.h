// Run the built `morel` command as a user would, capturing what it prints.
#pragma once

#include <string>
#include <vector>

namespace morel::test {

struct CliResult {
  int exit_code = -1;  // -1 when it did not exit normally (a crash signal)
  std::string out, err;
};

CliResult run_morel(const std::vector<std::string>& args);

// A fresh empty directory under the system temp dir, removed at exit.
std::string temp_dir();

}  // namespace morel::test
