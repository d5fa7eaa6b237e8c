#include "convert/onnx/custom.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <sstream>

#include "morel/error.h"
#include "runtime/custom_registry.h"

namespace morel::onnxc {

namespace {

template <class T>
std::string join(const T& values) {
  std::ostringstream s;
  s.precision(9);
  bool first = true;
  for (const auto& v : values) {
    if (!first) s << ",";
    s << v;
    first = false;
  }
  return s.str();
}

void set_param(spec::CustomLayerParams& p, const std::string& name, const ParameterValue& v) {
  auto& out = (*p.mutable_parameters())[name];
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, double>)
          out.set_doublevalue(x);
        else if constexpr (std::is_same_v<T, std::string>)
          out.set_stringvalue(x);
        else if constexpr (std::is_same_v<T, int32_t>)
          out.set_intvalue(x);
        else if constexpr (std::is_same_v<T, int64_t>)
          out.set_longvalue(x);
        else if constexpr (std::is_same_v<T, bool>)
          out.set_boolvalue(x);
        else  // bytes or no value: a layer's parameters have no such kind
          throw Error(ErrorCode::kUnsupported, "custom layer parameter '" + name +
                                                   "': only numbers, strings and booleans "
                                                   "can be stored in a layer's parameters");
      },
      v);
}

// Emit the custom layer and define the node's outputs. Output shapes: given,
// else from a class registered under the className, else declared by the
// model; failing all three, an error naming the ways to provide them.
void emit_custom(Context& cx, const Node& node, spec::NeuralNetworkLayer&& layer,
                 std::vector<Dims> shapes, const DeclaredTypes& declared) {
  const std::string class_name = layer.custom().classname();
  const int n = node.output_count();
  std::vector<std::string> blobs(layer.output().begin(), layer.output().end());
  std::vector<int> dtypes(static_cast<size_t>(n), kFloat);
  for (int i = 0; i < n; ++i) {
    auto it = declared.find(node.output(i));
    if (it != declared.end()) dtypes[i] = it->second.dtype;
  }
  if (!shapes.empty()) {
    if (shapes.size() != static_cast<size_t>(n))
      node.invalid("the conversion function gave " + std::to_string(shapes.size()) +
                   " output shapes for " + std::to_string(n) + " outputs");
    std::vector<Dims> rt;
    for (const Dims& s : shapes) rt.push_back(runtime_dims(s));
    cx.emit_known(std::move(layer), rt);
  } else if (runtime::find_custom_layer(class_name)) {
    std::vector<Dims> rt = cx.emit(std::move(layer));
    shapes = rt;
    for (int i = 0; i < n; ++i) {
      auto it = declared.find(node.output(i));
      // A declared rank-0 output runs as [1].
      if (it != declared.end() && runtime_dims(it->second.shape) == rt[i])
        shapes[i] = it->second.shape;
    }
  } else {
    for (int i = 0; i < n; ++i) {
      auto it = declared.find(node.output(i));
      if (it == declared.end())
        throw Error(ErrorCode::kUnsupported,
                    node.label() + ": custom layer class '" + class_name +
                        "' needs the shape of output '" + node.output(i) +
                        "', which the model does not declare (value_info); register the class "
                        "before converting (pass --plugin LIB.so) so it can be asked, or give "
                        "output_shapes from a conversion function");
      shapes.push_back(it->second.shape);
    }
    std::vector<Dims> rt;
    for (const Dims& s : shapes) rt.push_back(runtime_dims(s));
    cx.emit_known(std::move(layer), rt);
  }
  for (int i = 0; i < n; ++i)
    if (node.has_output(i)) cx.define(node, node.output(i), blobs[i], dtypes[i], shapes[i]);
  if (std::find(cx.custom_classes().begin(), cx.custom_classes().end(), class_name) ==
      cx.custom_classes().end())
    cx.custom_classes().push_back(class_name);
}

// A new custom layer for the node, its outputs named after the node's.
spec::NeuralNetworkLayer custom_layer(Context& cx, const Node& node, const std::string& class_name,
                                      const std::string& description) {
  if (class_name.empty()) node.invalid("a custom layer needs a non-empty className");
  spec::NeuralNetworkLayer l;
  l.set_name(cx.layer_name(node.name()));
  for (int i = 0; i < node.output_count(); ++i)
    l.add_output(cx.fresh(node.has_output(i) ? node.output(i) : node.name() + "/unused"));
  auto* p = l.mutable_custom();
  p->set_classname(class_name);
  p->set_description(description);
  return l;
}

}  // namespace

