// The converter's driver: initializers and graph inputs become values, each
// node is folded, converted by a built-in converter, by a user conversion
// function, or kept as a custom layer; then the model's features, options
// and specification version are set.
#include <onnx/onnx_pb.h>
#include <algorithm>

#include <set>

#include "convert/onnx/context.h"
#include "convert/onnx/custom.h"
#include "convert/onnx/features.h"
#include "convert/onnx/fold.h"
#include "convert/onnx/model_reader.h"
#include "convert/onnx/ops.h"
#include "morel/convert_onnx.h"
#include "morel/error.h"

namespace morel {

namespace onnxc {
namespace {

// Element type and static shape of a graph input. Symbolic or unknown
// dimensions come from options.input_shapes, else 1.
FeatureInfo graph_input(const onnx::ValueInfoProto& vi, const OnnxConvertOptions& options) {
  FeatureInfo f;
  f.name = vi.name();
  if (!vi.type().has_tensor_type())
    throw Error(
        ErrorCode::kUnsupported,
        "graph input '" + vi.name() +
            "' is not a tensor (sequences, maps and optionals have no Core ML feature type)");
  const auto& tt = vi.type().tensor_type();
  f.dtype = tt.elem_type();
  if (!is_numeric_type(f.dtype))
    throw Error(ErrorCode::kUnsupported, "graph input '" + vi.name() + "' has element type " +
                                             dtype_name(f.dtype) +
                                             "; Core ML network inputs are numeric arrays");
  auto given = options.input_shapes.find(vi.name());
  if (given != options.input_shapes.end()) {
    if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(given->second.size()))
      throw Error(ErrorCode::kInvalidArgument, "input shape for '" + vi.name() + "' has rank " +
                                                   std::to_string(given->second.size()) +
                                                   "; the model declares rank " +
                                                   std::to_string(tt.shape().dim_size()));
    for (int i = 0; tt.has_shape() && i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (d.has_dim_value() && d.dim_value() != given->second[i])
        throw Error(ErrorCode::kInvalidArgument,
                    "input shape for '" + vi.name() + "' gives " +
                        std::to_string(given->second[i]) + " for dimension " + std::to_string(i) +
                        ", which the model fixes at " + std::to_string(d.dim_value()));
    }
    f.shape = given->second;
  } else {
    if (!tt.has_shape())
      throw Error(ErrorCode::kUnsupported,
                  "graph input '" + vi.name() +
                      "' has no declared shape; give one with --input-shape NAME=DIMS");
    for (const auto& d : tt.shape().dim()) f.shape.push_back(d.has_dim_value() ? d.dim_value() : 1);
  }
  for (int64_t d : f.shape)
    if (d <= 0)
      throw Error(ErrorCode::kUnsupported, "graph input '" + vi.name() + "' has shape " +
                                               shape_str(f.shape) +
                                               "; Core ML inputs need every dimension >= 1");
  return f;
}

// A graph input fixed to a value: cast to its declared type, its shape
// checked against the declared one.
Tensor constant_input(const onnx::ValueInfoProto& vi, const OnnxTensor& value) {
  const std::string what = "constant value for input '" + vi.name() + "'";
  Tensor t = Tensor::from_public(value, what);
  if (vi.type().has_tensor_type()) {
    const auto& tt = vi.type().tensor_type();
    if (tt.has_shape()) {
      bool ok = tt.shape().dim_size() == t.rank();
      for (int i = 0; ok && i < tt.shape().dim_size(); ++i)
        ok = !tt.shape().dim(i).has_dim_value() || tt.shape().dim(i).dim_value() == t.shape()[i];
      if (!ok)
        throw Error(ErrorCode::kInvalidArgument,
                    what + " has shape " + shape_str(t.shape()) +
                        ", which the model's declaration does not allow");
    }
    if (is_numeric_type(tt.elem_type())) t = t.cast(tt.elem_type());
  }
  return t;
}

// Types the model declares with every dimension known.
DeclaredTypes declared_types(const onnx::GraphProto& g) {
  DeclaredTypes out;
  auto add = [&](const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    DeclaredType t;
    t.dtype = vi.type().tensor_type().elem_type();
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value()) return;
      t.shape.push_back(d.dim_value());
    }
    out[vi.name()] = t;
  };
  for (const auto& vi : g.value_info()) add(vi);
  for (const auto& vi : g.output()) add(vi);
  return out;
}

std::string unsupported_op_message(const Node& node) {
  const std::string op = node.domain().empty() || node.domain() == "ai.onnx"
                             ? node.op_type()
                             : node.domain() + "." + node.op_type();
  return node.label() + ": op type '" + op +
         "' has no Core ML equivalent in morel's converter; keep it as a custom layer with "
         "--add-custom-layers (or --custom-layer " +
         node.op_type() + "=CLASSNAME), or register a conversion function for '" + node.op_type() +
         "' (OnnxConvertOptions::custom_conversions)";
}

