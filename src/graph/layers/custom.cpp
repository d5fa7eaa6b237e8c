#include "graph/layers/custom.h"

#include <algorithm>
#include <mutex>

#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/spec.h"
#include "runtime/custom_registry.h"
#include "runtime/custom_values.h"

namespace morel::graph {

namespace {

// Bridges a user's CustomLayer into the planner (infer_shapes) and the
// executions (run): tensors are the arena's, errors name the class.
class CustomOp : public Op {
 public:
  CustomOp(std::unique_ptr<CustomLayer> impl, std::string class_name, size_t outputs, bool rank5)
      : impl_(std::move(impl)),
        class_name_(std::move(class_name)),
        outputs_(outputs),
        rank5_(rank5),
        thread_safe_(impl_->thread_safe()),
        batch_independent_(impl_->batch_independent()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    std::vector<Shape> shapes;
    try {
      shapes = impl_->output_shapes(inputs);
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kCustomLayerFailed, who() + " output_shapes failed: " + e.what());
    } catch (...) {
      throw Error(ErrorCode::kCustomLayerFailed,
                  who() + " output_shapes failed with a non-standard exception");
    }
    if (shapes.size() != outputs_)
      throw Error(ErrorCode::kCustomLayerFailed,
                  who() + " output_shapes returned " + std::to_string(shapes.size()) +
                      " shape(s); the layer declares " + std::to_string(outputs_) + " output(s)");
    for (size_t i = 0; i < shapes.size(); ++i) {
      const Shape& s = shapes[i];
      if (rank5_ && s.rank() != 5)
        throw Error(ErrorCode::kCustomLayerFailed,
                    who() + " output_shapes returned rank " + std::to_string(s.rank()) + " shape " +
                        s.str() + " for output " + std::to_string(i) +
                        "; a legacy network's tensors are rank 5 [Seq, Batch, C, H, W]");
      if (std::any_of(s.begin(), s.end(), [](int64_t d) { return d < 0; }))
        throw Error(ErrorCode::kCustomLayerFailed, who() +
                                                       " output_shapes returned a negative "
                                                       "dimension for output " +
                                                       std::to_string(i) + ": " + s.str());
    }
    return shapes;
  }

  void run(const RunContext&, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    if (!thread_safe_) lock.lock();
    try {
      impl_->evaluate_cpu(inputs, outputs);
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kCustomLayerFailed, who() + " evaluate_cpu failed: " + e.what());
    } catch (...) {
      throw Error(ErrorCode::kCustomLayerFailed,
                  who() + " evaluate_cpu failed with a non-standard exception");
    }
  }

  bool batch_independent() const override { return batch_independent_; }

 private:
  std::string who() const { return "class '" + class_name_ + "'"; }

  std::unique_ptr<CustomLayer> impl_;
  std::string class_name_;
  size_t outputs_;
  bool rank5_, thread_safe_, batch_independent_;
  mutable std::mutex mutex_;  // serializes evaluations of a class that is not thread-safe
};

}  // namespace

std::unique_ptr<Op> lower_custom_layer(const spec::NeuralNetworkLayer& layer,
                                       const LowerContext& ctx) {
  const spec::CustomLayerParams& p = layer.custom();
  const std::string label = "layer '" + layer.name() + "' (custom " + p.classname() + ")";
  if (p.classname().empty())
    throw Error(ErrorCode::kInvalidModel,
                "layer '" + layer.name() + "' (custom): the custom layer has an empty className");
  CustomLayerFactory factory = runtime::find_custom_layer(p.classname());
  if (!factory)
    throw Error(ErrorCode::kMissingCustomLayer,
                runtime::missing_layer_class_message(layer.name(), p.classname()));

  CustomLayerSpec spec;
  spec.layer_name = layer.name();
  spec.class_name = p.classname();
  spec.description = p.description();
  spec.parameters = runtime::layer_parameters(p);
  spec.rank5 = ctx.rank5;

  std::vector<Weight> weights;
  for (int i = 0; i < p.weights_size(); ++i)
    weights.push_back(
        runtime::custom_weight(p.weights(i), label + ": weights[" + std::to_string(i) + "]"));

  std::unique_ptr<CustomLayer> impl;
  try {
    impl = factory(spec);
    if (!impl) throw Error(ErrorCode::kCustomLayerFailed, "its factory returned no object");
    impl->set_weights(weights);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed, label + ": " + e.what());
  } catch (...) {
    throw Error(ErrorCode::kCustomLayerFailed, label + ": a non-standard exception");
  }
  auto types = impl->supported_types();
  if (std::find(types.begin(), types.end(), DType::kFloat32) == types.end()) {
    std::string list;
    for (DType t : types) list += (list.empty() ? "" : ", ") + std::string(dtype_name(t));
    throw Error(ErrorCode::kUnsupported, label + ": the class accepts " +
                                             (list.empty() ? "no type" : list) +
                                             ", but the CPU runtime's tensors are float32");
  }
  return std::make_unique<CustomOp>(std::move(impl), p.classname(),
                                    static_cast<size_t>(layer.output_size()), ctx.rank5);
}

}  // namespace morel::graph
