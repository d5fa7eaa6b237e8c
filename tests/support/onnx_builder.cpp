#include "support/onnx_builder.h"

#include <fstream>

#include "support/paths.h"

namespace morel::test {

namespace {

void set_type(onnx::ValueInfoProto* vi, const std::vector<int64_t>& dims, int elem_type,
              bool shape) {
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  if (!shape) return;
  auto* s = t->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = s->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
}

onnx::AttributeProto* add_attr(onnx::NodeProto& n, const std::string& name,
                               onnx::AttributeProto::AttributeType type) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}

}  // namespace

OnnxBuilder::OnnxBuilder(int opset, const std::string& domain) {
  model.set_ir_version(8);
  model.set_producer_name("morel-tests");
  auto* o = model.add_opset_import();
  o->set_domain(domain);
  o->set_version(opset);
  model.mutable_graph()->set_name("test");
}

OnnxBuilder& OnnxBuilder::input(const std::string& name, const std::vector<int64_t>& dims,
                                int elem_type) {
  auto* vi = model.mutable_graph()->add_input();
  vi->set_name(name);
  set_type(vi, dims, elem_type, true);
  return *this;
}

OnnxBuilder& OnnxBuilder::output(const std::string& name, const std::vector<int64_t>& dims,
                                 int elem_type, bool declare_shape) {
  auto* vi = model.mutable_graph()->add_output();
  vi->set_name(name);
  set_type(vi, dims, elem_type, declare_shape || !dims.empty());
  return *this;
}

OnnxBuilder& OnnxBuilder::value_info(const std::string& name, const std::vector<int64_t>& dims,
                                     int elem_type) {
  auto* vi = model.mutable_graph()->add_value_info();
  vi->set_name(name);
  set_type(vi, dims, elem_type, true);
  return *this;
}

OnnxBuilder& OnnxBuilder::initializer(const std::string& name, const std::vector<int64_t>& dims,
                                      const std::vector<float>& values) {
  auto* t = model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
  return *this;
}

OnnxBuilder& OnnxBuilder::initializer_i64(const std::string& name, const std::vector<int64_t>& dims,
                                          const std::vector<int64_t>& values) {
  auto* t = model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t v : values) t->add_int64_data(v);
  return *this;
}

OnnxBuilder& OnnxBuilder::opset_import(const std::string& domain, int version) {
  auto* o = model.add_opset_import();
  o->set_domain(domain);
  o->set_version(version);
  return *this;
}

onnx::NodeProto& OnnxBuilder::node(const std::string& op_type,
                                   const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs,
                                   const std::string& name) {
  auto* n = model.mutable_graph()->add_node();
  n->set_op_type(op_type);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

std::string OnnxBuilder::bytes() const {
  return model.SerializeAsString();
}

std::filesystem::path OnnxBuilder::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary);
  out << bytes();
  return path;
}

void set_attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
  add_attr(n, name, onnx::AttributeProto::INT)->set_i(v);
}
void set_attr(onnx::NodeProto& n, const std::string& name, float v) {
  add_attr(n, name, onnx::AttributeProto::FLOAT)->set_f(v);
}
void set_attr(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  add_attr(n, name, onnx::AttributeProto::STRING)->set_s(v);
}
void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = add_attr(n, name, onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = add_attr(n, name, onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

std::filesystem::path scratch_dir(const std::string& test_name) {
  std::filesystem::path dir = binary_dir() / "test-scratch" / test_name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace morel::test