class Converter {
 public:
  Converter(const OnnxModel& model, const OnnxConvertOptions& options)
      : model_(model), options_(options), cx_(options, model.base_dir) {}

  Spec run();

 private:
  void convert_node(const Node& node);
  void finish_outputs();

  const OnnxModel& model_;
  const OnnxConvertOptions& options_;
  Context cx_;
  DeclaredTypes declared_;
  std::vector<FeatureInfo> inputs_, outputs_;
};

void Converter::convert_node(const Node& node) {
  const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
  auto fn = options_.custom_conversions.find(node.op_type());
  if (fn != options_.custom_conversions.end() && fn->second &&
      convert_with_function(cx_, node, fn->second, declared_))
    return;
  auto named = options_.custom_layer_class_names.find(node.op_type());
  if (named != options_.custom_layer_class_names.end()) {
    convert_as_custom_layer(cx_, node, named->second, declared_);
    return;
  }
  if (default_domain) {
    // Fold element-wise ops whose inputs are all known.
    std::vector<const Tensor*> in;
    bool all_constant = node.input_count() > 0;
    for (int i = 0; i < node.input_count(); ++i) {
      in.push_back(cx_.constant_input(node, i));
      if (node.has_input(i) && !in.back()) all_constant = false;
      if (node.has_input(i)) cx_.value(node.input(i));  // defined before use
    }
    if (all_constant) {
      if (auto out = fold_elementwise(node, in)) {
        for (size_t i = 0; i < out->size() && static_cast<int>(i) < node.output_count(); ++i)
          if (node.has_output(static_cast<int>(i)))
            cx_.define_constant(node.output(static_cast<int>(i)), std::move((*out)[i]));
        return;
      }
    }
    auto it = builtin_ops().find(node.op_type());
    if (it != builtin_ops().end()) {
      const Context::Mark mark = cx_.mark();
      try {
        it->second(cx_, node);
        for (int i = 0; i < node.output_count(); ++i)
          if (node.has_output(i) && !cx_.has_value(node.output(i)))
            node.unsupported("output " + std::to_string(i) + " ('" + node.output(i) +
                             "') of this op is not supported");
        return;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kUnsupported || !options_.add_custom_layers) throw;
        cx_.rollback(mark);  // keep the node as a custom layer instead
      }
      convert_as_custom_layer(cx_, node, node.op_type(), declared_);
      return;
    }
  }
  if (options_.add_custom_layers) {
    convert_as_custom_layer(cx_, node, node.op_type(), declared_);
    return;
  }
  throw Error(ErrorCode::kUnsupported, unsupported_op_message(node));
}

void Converter::finish_outputs() {
  const onnx::GraphProto& g = model_.proto.graph();
  std::set<std::string> input_names;
  for (const auto& f : inputs_) input_names.insert(f.name);
  std::map<std::string, std::string> renamed;  // blob -> the output it was renamed to
  auto& layers = *cx_.network().mutable_layers();
  for (const auto& vi : g.output()) {
    const std::string& name = vi.name();
    const Value& v = cx_.value(name);
    FeatureInfo f{name, v.dtype, v.shape};
    if (!is_numeric_type(v.dtype))
      throw Error(ErrorCode::kUnsupported,
                  "graph output '" + name + "' has element type " + dtype_name(v.dtype));
    if (v.constant || v.blob.empty()) {
      // The whole output folded to a constant.
      spec::NeuralNetworkLayer l;
      l.set_name(cx_.layer_name(name + "/const"));
      l.add_output(name);
      auto* p = l.mutable_loadconstantnd();
      for (int64_t d : runtime_dims(v.shape)) {
        if (d <= 0)
          throw Error(ErrorCode::kUnsupported, "graph output '" + name + "' has shape " +
                                                   shape_str(v.shape) +
                                                   "; Core ML tensors cannot be empty");
        p->add_shape(static_cast<uint64_t>(d));
      }
      std::vector<float> data = v.constant->floats();
      p->mutable_data()->mutable_floatvalue()->Add(data.begin(), data.end());
      cx_.emit_known(std::move(l), {runtime_dims(v.shape)});
    } else if (v.blob != name) {
      if (input_names.count(v.blob) || renamed.count(v.blob)) {
        const std::string from = renamed.count(v.blob) ? renamed[v.blob] : v.blob;
        spec::NeuralNetworkLayer l;
        l.set_name(cx_.layer_name(name + "/copy"));
        l.add_input(from);
        l.add_output(name);
        l.mutable_copy();
        cx_.emit_known(std::move(l), {cx_.blob_shape(v.blob)});
      } else {
        const std::string from = v.blob;
        for (auto& l : layers) {
          for (auto& i : *l.mutable_input())
            if (i == from) i = name;
          for (auto& o : *l.mutable_output())
            if (o == from) o = name;
        }
        renamed[from] = name;
      }
    }
    for (int64_t d : v.shape)
      if (d <= 0)
        throw Error(ErrorCode::kUnsupported, "graph output '" + name + "' has shape " +
                                                 shape_str(v.shape) +
                                                 "; Core ML tensors cannot be empty");
    outputs_.push_back(f);
  }
}

