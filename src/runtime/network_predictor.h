// The predictor for neural network models (plain, classifier, regressor):
// feature checks, a plan per distinct input shape (cached), a pool of
// executions per plan so concurrent predictions never share memory, and the
// conversion of output tensors back into features.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "morel/model.h"
#include "runtime/execution.h"
#include "runtime/network_inputs.h"
#include "runtime/plan.h"
#include "runtime/predictor.h"

namespace morel::runtime {

class NetworkPredictor : public Predictor {
 public:
  // `spec` must outlive the predictor.
  NetworkPredictor(const Spec& spec, const ModelOptions& options);
  ~NetworkPredictor() override;

  FeatureMap predict(const FeatureMap& inputs) const override;
  FeatureMap predict_profiled(const FeatureMap& inputs,
                              std::vector<LayerTiming>& timings) const override;
  std::vector<FeatureMap> predict_batch(std::span<const FeatureMap> inputs) const override;
  void prepare(const FeatureMap& inputs) const override;

  const graph::Graph& graph() const { return graph_; }

 private:
  struct PlanEntry;
  class Lease;
  struct OutputBinding {
    std::string feature;
    int value = -1;
    DType dtype = DType::kFloat32;
    std::vector<int64_t> declared;  // declared shape, possibly empty
  };

  std::vector<Shape> checked_shapes(const FeatureMap& inputs) const;
  void use_threads() const;
  FeatureMap run_one(const FeatureMap& inputs, std::vector<LayerTiming>* timings) const;
  std::shared_ptr<PlanEntry> plan_for(const std::vector<Shape>& shapes) const;
  // Outputs of item `item` of `items` stacked along axis 1.
  FeatureMap collect(Execution& exec, int64_t item, int64_t items) const;
  std::vector<FeatureMap> predict_stacked(std::span<const FeatureMap> inputs,
                                          const std::vector<Shape>& shapes) const;

  const Spec& spec_;
  graph::Graph graph_;
  std::vector<InputBinding> inputs_;
  std::vector<OutputBinding> outputs_;
  bool flexible_inputs_ = false;

  // Classifier.
  bool classifier_ = false;
  int probs_value_ = -1;
  std::string label_feature_, probs_feature_;
  std::vector<std::string> string_labels_;
  std::vector<int64_t> int_labels_;

  graph::RunContext run_context_;
  mutable std::mutex plans_mutex_;
  mutable std::vector<std::shared_ptr<PlanEntry>> plans_;  // most recently used last
};

}  // namespace morel::runtime
