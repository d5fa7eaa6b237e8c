// Predictor: what a Model runs — a neural network, a pipeline, or a user's
// custom model. Implementations are immutable after construction and safe to
// call from several threads at once.
#pragma once

#include <span>
#include <vector>

#include "morel/features.h"
#include "morel/model.h"

namespace morel::runtime {

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual FeatureMap predict(const FeatureMap& inputs) const = 0;
  // predict(), adding the time of each layer run to `timings`. Default: no
  // layers to time.
  virtual FeatureMap predict_profiled(const FeatureMap& inputs,
                                      std::vector<LayerTiming>& timings) const {
    (void)timings;
    return predict(inputs);
  }

  // Plan for these inputs' shapes without running (see Model::prepare).
  // Default: nothing to plan.
  virtual void prepare(const FeatureMap& inputs) const { (void)inputs; }
  // Default: one prediction after another.
  virtual std::vector<FeatureMap> predict_batch(std::span<const FeatureMap> inputs) const {
    std::vector<FeatureMap> out;
    out.reserve(inputs.size());
    for (const FeatureMap& in : inputs) out.push_back(predict(in));
    return out;
  }
};

}  // namespace morel::runtime
