// Names from a model file inside error messages: quoted, with control
// characters (a NUL would cut the message short) written as \xNN.
#pragma once

#include <string>
#include <string_view>

namespace morel::format_detail {

inline std::string quote_name(std::string_view name) {
  static const char* const kHex = "0123456789abcdef";
  std::string out = "'";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace morel::format_detail
