// Model: load a Core ML model and predict with it. Safe to share between
// threads: predict() and predict_batch() may run concurrently on one Model.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "morel/features.h"
#include "morel/spec.h"

namespace morel {

enum class ComputeUnits : uint8_t { kCpuOnly };

struct ModelOptions {
  int threads = 0;  // threads per prediction; 0 = every hardware thread
  ComputeUnits compute_units = ComputeUnits::kCpuOnly;
  // Plugin libraries with custom layers / models, loaded before the model.
  std::vector<std::filesystem::path> plugins;
  // Run only the plain reference kernels (the oracle for optimized ones).
  bool reference_kernels = false;
};

// How long one layer took in a profiled prediction (Model::profile).
struct LayerTiming {
  std::string name;  // the layer's name (for fused layers, the first one's)
  // Its kind, with the kinds fused into it: "convolution+batchnorm+activation";
  // "reorder" for the layout changes the optimizer inserts.
  std::string kind;
  double seconds = 0;
};

namespace runtime {
class Predictor;
}

class Model {
 public:
  static Model load(const std::filesystem::path& path, const ModelOptions& options = {});
  static Model from_bytes(std::string_view bytes, const ModelOptions& options = {});
  static Model from_spec(Spec spec, const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const Spec& spec() const;
  const spec::ModelDescription& description() const { return spec().description(); }
  const ModelOptions& options() const;

  // One prediction. Throws Error(kInvalidInput) naming the feature when an
  // input is missing, unknown, or of the wrong type or shape.
  FeatureMap predict(const FeatureMap& inputs) const;
  // Many predictions; identical results to calling predict() on each, run as
  // one batch where the network allows it.
  std::vector<FeatureMap> predict_batch(std::span<const FeatureMap> inputs) const;

  // One prediction, like predict(), that also appends the time each layer
  // took to `timings`, in execution order (after optimization: fused layers
  // appear once). Without the call nothing is timed.
  FeatureMap profile(const FeatureMap& inputs, std::vector<LayerTiming>& timings) const;

  // Plan for the shapes of these inputs without computing anything: checks
  // every layer can take them (Error naming the layer otherwise) and caches
  // the plan so the first prediction at these shapes is as fast as the rest.
  // Only the inputs' types and shapes matter, not their values.
  void prepare(const FeatureMap& inputs) const;

 private:
  struct State;
  explicit Model(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace morel
