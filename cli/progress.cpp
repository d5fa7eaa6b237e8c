#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace morel::cli {

namespace {

int terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string seconds_text(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", int(s) / 60, int(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", int(s) / 3600, int(s) % 3600 / 60);
  return buf;
}

}  // namespace

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}
bool stdout_is_terminal() {
  return isatty(STDOUT_FILENO) == 1;
}

std::string render_progress(std::string_view label, int64_t done, int64_t total,
                            double elapsed_seconds, int width) {
  done = std::clamp<int64_t>(done, 0, std::max<int64_t>(total, 0));
  std::string counts = " " + std::to_string(done) + "/" + std::to_string(total);
  if (elapsed_seconds > 0 && done > 0) {
    double rate = done / elapsed_seconds;
    char buf[48];
    std::snprintf(buf, sizeof buf, " %.1f/s", rate);
    counts += buf;
    if (done < total) counts += " " + seconds_text((total - done) / rate) + " left";
  }
  std::string head(label);
  // Whatever room is left (at least 10 columns) is the bar.
  int bar = width - static_cast<int>(head.size() + counts.size()) - 3;
  if (bar < 10) {
    return head + counts;
  }
  int filled =
      total > 0 ? static_cast<int>(std::floor(double(bar) * double(done) / double(total))) : bar;
  return head + " [" + std::string(size_t(filled), '#') + std::string(size_t(bar - filled), '.') +
         "]" + counts;
}

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(stderr_is_terminal()),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) draw();
}

Progress::~Progress() {
  finish();
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t items) {
  done_ += items;
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (!drawn_ || done_ >= total_ || now - last_draw_ >= std::chrono::milliseconds(100)) draw();
}

void Progress::draw() {
  last_draw_ = std::chrono::steady_clock::now();
  std::string line =
      render_progress(label_, done_, total_, elapsed_seconds(), terminal_width() - 1);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!enabled_ || !drawn_ || finished_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  draw();
  std::fputs("\n", stderr);
  std::fflush(stderr);
  finished_ = true;
}

}  // namespace morel::cli
