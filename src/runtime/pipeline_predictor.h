// Pipelines: models run in sequence, each reading the pipeline's inputs and
// the outputs of the models before it.
#pragma once

#include <memory>
#include <vector>

#include "morel/model.h"
#include "runtime/predictor.h"

namespace morel::runtime {

class PipelinePredictor : public Predictor {
 public:
  // `spec` (a pipeline, pipelineClassifier or pipelineRegressor) must outlive
  // the predictor.
  PipelinePredictor(const Spec& spec, const ModelOptions& options);
  FeatureMap predict(const FeatureMap& inputs) const override;
  FeatureMap predict_profiled(const FeatureMap& inputs,
                              std::vector<LayerTiming>& timings) const override;

  // Plans the first stage only: later stages' input shapes depend on values.
  void prepare(const FeatureMap& inputs) const override;

 private:
  FeatureMap run(const FeatureMap& inputs, std::vector<LayerTiming>* timings) const;
  const Spec& spec_;
  std::vector<Model> stages_;
};

}  // namespace morel::runtime
