#include "runtime/pipeline_predictor.h"

#include "morel/error.h"

namespace morel::runtime {

namespace {
const spec::Pipeline& pipeline_of(const Spec& spec) {
  switch (spec.Type_case()) {
    case Spec::kPipeline: return spec.pipeline();
    case Spec::kPipelineClassifier: return spec.pipelineclassifier().pipeline();
    default: return spec.pipelineregressor().pipeline();
  }
}
}  // namespace

PipelinePredictor::PipelinePredictor(const Spec& spec, const ModelOptions& options) : spec_(spec) {
  const spec::Pipeline& p = pipeline_of(spec);
  if (p.models_size() == 0) throw Error(ErrorCode::kInvalidModel, "pipeline has no models");
  for (int i = 0; i < p.models_size(); ++i) {
    std::string name = i < p.names_size() ? p.names(i) : "model" + std::to_string(i);
    try {
      stages_.push_back(Model::from_spec(p.models(i), options));
    } catch (const Error& e) {
      throw Error(e.code(), "pipeline stage '" + name + "': " + e.what());
    }
  }
}

void PipelinePredictor::prepare(const FeatureMap& inputs) const {
  FeatureMap first;
  for (const auto& f : stages_.front().description().input()) {
    auto it = inputs.find(f.name());
    if (it != inputs.end()) first.insert(*it);
  }
  stages_.front().prepare(first);
}

FeatureMap PipelinePredictor::predict(const FeatureMap& inputs) const {
  return run(inputs, nullptr);
}

FeatureMap PipelinePredictor::predict_profiled(const FeatureMap& inputs,
                                               std::vector<LayerTiming>& timings) const {
  return run(inputs, &timings);
}

FeatureMap PipelinePredictor::run(const FeatureMap& inputs,
                                  std::vector<LayerTiming>* timings) const {
  for (const auto& [name, value] : inputs) {
    bool known = false;
    for (const auto& f : spec_.description().input()) known = known || f.name() == name;
    if (!known)
      throw Error(ErrorCode::kInvalidInput, "input '" + name + "' is not an input of the pipeline");
  }
  FeatureMap available = inputs;
  for (size_t i = 0; i < stages_.size(); ++i) {
    FeatureMap stage_in;
    for (const auto& f : stages_[i].description().input()) {
      auto it = available.find(f.name());
      if (it == available.end()) {
        if (f.type().isoptional()) continue;
        throw Error(ErrorCode::kInvalidInput, "pipeline stage " + std::to_string(i) +
                                                  " needs feature '" + f.name() +
                                                  "', which no input or earlier stage provides");
      }
      stage_in.insert(*it);
    }
    FeatureMap stage_out =
        timings ? stages_[i].profile(stage_in, *timings) : stages_[i].predict(stage_in);
    for (auto& [name, value] : stage_out) available[name] = std::move(value);
  }
  FeatureMap out;
  for (const auto& f : spec_.description().output()) {
    auto it = available.find(f.name());
    if (it == available.end())
      throw Error(ErrorCode::kInvalidModel,
                  "pipeline output '" + f.name() + "' is produced by no stage");
    out.insert(*it);
  }
  return out;
}

}  // namespace morel::runtime