OnnxNode public_node(const Context& cx, const Node& node) {
  OnnxNode n;
  n.name = node.name();
  n.op_type = node.op_type();
  n.domain = node.domain();
  n.opset = node.opset();
  for (int i = 0; i < node.input_count(); ++i) {
    n.inputs.push_back(node.input(i));
    if (node.has_input(i)) {
      const Value& v = cx.value(node.input(i));
      n.input_shapes.push_back(v.shape);
      n.input_constants.push_back(v.constant ? std::optional(v.constant->to_public())
                                             : std::nullopt);
    } else {
      n.input_shapes.emplace_back();
      n.input_constants.emplace_back();
    }
  }
  for (int i = 0; i < node.output_count(); ++i) n.outputs.push_back(node.output(i));
  for (const onnx::AttributeProto* a : node.attributes()) {
    switch (a->type()) {
      case onnx::AttributeProto::INT: n.attributes[a->name()] = int64_t(a->i()); break;
      case onnx::AttributeProto::FLOAT: n.attributes[a->name()] = double(a->f()); break;
      case onnx::AttributeProto::STRING: n.attributes[a->name()] = a->s(); break;
      case onnx::AttributeProto::INTS:
        n.attributes[a->name()] = std::vector<int64_t>(a->ints().begin(), a->ints().end());
        break;
      case onnx::AttributeProto::FLOATS:
        n.attributes[a->name()] = std::vector<double>(a->floats().begin(), a->floats().end());
        break;
      case onnx::AttributeProto::STRINGS:
        n.attributes[a->name()] =
            std::vector<std::string>(a->strings().begin(), a->strings().end());
        break;
      case onnx::AttributeProto::TENSOR:
        n.attributes[a->name()] =
            tensor_from_proto(a->t(), node.label() + " attribute '" + a->name() + "'",
                              cx.base_dir())
                .to_public();
        break;
      default: break;  // graphs and sparse tensors are not shown
    }
  }
  return n;
}

}  // namespace morel::onnxc

namespace morel::onnxc {

bool convert_with_function(Context& cx, const Node& node, const OnnxConversionFunction& fn,
                           const DeclaredTypes& declared) {
  std::optional<OnnxCustomLayer> r;
  try {
    r = fn(public_node(cx, node));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed,
                node.label() + ": the conversion function failed: " + e.what());
  }
  if (!r) return false;
  spec::NeuralNetworkLayer l = custom_layer(cx, node, r->class_name, r->description);
  std::vector<int> inputs = r->layer_inputs;
  if (inputs.empty())
    for (int i = 0; i < node.input_count(); ++i)
      if (node.has_input(i) && !cx.value(node.input(i)).constant) inputs.push_back(i);
  for (int i : inputs) {
    if (!node.has_input(i))
      node.invalid("the conversion function lists input " + std::to_string(i) +
                   " as a layer input, but the node has no such input");
    l.add_input(cx.blob(node.input(i)));
  }
  auto* p = l.mutable_custom();
  for (const auto& [name, v] : r->parameters) set_param(*p, name, v);
  for (const auto& w : r->weights) p->add_weights()->mutable_floatvalue()->Add(w.begin(), w.end());
  emit_custom(cx, node, std::move(l), r->output_shapes, declared);
  return true;
}

void convert_as_custom_layer(Context& cx, const Node& node, const std::string& class_name,
                             const DeclaredTypes& declared) {
  spec::NeuralNetworkLayer l =
      custom_layer(cx, node, class_name,
                   "ONNX " + (node.domain().empty() ? std::string() : node.domain() + ".") +
                       node.op_type() + " (opset " + std::to_string(node.opset()) + ")");
  auto* p = l.mutable_custom();
  set_param(*p, "onnx_op_type", node.op_type());
  std::vector<int> weight_inputs, layer_inputs;
  for (int i = 0; i < node.input_count(); ++i) {
    if (!node.has_input(i)) continue;
    const Value& v = cx.value(node.input(i));
    if (v.constant) {
      weight_inputs.push_back(i);
      std::vector<float> f = v.constant->floats();
      p->add_weights()->mutable_floatvalue()->Add(f.begin(), f.end());
    } else {
      layer_inputs.push_back(i);
    }
  }
  for (int i : layer_inputs) l.add_input(cx.blob(node.input(i)));
  set_param(*p, "onnx_weight_inputs", join(weight_inputs));
  set_param(*p, "onnx_layer_inputs", join(layer_inputs));
  for (const onnx::AttributeProto* a : node.attributes()) {
    switch (a->type()) {
      case onnx::AttributeProto::INT: set_param(*p, a->name(), int64_t(a->i())); break;
      case onnx::AttributeProto::FLOAT: set_param(*p, a->name(), double(a->f())); break;
      case onnx::AttributeProto::STRING: set_param(*p, a->name(), a->s()); break;
      case onnx::AttributeProto::INTS: set_param(*p, a->name(), join(a->ints())); break;
      case onnx::AttributeProto::FLOATS: set_param(*p, a->name(), join(a->floats())); break;
      case onnx::AttributeProto::STRINGS: set_param(*p, a->name(), join(a->strings())); break;
      case onnx::AttributeProto::TENSOR: {
        Tensor t = tensor_from_proto(a->t(), node.label() + " attribute '" + a->name() + "'",
                                     cx.base_dir());
        set_param(*p, a->name(), "weights[" + std::to_string(p->weights_size()) + "]");
        std::vector<float> f = t.floats();
        p->add_weights()->mutable_floatvalue()->Add(f.begin(), f.end());
        break;
      }
      default:
        node.unsupported("attribute '" + a->name() +
                         "' holds a graph or sparse tensor, which a custom layer cannot carry");
    }
  }
  emit_custom(cx, node, std::move(l), {}, declared);
}

}  // namespace morel::onnxc
