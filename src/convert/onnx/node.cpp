#include "convert/onnx/node.h"
#include <algorithm>

#include <onnx/onnx_pb.h>

#include "morel/error.h"

namespace morel::onnxc {

namespace {
const std::string kEmpty;
}

Node::Node(const onnx::NodeProto& proto, std::string name, int opset,
           const std::filesystem::path& base_dir)
    : proto_(proto), name_(std::move(name)), opset_(opset), base_dir_(base_dir) {}

const std::string& Node::op_type() const {
  return proto_.op_type();
}
const std::string& Node::domain() const {
  return proto_.domain();
}

int Node::input_count() const {
  return proto_.input_size();
}
bool Node::has_input(int i) const {
  return i >= 0 && i < proto_.input_size() && !proto_.input(i).empty();
}
const std::string& Node::input(int i) const {
  return i >= 0 && i < proto_.input_size() ? proto_.input(i) : kEmpty;
}
int Node::output_count() const {
  return proto_.output_size();
}
bool Node::has_output(int i) const {
  return i >= 0 && i < proto_.output_size() && !proto_.output(i).empty();
}
const std::string& Node::output(int i) const {
  return i >= 0 && i < proto_.output_size() ? proto_.output(i) : kEmpty;
}

const onnx::AttributeProto* Node::find(const std::string& name) const {
  for (const auto& a : proto_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

bool Node::has_attr(const std::string& name) const {
  return find(name) != nullptr;
}

const onnx::AttributeProto& Node::typed(const std::string& name, int type,
                                        const char* type_name) const {
  const onnx::AttributeProto* a = find(name);
  if (!a) invalid("attribute '" + name + "' is required");
  // Writers that predate the `type` field leave it unset (0): trust the data.
  if (a->type() != 0 && a->type() != type)
    invalid("attribute '" + name + "' should be " + type_name + " (AttributeProto type " +
            std::to_string(type) + "), found type " + std::to_string(a->type()));
  return *a;
}

int64_t Node::attr_int(const std::string& name, int64_t fallback) const {
  return has_attr(name) ? attr_int(name) : fallback;
}
int64_t Node::attr_int(const std::string& name) const {
  return typed(name, onnx::AttributeProto::INT, "an int").i();
}
float Node::attr_float(const std::string& name, float fallback) const {
  if (!has_attr(name)) return fallback;
  const onnx::AttributeProto* a = find(name);
  if (a->type() == onnx::AttributeProto::INT) return static_cast<float>(a->i());
  return typed(name, onnx::AttributeProto::FLOAT, "a float").f();
}
std::string Node::attr_string(const std::string& name, const std::string& fallback) const {
  return has_attr(name) ? typed(name, onnx::AttributeProto::STRING, "a string").s() : fallback;
}
std::vector<int64_t> Node::attr_ints(const std::string& name,
                                     const std::vector<int64_t>& fallback) const {
  if (!has_attr(name)) return fallback;
  const auto& a = typed(name, onnx::AttributeProto::INTS, "a list of ints");
  return {a.ints().begin(), a.ints().end()};
}
std::vector<float> Node::attr_floats(const std::string& name,
                                     const std::vector<float>& fallback) const {
  if (!has_attr(name)) return fallback;
  const auto& a = typed(name, onnx::AttributeProto::FLOATS, "a list of floats");
  return {a.floats().begin(), a.floats().end()};
}
std::vector<std::string> Node::attr_strings(const std::string& name) const {
  if (!has_attr(name)) return {};
  const auto& a = typed(name, onnx::AttributeProto::STRINGS, "a list of strings");
  return {a.strings().begin(), a.strings().end()};
}
std::optional<Tensor> Node::attr_tensor(const std::string& name) const {
  if (!has_attr(name)) return std::nullopt;
  const auto& a = typed(name, onnx::AttributeProto::TENSOR, "a tensor");
  return tensor_from_proto(a.t(), label() + " attribute '" + name + "'", base_dir_);
}

std::vector<const onnx::AttributeProto*> Node::attributes() const {
  std::vector<const onnx::AttributeProto*> out;
  for (const auto& a : proto_.attribute()) out.push_back(&a);
  return out;
}

std::string Node::label() const {
  return "node '" + name_ + "' (" + op_type() + ")";
}

void Node::unsupported(const std::string& what) const {
  throw Error(ErrorCode::kUnsupported, label() + ": " + what);
}

void Node::invalid(const std::string& what) const {
  throw Error(ErrorCode::kInvalidModel, label() + ": " + what);
}

}  // namespace morel::onnxc
