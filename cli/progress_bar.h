// A one-line progress bar on stderr, drawn only when stderr is a terminal
// (never in pipes or CI logs; see ../shared/CLI.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace morel::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most every 100 ms, and always at completion.
  void update(int64_t done, int64_t total);
  // Clears the line (also done by the destructor).
  void finish();
  bool enabled() const { return enabled_; }

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace morel::cli