Spec Converter::run() {
  const onnx::GraphProto& g = model_.proto.graph();
  if (g.sparse_initializer_size() > 0)
    throw Error(ErrorCode::kUnsupported, "sparse initializers are not supported");
  std::set<std::string> initialized;
  for (const auto& t : g.initializer()) {
    cx_.define_constant(t.name(),
                        tensor_from_proto(t, "initializer '" + t.name() + "'", model_.base_dir));
    initialized.insert(t.name());
  }
  for (const auto& vi : g.input()) {
    if (initialized.count(vi.name())) continue;  // an input with a default: kept constant
    auto fixed = options_.constant_inputs.find(vi.name());
    if (fixed != options_.constant_inputs.end()) {
      cx_.define_constant(vi.name(), constant_input(vi, fixed->second));
      continue;
    }
    FeatureInfo f = graph_input(vi, options_);
    cx_.define_input(f.name, f.dtype, f.shape);
    inputs_.push_back(f);
  }
  for (const auto& [name, value] : options_.constant_inputs) {
    bool found = false;
    for (const auto& vi : g.input())
      found = found || (vi.name() == name && !initialized.count(name));
    if (!found)
      throw Error(ErrorCode::kInvalidArgument,
                  "constant value given for '" + name + "', which is not an input of the model");
  }
  for (const auto& [name, shape] : options_.input_shapes) {
    bool found = false;
    for (const auto& f : inputs_) found = found || f.name == name;
    if (!found)
      throw Error(ErrorCode::kInvalidArgument,
                  "input shape given for '" + name + "', which is not an input of the model");
  }
  if (inputs_.empty())
    throw Error(ErrorCode::kUnsupported,
                "the graph has no run-time inputs (every input has an initializer); a "
                "Core ML model needs at least one input");
  for (const auto& vi : g.output()) cx_.reserve(vi.name());
  declared_ = declared_types(g);

  std::set<std::string> node_names;
  int index = 0;
  for (const auto& proto : g.node()) {
    std::string name =
        proto.name().empty() ? proto.op_type() + "_" + std::to_string(index) : proto.name();
    while (!node_names.insert(name).second) name += "_" + std::to_string(index);
    ++index;
    Node node(proto, name, model_.opset(proto.domain()), model_.base_dir);
    cx_.set_current(&node);
    convert_node(node);
    cx_.set_current(nullptr);
  }
  finish_outputs();

  Spec spec;
  auto* desc = spec.mutable_description();
  for (const auto& f : inputs_) add_array_feature(*desc->mutable_input(), f);
  for (const auto& f : outputs_) add_array_feature(*desc->mutable_output(), f);
  auto* net = spec.mutable_neuralnetwork();
  net->mutable_layers()->Swap(cx_.network().mutable_layers());
  net->set_arrayinputshapemapping(spec::EXACT_ARRAY_MAPPING);
  net->set_imageinputshapemapping(spec::RANK4_IMAGE_MAPPING);

  make_classifier(spec, options_, outputs_);
  for (const auto& image : options_.image_inputs) {
    auto it = std::find_if(inputs_.begin(), inputs_.end(),
                           [&](const FeatureInfo& f) { return f.name == image.name; });
    if (it == inputs_.end()) {
      std::string list;
      for (const auto& f : inputs_) list += (list.empty() ? "" : ", ") + f.name;
      throw Error(
          ErrorCode::kInvalidArgument,
          "image input '" + image.name + "' is not an input of the model; its inputs are: " + list);
    }
    make_image_input(spec, image, *it);
  }
  set_metadata(spec, options_, model_.proto);
  apply_renames(spec, options_.renames);
  spec.set_specificationversion(converted_spec_version(spec));
  validate_spec(spec);
  return spec;
}

}  // namespace
}  // namespace onnxc

Spec convert_onnx(const std::filesystem::path& path, const OnnxConvertOptions& options) {
  onnxc::OnnxModel model = onnxc::read_onnx_file(path);
  try {
    return onnxc::Converter(model, options).run();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInvalidArgument) throw;
    throw Error(e.code(), path.string() + ": " + e.what());
  }
}

Spec convert_onnx_bytes(std::string_view bytes, const OnnxConvertOptions& options,
                        std::string_view origin, const std::filesystem::path& base_dir) {
  onnxc::OnnxModel model = onnxc::read_onnx_bytes(bytes, origin, base_dir);
  try {
    return onnxc::Converter(model, options).run();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInvalidArgument) throw;
    throw Error(e.code(), std::string(origin) + ": " + e.what());
  }
}

std::vector<std::string> onnx_supported_ops() {
  std::vector<std::string> ops;
  for (const auto& [name, fn] : onnxc::builtin_ops()) ops.push_back(name);
  return ops;
}

}  // namespace morel
