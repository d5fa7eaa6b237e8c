#include "convert/onnx/context.h"
#include <algorithm>

#include "graph/graph.h"
#include "morel/error.h"

namespace morel::onnxc {

Dims runtime_dims(const Dims& shape) {
  return shape.empty() ? Dims{1} : shape;
}

Context::Context(const OnnxConvertOptions& options, std::filesystem::path base_dir)
    : options_(options), base_dir_(std::move(base_dir)) {}

std::string Context::where() const {
  return current_ ? current_->label() + ": " : std::string();
}

const Value& Context::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw Error(ErrorCode::kInvalidModel,
                where() + "value '" + name +
                    "' is used before it is defined (not a graph input, an initializer or the "
                    "output of an earlier node; ONNX graphs must be topologically sorted)");
  return it->second;
}

const Value& Context::input(const Node& node, int i) const {
  if (!node.has_input(i)) node.invalid("input " + std::to_string(i) + " is required but missing");
  return value(node.input(i));
}

const Tensor* Context::constant_input(const Node& node, int i) const {
  if (!node.has_input(i)) return nullptr;
  const Value& v = value(node.input(i));
  return v.constant ? &*v.constant : nullptr;
}

const Tensor& Context::require_constant(const Node& node, int i, const std::string& what) const {
  const Value& v = input(node, i);
  if (!v.constant)
    node.unsupported(what + " (input " + std::to_string(i) + ", '" + node.input(i) +
                     "') must be known at conversion time: an initializer, a Constant, or "
                     "computed from shapes; it is only known at run time here");
  return *v.constant;
}

void Context::define_constant(const std::string& name, Tensor t) {
  Value v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.constant = std::move(t);
  values_[name] = std::move(v);
  journal_.emplace_back(Undo::kValue, name);
}

void Context::define_input(const std::string& name, int dtype, const Dims& shape) {
  Value v;
  v.dtype = dtype;
  v.shape = shape;
  v.blob = name;
  values_[name] = std::move(v);
  used_blobs_.insert(name);
  blob_shapes_[name] = runtime_dims(shape);
}

void Context::define(const Node& node, const std::string& name, const std::string& blob, int dtype,
                     const Dims& shape) {
  const Dims want = runtime_dims(shape);
  std::string b = blob;
  const Dims& got = blob_shape(blob);
  if (got != want) {
    if (element_count(got) != element_count(want))
      throw Error(ErrorCode::kInvalidModel, node.label() + ": internal error: output '" + name +
                                                "' should have shape " + shape_str(shape) +
                                                " but the emitted layers compute " +
                                                shape_str(got) + " (please report this model)");
    spec::NeuralNetworkLayer l;
    l.set_name(layer_name(name + "/reshape"));
    l.add_input(blob);
    b = fresh(name);
    l.add_output(b);
    for (int64_t d : want) l.mutable_reshapestatic()->add_targetshape(d);
    emit(std::move(l));
  }
  Value v;
  v.dtype = dtype;
  v.shape = shape;
  v.blob = b;
  values_[name] = std::move(v);
  journal_.emplace_back(Undo::kValue, name);
}

void Context::alias(const std::string& name, const std::string& from, std::optional<int> dtype) {
  Value v = value(from);
  if (dtype) {
    v.dtype = *dtype;
    if (v.constant) v.constant = v.constant->cast(*dtype);
  }
  values_[name] = std::move(v);
  journal_.emplace_back(Undo::kValue, name);
}

std::string Context::blob(const std::string& value_name) {
  auto it = values_.find(value_name);
  if (it == values_.end()) value(value_name);  // throws
  Value& v = it->second;
  if (!v.blob.empty()) return v.blob;
  // A constant needed at run time.
  const Tensor& t = *v.constant;
  spec::NeuralNetworkLayer l;
  l.set_name(layer_name(value_name + "/const"));
  const std::string b = fresh(value_name);
  l.add_output(b);
  auto* p = l.mutable_loadconstantnd();
  const Dims dims = runtime_dims(t.shape());
  for (int64_t d : dims) {
    if (d == 0)
      throw Error(ErrorCode::kUnsupported,
                  where() + "constant '" + value_name + "' has shape " + shape_str(t.shape()) +
                      "; Core ML tensors cannot have a dimension of size 0");
    p->add_shape(static_cast<uint64_t>(d));
  }
  if (t.is_int()) {
    for (float f : t.floats()) p->mutable_data()->add_floatvalue(f);
  } else {
    const auto& f = t.float_data();
    p->mutable_data()->mutable_floatvalue()->Add(f.begin(), f.end());
  }
  emit_known(std::move(l), {dims});
  v.blob = b;
  journal_.emplace_back(Undo::kMaterialized, value_name);
  return b;
}

