// Model: picks the predictor for the spec's model type.
#include "morel/model.h"

#include "morel/custom_layer.h"
#include "morel/error.h"
#include "runtime/custom_model_predictor.h"
#include "runtime/network_predictor.h"
#include "runtime/pipeline_predictor.h"

namespace morel {

struct Model::State {
  Spec spec;
  ModelOptions options;
  std::unique_ptr<runtime::Predictor> predictor;
};

namespace {

std::unique_ptr<runtime::Predictor> make_predictor(const Spec& spec, const ModelOptions& options) {
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork:
    case Spec::kNeuralNetworkClassifier:
    case Spec::kNeuralNetworkRegressor:
      return std::make_unique<runtime::NetworkPredictor>(spec, options);
    case Spec::kPipeline:
    case Spec::kPipelineClassifier:
    case Spec::kPipelineRegressor:
      return std::make_unique<runtime::PipelinePredictor>(spec, options);
    case Spec::kCustomModel: return std::make_unique<runtime::CustomModelPredictor>(spec);
    default:
      throw Error(ErrorCode::kUnsupported,
                  "unsupported model type '" + model_type_name(spec) +
                      "' (morel runs neural networks, pipelines of them, and custom models)");
  }
}

}  // namespace

Model::Model(std::unique_ptr<State> state) : state_(std::move(state)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::from_spec(Spec spec, const ModelOptions& options) {
  for (const auto& plugin : options.plugins) load_plugin(plugin.string());
  validate_spec(spec);
  auto state = std::make_unique<State>();
  state->spec = std::move(spec);
  state->options = options;
  state->predictor = make_predictor(state->spec, options);
  return Model(std::move(state));
}

Model Model::load(const std::filesystem::path& path, const ModelOptions& options) {
  Spec spec = load_spec(path);
  try {
    return from_spec(std::move(spec), options);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kPlugin) throw;
    throw Error(e.code(), path.string() + ": " + e.what());
  }
}

Model Model::from_bytes(std::string_view bytes, const ModelOptions& options) {
  return from_spec(parse_spec(bytes), options);
}

const Spec& Model::spec() const {
  return state_->spec;
}
const ModelOptions& Model::options() const {
  return state_->options;
}

FeatureMap Model::predict(const FeatureMap& inputs) const {
  return state_->predictor->predict(inputs);
}

FeatureMap Model::profile(const FeatureMap& inputs, std::vector<LayerTiming>& timings) const {
  return state_->predictor->predict_profiled(inputs, timings);
}

void Model::prepare(const FeatureMap& inputs) const {
  state_->predictor->prepare(inputs);
}

std::vector<FeatureMap> Model::predict_batch(std::span<const FeatureMap> inputs) const {
  return state_->predictor->predict_batch(inputs);
}

}  // namespace morel
