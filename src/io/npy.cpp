// The .npy format: magic "\x93NUMPY", version, header length, a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, data.
#include "io/npy.h"

#include <cstring>
#include <fstream>
#include <limits>

#include "morel/error.h"

namespace morel::io {

namespace {

[[noreturn]] void bad(std::string_view origin, const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, std::string(origin) + ": " + message);
}

// Value of `key` in the header dict, as the raw text up to the next
// top-level comma or closing brace.
std::string dict_value(std::string_view header, std::string_view key, std::string_view origin) {
  std::string quoted(1, '\'');
  quoted.append(key).push_back('\'');
  size_t at = header.find(quoted);
  if (at == std::string_view::npos) bad(origin, "npy header has no '" + std::string(key) + "'");
  at = header.find(':', at + quoted.size());
  if (at == std::string_view::npos) bad(origin, "npy header is malformed");
  ++at;
  int depth = 0;
  size_t end = at;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  if (end == header.size())
    bad(origin, "npy header is malformed (unterminated '" + std::string(key) + "')");
  std::string v(header.substr(at, end - at));
  size_t a = v.find_first_not_of(" \t"), b = v.find_last_not_of(" \t");
  return a == std::string::npos ? "" : v.substr(a, b - a + 1);
}

// The NumPy name of a type code, for error messages: " (complex64)".
std::string numpy_name(const std::string& code) {
  static const std::pair<const char*, const char*> names[] = {
      {"i1", "int8"},        {"i2", "int16"},     {"u2", "uint16"},
      {"u4", "uint32"},      {"u8", "uint64"},    {"c8", "complex64"},
      {"c16", "complex128"}, {"f16", "float128"}, {"O", "object"}};
  for (const auto& [c, name] : names)
    if (code == c) return std::string(" (") + name + ")";
  if (!code.empty() && code[0] == 'U') return " (unicode string)";
  if (!code.empty() && code[0] == 'S') return " (byte string)";
  return "";
}

}  // namespace

MultiArray parse_npy(std::string_view bytes, std::string_view origin) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view("\x93NUMPY", 6))
    bad(origin, "not a .npy file (bad magic)");
  int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(origin, "truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= size_t(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    bad(origin, "unsupported .npy format version " + std::to_string(major));
  }
  if (bytes.size() < offset + header_len) bad(origin, "truncated .npy header");
  std::string_view header = bytes.substr(offset, header_len);
  std::string_view data = bytes.substr(offset + header_len);

  std::string descr = dict_value(header, "descr", origin);
  std::string fortran = dict_value(header, "fortran_order", origin);
  std::string shape_text = dict_value(header, "shape", origin);
  if (fortran != "False")
    bad(origin, "array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
  if (descr.size() < 3 || descr.front() != '\'' || descr.back() != '\'')
    bad(origin, "npy descr " + descr + " is malformed");
  std::string type = descr.substr(1, descr.size() - 2);
  if (type.size() >= 2 && type[0] == '>' && type.substr(1) != "u1" && type.substr(1) != "b1")
    bad(origin, "big-endian arrays (" + type + ") are not supported");
  if (type[0] == '<' || type[0] == '|' || type[0] == '=') type = type.substr(1);

  std::vector<int64_t> shape;
  {
    std::string s = shape_text;
    if (s.size() < 2 || s.front() != '(' || s.back() != ')')
      bad(origin, "npy shape " + s + " is malformed");
    s = s.substr(1, s.size() - 2);
    size_t pos = 0;
    while (pos < s.size()) {
      size_t comma = s.find(',', pos);
      std::string item =
          s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      size_t a = item.find_first_not_of(' ');
      if (a != std::string::npos) {
        item = item.substr(a);
        char* end = nullptr;
        long long d = std::strtoll(item.c_str(), &end, 10);
        while (end && (*end == ' ' || *end == 'L')) ++end;  // Python 2 wrote longs as 3L
        if (end == item.c_str() || *end != '\0' || d < 0 || d > (int64_t(1) << 40))
          bad(origin, "npy shape " + shape_text + " has a bad dimension");
        shape.push_back(d);
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d != 0 && count > std::numeric_limits<int64_t>::max() / d)
      bad(origin, "npy shape is too large");
    count *= d;
  }

  size_t item_size;
  DType dtype;
  if (type == "f4")
    item_size = 4, dtype = DType::kFloat32;
  else if (type == "f8")
    item_size = 8, dtype = DType::kFloat64;
  else if (type == "f2")
    item_size = 2, dtype = DType::kFloat16;
  else if (type == "i4")
    item_size = 4, dtype = DType::kInt32;
  else if (type == "i8")
    item_size = 8, dtype = DType::kInt32;
  else if (type == "u1" || type == "b1")
    item_size = 1, dtype = DType::kInt32;
  else
    bad(origin, "npy dtype '" + type + "'" + numpy_name(type) +
                    " is not supported; save the array as float32, float64 or int32 "
                    "(float16, int64, uint8 and bool are read too)");
  if (static_cast<uint64_t>(count) > data.size() / item_size)
    bad(origin, "npy data is shorter than its shape " + shape_text + " needs");

  MultiArray out(dtype, shape);
  if (type == "i8") {
    int32_t* d = out.data<int32_t>();
    for (int64_t i = 0; i < count; ++i) {
      int64_t v;
      std::memcpy(&v, data.data() + i * 8, 8);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        bad(origin, "int64 value " + std::to_string(v) + " does not fit in int32");
      d[i] = static_cast<int32_t>(v);
    }
  } else if (item_size == 1) {
    int32_t* d = out.data<int32_t>();
    for (int64_t i = 0; i < count; ++i) d[i] = static_cast<uint8_t>(data[i]);
  } else if (count > 0) {
    std::memcpy(out.raw_data(), data.data(), static_cast<size_t>(count) * item_size);
  }
  return out;
}

MultiArray read_npy(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(ErrorCode::kIo, path.string() + ": is a folder, not a .npy file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path.string());
}

std::string serialize_npy(const MultiArray& array) {
  std::string descr;
  switch (array.dtype()) {
    case DType::kFloat32: descr = "<f4"; break;
    case DType::kFloat64: descr = "<f8"; break;
    case DType::kInt32: descr = "<i4"; break;
    case DType::kFloat16: descr = "<f2"; break;
  }
  // A Python tuple: "()", "(3,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < array.shape().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape()[i]);
  shape += array.shape().size() == 1 ? ",)" : ")";
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary, header ends with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(static_cast<const char*>(array.raw_data()), array.size_bytes());
  return out;
}

void write_npy(const std::filesystem::path& path, const MultiArray& array) {
  std::string bytes = serialize_npy(array);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": write failed");
}

}  // namespace morel::io
