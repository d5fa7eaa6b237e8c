// Run a program (the `morel` command) as a subprocess and collect what it
// printed and how it ended, for end-to-end tests of the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace morel::test {

struct CommandResult {
  int exit_code = -1;  // the exit status; -1 when it did not exit normally
  int signal = 0;      // the signal that ended it, if one did
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `program` with `args` (no shell, so no quoting), stdin from /dev/null.
CommandResult run_command(const std::filesystem::path& program,
                          const std::vector<std::string>& args);

// The `morel` binary of this build.
std::filesystem::path morel_binary();

}  // namespace morel::test
