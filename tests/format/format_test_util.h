// Helpers shared by the model-format tests: the real coremltools models in
// the shared test data, and reading files whole.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "morel/error.h"
#include "morel/spec.h"
#include "support/paths.h"

namespace morel::test {

inline std::filesystem::path coreml_dir() {
  return std::filesystem::path(MOREL_SHARED_DIR) / "testdata" / "coreml";
}

// Every .mlmodel below ../shared/testdata/coreml, as paths relative to it,
// sorted. Empty when the data is missing (tests that need it fail on that).
inline std::vector<std::string> real_model_names() {
  std::vector<std::string> names;
  std::error_code ec;
  if (!std::filesystem::is_directory(coreml_dir(), ec)) return names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(coreml_dir(), ec))
    if (e.is_regular_file() && e.path().extension() == ".mlmodel")
      names.push_back(std::filesystem::relative(e.path(), coreml_dir()).generic_string());
  std::sort(names.begin(), names.end());
  return names;
}

// The number of real models the shared data holds (see its README).
inline constexpr size_t kRealModelCount = 62;

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline Spec load_real(const std::string& name) {
  return load_spec(coreml_dir() / name);
}

// "torch/conv2d_basic.mlmodel" -> "torch_conv2d_basic", for test names.
inline std::string test_name_of(const std::string& name) {
  std::string out;
  for (char c : name.substr(0, name.rfind('.')))
    out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

}  // namespace morel::test
