// The one place every command turns a model path into a runnable Model: a
// Core ML .mlmodel is loaded as it is; an .onnx file goes through the ONNX
// converter (in memory) first.
#pragma once

#include <filesystem>

#include "morel/convert_onnx.h"
#include "morel/model.h"

namespace morel::tools {

// Throws Error(kIo) when the file cannot be read, Error(kInvalidModel) when
// it is not a model, and Error(kUnsupported) for what morel cannot convert
// or run. Plugins in `options` are loaded before an ONNX model is converted,
// so that their custom layer classes can be asked for output shapes.
Model load_any_model(const std::filesystem::path& path, const ModelOptions& options = {});
// The same, with options for the ONNX conversion (ignored for .mlmodel files).
Model load_any_model(const std::filesystem::path& path, const ModelOptions& options,
                     const OnnxConvertOptions& onnx);

// The spec of a model file: a Core ML .mlmodel as it is, an .onnx converted
// (with `onnx` options). For commands that read or rewrite a model without
// running it (inspect, quantize). Same errors as load_any_model.
Spec load_any_spec(const std::filesystem::path& path, const OnnxConvertOptions& onnx = {});

// True when `path` names an ONNX model (by its extension).
bool is_onnx_path(const std::filesystem::path& path);

}  // namespace morel::tools
