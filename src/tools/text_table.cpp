#include "tools/text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace morel::tools {

std::string format_bytes(int64_t bytes) {
  if (bytes < 0) return "?";
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, value < 10 ? "%.2f %s" : "%.1f %s", value, kUnits[unit]);
  return buf;
}

std::string format_count(int64_t n) {
  const bool negative = n < 0;
  // Through unsigned so that INT64_MIN negates without overflow.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(u);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string format_float(float value) {
  char buf[32];
  for (int precision = 6; precision <= 9; ++precision) {  // 9 digits always read back
    std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(value));
    if (std::isnan(value) || std::strtof(buf, nullptr) == value) break;
  }
  return buf;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++width;  // not a continuation byte
  return width;
}

std::string printable(std::string_view text, size_t max_chars) {
  static const char* const kHex = "0123456789abcdef";
  // Each unit is what one character of `text` shows as: itself (a UTF-8
  // sequence) or its \xNN escape.
  struct Unit {
    std::string text;
    size_t width;
  };
  std::vector<Unit> units;
  size_t width = 0;
  auto escape = [&](unsigned char u) {
    units.push_back({{'\\', 'x', kHex[u >> 4], kHex[u & 15]}, 4});
    width += 4;
  };
  for (size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7f) {  // C0 controls and DEL
      escape(u);
      ++i;
      continue;
    }
    const size_t len = u < 0x80             ? 1
                       : (u & 0xe0) == 0xc0 ? 2
                       : (u & 0xf0) == 0xe0 ? 3
                       : (u & 0xf8) == 0xf0 ? 4
                                            : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    // C1 controls (U+0080..U+009F) act as escape sequences on some terminals.
    if (valid && len == 2 && u == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0)
      valid = false;
    if (!valid) {  // not UTF-8: show the byte
      escape(u);
      ++i;
      continue;
    }
    units.push_back({std::string(text.substr(i, len)), 1});
    width += 1;
    i += len;
  }
  std::string out;
  if (width <= max_chars) {
    for (const auto& unit : units) out += unit.text;
    return out;
  }
  const size_t room = max_chars > 3 ? max_chars - 3 : 0;
  size_t used = 0;
  for (const auto& unit : units) {
    if (used + unit.width > room) break;
    out += unit.text;
    used += unit.width;
  }
  return out + "...";
}

TextTable::TextTable(std::vector<std::string> headings)
    : headings_(std::move(headings)), right_(headings_.size(), false) {}

void TextTable::align_right(size_t column) {
  if (column < right_.size()) right_[column] = true;
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(headings_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(size_t indent) const {
  const size_t n = headings_.size();
  std::vector<size_t> width(n, 0);
  std::vector<bool> used(n, false);
  for (const auto& row : rows_)
    for (size_t c = 0; c < n; ++c)
      if (!row[c].empty()) {
        used[c] = true;
        width[c] = std::max(width[c], display_width(row[c]));
      }
  const bool headed = std::any_of(headings_.begin(), headings_.end(),
                                  [](const std::string& h) { return !h.empty(); });
  if (headed)
    for (size_t c = 0; c < n; ++c)
      if (used[c]) width[c] = std::max(width[c], display_width(headings_[c]));

  auto line = [&](const std::vector<std::string>& cells) {
    std::string out(indent, ' ');
    bool first = true;
    for (size_t c = 0; c < n; ++c) {
      if (!used[c]) continue;
      if (!first) out += "  ";
      first = false;
      const size_t pad = width[c] - std::min(width[c], display_width(cells[c]));
      if (right_[c])
        out += std::string(pad, ' ') + cells[c];
      else
        out += cells[c] + std::string(pad, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out;
  if (headed && !rows_.empty()) out += line(headings_);
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace morel::tools
