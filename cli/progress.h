// A one-line progress bar on stderr for long work (batches, big models).
// It draws only when stderr is a terminal, so logs and pipes stay clean
// (see CLI.md); redraws are limited to about ten a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace morel::cli {

class Progress {
 public:
  // `total` items of work, named by `label` ("predicting").
  Progress(std::string label, int64_t total);
  ~Progress();  // finishes the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t items = 1);
  // Erase the bar, e.g. before printing to the same terminal; the next
  // advance() draws it again.
  void clear();
  // Draw the final state and end the line.
  void finish();

  bool enabled() const { return enabled_; }
  double elapsed_seconds() const;

 private:
  void draw();

  std::string label_;
  int64_t total_ = 0, done_ = 0;
  bool enabled_ = false, finished_ = false, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// The bar's text for `width` columns: "predicting [#####.....] 42/100 12.3/s 5s left".
std::string render_progress(std::string_view label, int64_t done, int64_t total,
                            double elapsed_seconds, int width);

// Whether stderr is a terminal.
bool stderr_is_terminal();
bool stdout_is_terminal();

}  // namespace morel::cli
