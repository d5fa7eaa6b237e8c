// What a classifier predicted, read from its outputs: the label, and the
// top-k entries of its probabilities dictionary. Shared by the JSON and the
// table printers.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "morel/features.h"
#include "morel/spec.h"

namespace morel::cli {

using ClassLabel = std::variant<std::string, int64_t>;

struct RankedClass {
  ClassLabel label;
  double probability = 0;
};

std::string label_text(const ClassLabel& label);

// The k entries of a dictionary feature with the highest values, highest
// first (equal values keep key order). Empty for a value of another kind.
std::vector<RankedClass> top_k(const FeatureValue& dictionary, int k);

struct ClassifierResult {
  std::string label_feature;
  ClassLabel label;
  std::string probabilities_feature;  // empty when the model has none
  std::vector<RankedClass> top;       // top-k probabilities; empty without them
};

// The classifier's answer when the model description names a predicted
// feature (predictedFeatureName) holding a string or int64 in `outputs`.
std::optional<ClassifierResult> classifier_result(const spec::ModelDescription& description,
                                                  const FeatureMap& outputs, int k);

}  // namespace morel::cli
