// A view of one ONNX node for the op converters: its name, inputs, outputs
// and typed attribute access with defaults, and errors that name the node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convert/onnx/tensor.h"

namespace onnx {
class NodeProto;
class AttributeProto;
}  // namespace onnx

namespace morel::onnxc {

class Node {
 public:
  Node(const onnx::NodeProto& proto, std::string name, int opset,
       const std::filesystem::path& base_dir);

  const onnx::NodeProto& proto() const { return proto_; }
  const std::string& name() const { return name_; }
  const std::string& op_type() const;
  const std::string& domain() const;
  int opset() const { return opset_; }  // opset of the node's domain

  int input_count() const;      // as written, trailing omitted inputs included
  bool has_input(int i) const;  // present and not the empty name
  const std::string& input(int i) const;
  int output_count() const;
  bool has_output(int i) const;
  const std::string& output(int i) const;

  bool has_attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  int64_t attr_int(const std::string& name) const;  // required
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name,
                                 const std::vector<int64_t>& fallback = {}) const;
  std::vector<float> attr_floats(const std::string& name,
                                 const std::vector<float>& fallback = {}) const;
  std::vector<std::string> attr_strings(const std::string& name) const;  // empty when absent
  std::optional<Tensor> attr_tensor(const std::string& name) const;
  // Every attribute, for custom layers.
  std::vector<const onnx::AttributeProto*> attributes() const;

  // "node 'conv1' (Conv)".
  std::string label() const;
  // Error(kUnsupported): a form of the op that has no Core ML equivalent.
  [[noreturn]] void unsupported(const std::string& what) const;
  // Error(kInvalidModel): the node breaks the ONNX spec.
  [[noreturn]] void invalid(const std::string& what) const;

 private:
  const onnx::AttributeProto* find(const std::string& name) const;
  const onnx::AttributeProto& typed(const std::string& name, int type, const char* type_name) const;

  const onnx::NodeProto& proto_;
  std::string name_;
  int opset_;
  std::filesystem::path base_dir_;
};

}  // namespace morel::onnxc
