// Plain-text output for people: aligned tables, sizes with units, counts
// with thousands separators, and model strings made safe for a terminal.
// Shared by the tools that print reports (inspect, compare, bench, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace morel::tools {

// "512 B", "1.5 KiB", "2.8 MiB", "1.1 GiB" (binary units, 1-2 decimals).
std::string format_bytes(int64_t bytes);
// "1,234,567".
std::string format_count(int64_t n);
// A float in the shortest form that reads back the same: "0.00784314", "-1", "0.5".
std::string format_float(float value);

// A string from a model file, fit for a terminal: control characters
// (escape sequences, newlines) as \xNN, and at most `max_chars` characters
// (counting UTF-8 code points), cut with "...".
std::string printable(std::string_view text, size_t max_chars = std::numeric_limits<size_t>::max());
// Display width in a terminal, counting UTF-8 code points.
size_t display_width(std::string_view text);

// Columns of text, padded to the widest cell. Columns whose cells are all
// empty are left out, headings included, so optional columns cost nothing.
class TextTable {
 public:
  // No heading row when every heading is empty.
  explicit TextTable(std::vector<std::string> headings);
  void align_right(size_t column);  // numbers
  void add_row(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Each line starts with `indent` spaces and ends with '\n'; trailing spaces trimmed.
  std::string render(size_t indent = 2) const;

 private:
  std::vector<std::string> headings_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace morel::tools
