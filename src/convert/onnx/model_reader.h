// Reading an ONNX model: parse the protobuf, check what the converter relies
// on (a graph, an opset for the default domain in the supported range) and
// collect the opset version of every domain.
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace morel::onnxc {

// The default-domain opsets the converter knows the semantics of.
inline constexpr int kMinOpset = 1;
inline constexpr int kMaxOpset = 25;

struct OnnxModel {
  onnx::ModelProto proto;
  std::map<std::string, int> opsets;  // domain ("" for the default) -> version
  std::string origin;                 // file name, for messages
  std::filesystem::path base_dir;     // for external data
  int opset(const std::string& domain) const;
};

// Throws Error(kIo) when the file cannot be read and Error(kInvalidModel)
// when it is not an ONNX model; Error(kUnsupported) for an opset outside
// [kMinOpset, kMaxOpset].
OnnxModel read_onnx_file(const std::filesystem::path& path);
OnnxModel read_onnx_bytes(std::string_view bytes, std::string_view origin,
                          const std::filesystem::path& base_dir);

}  // namespace morel::onnxc
