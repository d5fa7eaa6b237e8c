#include "graph/layers/custom.h"

#include <algorithm>
#include <cstring>

#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/spec.h"
#include "runtime/custom_registry.h"

namespace morel::graph {

namespace {

ParameterValue parameter_value(const spec::CustomLayerParams::CustomLayerParamValue& v) {
  using V = spec::CustomLayerParams::CustomLayerParamValue;
  switch (v.value_case()) {
    case V::kDoubleValue:
      return v.doublevalue();
    case V::kStringValue:
      return v.stringvalue();
    case V::kIntValue:
      return v.intvalue();
    case V::kLongValue:
      return v.longvalue();
    case V::kBoolValue:
      return v.boolvalue();
    case V::VALUE_NOT_SET:
      break;
  }
  return std::string();  // an unset value carries no type; expose it as empty text
}

Weight custom_weight(const spec::WeightParams& w, const std::string& what) {
  Weight out;
  WeightInfo info = describe_weights(w);
  out.storage = info.storage;
  int64_t count = stored_weight_count(w);
  if (count < 0) count = info.size_bytes * 8 / info.bits;  // packed: padding bits are not values
  out.values = decode_weights(w, count, what);
  switch (info.storage) {
    case WeightStorage::kFloat32:
      out.raw.assign(reinterpret_cast<const char*>(w.floatvalue().data()),
                     static_cast<size_t>(w.floatvalue_size()) * 4);
      break;
    case WeightStorage::kFloat16:
      out.raw = w.float16value();
      break;
    case WeightStorage::kEmpty:
      break;
    default:
      out.raw = w.int8rawvalue().empty() ? w.rawvalue() : w.int8rawvalue();
      break;
  }
  return out;
}

class CustomOp : public Op {
 public:
  CustomOp(std::unique_ptr<CustomLayer> impl, std::string label, size_t outputs)
      : impl_(std::move(impl)), label_(std::move(label)), outputs_(outputs) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    std::vector<Shape> shapes;
    try {
      shapes = impl_->output_shapes(inputs);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kCustomLayerFailed, std::string("output_shapes failed: ") + e.what());
    }
    if (shapes.size() != outputs_)
      throw Error(ErrorCode::kCustomLayerFailed,
                  "output_shapes returned " + std::to_string(shapes.size()) +
                      " shape(s); the layer declares " + std::to_string(outputs_) + " output(s)");
    for (const Shape& s : shapes)
      if (std::any_of(s.begin(), s.end(), [](int64_t d) { return d < 0; }))
        throw Error(ErrorCode::kCustomLayerFailed,
                    "output_shapes returned a negative dimension: " + s.str());
    return shapes;
  }

  void run(const RunContext&, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    try {
      impl_->evaluate_cpu(inputs, outputs);
    } catch (const Error& e) {
      throw Error(ErrorCode::kCustomLayerFailed, std::string("evaluate_cpu failed: ") + e.what());
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kCustomLayerFailed, std::string("evaluate_cpu failed: ") + e.what());
    } catch (...) {
      throw Error(ErrorCode::kCustomLayerFailed,
                  "evaluate_cpu failed with a non-standard exception");
    }
  }

  // A user class may read across the batch; never stack items for it.
  bool batch_independent() const override { return false; }

 private:
  std::unique_ptr<CustomLayer> impl_;
  std::string label_;
  size_t outputs_;
};

}  // namespace

std::unique_ptr<Op> lower_custom_layer(const spec::NeuralNetworkLayer& layer,
                                       const LowerContext& ctx) {
  (void)ctx;
  const spec::CustomLayerParams& p = layer.custom();
  const std::string label = "layer '" + layer.name() + "' (custom " + p.classname() + ")";
  if (p.classname().empty())
    throw Error(ErrorCode::kInvalidModel, label + ": custom layer has an empty className");
  CustomLayerFactory factory = runtime::find_custom_layer(p.classname());
  if (!factory)
    throw Error(ErrorCode::kMissingCustomLayer,
                runtime::missing_class_message("layer '" + layer.name() + "'", p.classname()));

  CustomLayerSpec spec;
  spec.layer_name = layer.name();
  spec.class_name = p.classname();
  spec.description = p.description();
  std::map<std::string, ParameterValue> values;
  for (const auto& [name, value] : p.parameters()) values[name] = parameter_value(value);
  spec.parameters = Parameters(std::move(values));

  std::vector<Weight> weights;
  for (int i = 0; i < p.weights_size(); ++i)
    weights.push_back(custom_weight(p.weights(i), label + ": weights[" + std::to_string(i) + "]"));

  std::unique_ptr<CustomLayer> impl;
  try {
    impl = factory(spec);
    if (!impl) throw Error(ErrorCode::kCustomLayerFailed, "its factory returned no object");
    impl->set_weights(weights);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed, label + ": " + e.what());
  }
  auto types = impl->supported_types();
  if (std::find(types.begin(), types.end(), DType::kFloat32) == types.end())
    throw Error(ErrorCode::kCustomLayerFailed,
                label + ": the class does not accept float32 tensors, the runtime's only CPU type");
  return std::make_unique<CustomOp>(std::move(impl), label,
                                    static_cast<size_t>(layer.output_size()));
}

}  // namespace morel::graph
