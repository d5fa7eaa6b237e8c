#include "tools/load_model.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "morel/error.h"

namespace morel::tools {

namespace {

std::string lower_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

bool is_onnx_path(const std::filesystem::path& path) {
  return lower_extension(path) == ".onnx";
}

Model load_any_model(const std::filesystem::path& path, const ModelOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::kIo, path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) {
    std::string hint = lower_extension(path) == ".mlpackage"
                           ? " (an .mlpackage holds an ML program; morel reads .mlmodel files)"
                           : "";
    throw Error(ErrorCode::kIo, path.string() + ": is a folder, not a model file" + hint);
  }
  if (is_onnx_path(path)) {
    // The ONNX converter (src/convert/onnx) plugs in here: convert to a Spec,
    // then Model::from_spec(spec, options).
    throw Error(ErrorCode::kUnsupported,
                path.string() +
                    ": ONNX models need the converter: not built yet "
                    "(convert the model to .mlmodel with another tool for now)");
  }
  return Model::load(path, options);
}

}  // namespace morel::tools
