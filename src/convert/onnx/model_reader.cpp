#include "convert/onnx/model_reader.h"
#include <algorithm>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fstream>
#include <sstream>

#include "morel/error.h"

namespace morel::onnxc {

int OnnxModel::opset(const std::string& domain) const {
  auto it = opsets.find(domain == "ai.onnx" ? std::string() : domain);
  return it == opsets.end() ? 0 : it->second;
}

OnnxModel read_onnx_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(ErrorCode::kIo, "cannot read " + path.string());
  return read_onnx_bytes(ss.str(), path.string(), path.parent_path());
}

OnnxModel read_onnx_bytes(std::string_view bytes, std::string_view origin,
                          const std::filesystem::path& base_dir) {
  OnnxModel m;
  m.origin = std::string(origin);
  m.base_dir = base_dir;
  if (bytes.empty())
    throw Error(ErrorCode::kInvalidModel, m.origin + " is empty; expected an ONNX model");
  google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(INT32_MAX);
  if (bytes.size() > static_cast<size_t>(INT32_MAX) || !m.proto.ParseFromCodedStream(&coded) ||
      !coded.ConsumedEntireMessage())
    throw Error(ErrorCode::kInvalidModel,
                m.origin + " is not an ONNX model (the bytes do not parse as onnx.ModelProto)");
  if (!m.proto.has_graph())
    throw Error(ErrorCode::kInvalidModel, m.origin + " has no graph; expected an ONNX model");
  for (const auto& o : m.proto.opset_import()) {
    std::string d = o.domain() == "ai.onnx" ? std::string() : o.domain();
    m.opsets[d] = static_cast<int>(o.version());
  }
  // Models from before opset_import (IR version < 3) use opset 1.
  if (m.opsets.find("") == m.opsets.end()) m.opsets[""] = m.proto.opset_import_size() == 0 ? 1 : 0;
  const int v = m.opsets[""];
  if (v != 0 && (v < kMinOpset || v > kMaxOpset))
    throw Error(ErrorCode::kUnsupported,
                m.origin + " uses ONNX opset " + std::to_string(v) + "; morel converts opsets " +
                    std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset));
  return m;
}

}  // namespace morel::onnxc
