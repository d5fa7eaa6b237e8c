#include "tools/load_model.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "morel/custom_layer.h"
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

Spec load_any_spec(const std::filesystem::path& path, const OnnxConvertOptions& onnx) {
  return is_onnx_path(path) ? convert_onnx(path, onnx) : load_spec(path);
}

Model load_any_model(const std::filesystem::path& path, const ModelOptions& options) {
  return load_any_model(path, options, OnnxConvertOptions{});
}

Model load_any_model(const std::filesystem::path& path, const ModelOptions& options,
                     const OnnxConvertOptions& onnx) {
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
    for (const auto& plugin : options.plugins) load_plugin(plugin.string());
    Spec spec = convert_onnx(path, onnx);
    try {
      return Model::from_spec(std::move(spec), options);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kPlugin) throw;
      throw Error(e.code(), path.string() + " (converted from ONNX): " + e.what());
    }
  }
  return Model::load(path, options);
}

}  // namespace morel::tools
