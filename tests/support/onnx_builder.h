// A small builder for ONNX models in tests: inputs, outputs, initializers and
// nodes with attributes, written with the ONNX protobuf schema.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace morel::test {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 13, const std::string& domain = "");

  // Dimensions < 0 are symbolic ("N").
  OnnxBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                     int elem_type = onnx::TensorProto::FLOAT);
  // No dims: the output's shape is not declared.
  OnnxBuilder& output(const std::string& name, const std::vector<int64_t>& dims = {},
                      int elem_type = onnx::TensorProto::FLOAT, bool declare_shape = false);
  OnnxBuilder& value_info(const std::string& name, const std::vector<int64_t>& dims,
                          int elem_type = onnx::TensorProto::FLOAT);
  OnnxBuilder& initializer(const std::string& name, const std::vector<int64_t>& dims,
                           const std::vector<float>& values);
  OnnxBuilder& initializer_i64(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<int64_t>& values);
  OnnxBuilder& opset_import(const std::string& domain, int version);

  onnx::NodeProto& node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "");

  std::string bytes() const;
  // Writes the model; returns the path.
  std::filesystem::path save(const std::filesystem::path& path) const;

  onnx::ModelProto model;
};

void set_attr(onnx::NodeProto& n, const std::string& name, int64_t v);
void set_attr(onnx::NodeProto& n, const std::string& name, float v);
void set_attr(onnx::NodeProto& n, const std::string& name, const std::string& v);
void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v);

// A fresh scratch directory under the build tree for one test.
std::filesystem::path scratch_dir(const std::string& test_name);

}  // namespace morel::test