std::string Context::input_blob(const Node& node, int i) {
  input(node, i);  // checks presence
  return blob(node.input(i));
}

std::string Context::fresh(const std::string& hint) {
  std::string base = hint.empty() ? std::string("blob") : hint;
  std::string name = base;
  if (used_blobs_.count(name) || reserved_.count(name)) {
    int& n = next_suffix_[base];
    do {
      name = base + "_" + std::to_string(++n);
    } while (used_blobs_.count(name) || reserved_.count(name));
  }
  used_blobs_.insert(name);
  journal_.emplace_back(Undo::kBlob, name);
  return name;
}

std::string Context::layer_name(const std::string& hint) {
  std::string base = hint.empty() ? std::string("layer") : hint;
  std::string name = base;
  if (used_layers_.count(name)) {
    int& n = next_suffix_["layer:" + base];
    do {
      name = base + "_" + std::to_string(++n);
    } while (used_layers_.count(name));
  }
  used_layers_.insert(name);
  journal_.emplace_back(Undo::kLayerName, name);
  return name;
}

std::vector<Dims> Context::emit(spec::NeuralNetworkLayer&& layer) {
  graph::LowerContext lc;
  lc.rank5 = false;
  lc.spec_version = 5;
  std::vector<Shape> in;
  for (const auto& b : layer.input()) {
    const Dims& d = blob_shape(b);
    in.emplace_back(std::span<const int64_t>(d));
  }
  std::vector<Shape> out;
  try {
    std::unique_ptr<graph::Op> op = graph::lower_layer(layer, lc);
    out = op->infer_shapes(in);
  } catch (const Error& e) {
    throw Error(e.code(), where() + "the Core ML layer made for it does not fit: " + e.what());
  }
  if (out.size() != static_cast<size_t>(layer.output_size()))
    throw Error(ErrorCode::kInvalidModel, where() + "internal error: layer '" + layer.name() +
                                              "' produces " + std::to_string(out.size()) +
                                              " outputs but names " +
                                              std::to_string(layer.output_size()));
  std::vector<Dims> shapes;
  for (const Shape& s : out) shapes.push_back(s.to_vector());
  emit_known(std::move(layer), shapes);
  return shapes;
}

void Context::emit_known(spec::NeuralNetworkLayer&& layer, const std::vector<Dims>& output_shapes) {
  for (int i = 0; i < layer.output_size() && i < static_cast<int>(output_shapes.size()); ++i)
    blob_shapes_[layer.output(i)] = output_shapes[i];
  network_.add_layers()->Swap(&layer);
}

const Dims& Context::blob_shape(const std::string& blob) const {
  auto it = blob_shapes_.find(blob);
  if (it == blob_shapes_.end())
    throw Error(ErrorCode::kInvalidModel,
                where() + "internal error: blob '" + blob + "' is unknown");
  return it->second;
}

void Context::rollback(const Mark& m) {
  while (network_.layers_size() > m.layers) network_.mutable_layers()->RemoveLast();
  while (journal_.size() > m.journal) {
    auto [kind, name] = journal_.back();
    journal_.pop_back();
    switch (kind) {
      case Undo::kValue: values_.erase(name); break;
      case Undo::kMaterialized: values_[name].blob.clear(); break;
      case Undo::kBlob:
        used_blobs_.erase(name);
        blob_shapes_.erase(name);
        break;
      case Undo::kLayerName: used_layers_.erase(name); break;
    }
  }
}

}  // namespace morel::onnxc
