// Running a program (the built `morel`) as a child process and capturing
// what it prints, for end-to-end tests of the command line.
#pragma once

#include <string>
#include <vector>

namespace morel::test {

struct ProcessResult {
  int exit_code = -1;     // the exit status; 128 + N when killed by signal N
  bool signaled = false;  // killed by a signal (a crash, or the timeout)
  bool timed_out = false;
  std::string out, err;
};

struct ProcessOptions {
  // Give the child a pseudo-terminal as stderr (so isatty(2) is true); what
  // it writes there lands in `err`.
  bool stderr_terminal = false;
  int timeout_seconds = 300;
};

// argv[0] is the program path. Never throws for a failing child; a child
// that cannot start exits with 127.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// "'a' 'b c'": a command line for failure messages.
std::string command_text(const std::vector<std::string>& argv);

}  // namespace morel::test
