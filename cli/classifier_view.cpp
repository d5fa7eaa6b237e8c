#include "classifier_view.h"

#include <algorithm>

namespace morel::cli {

std::string label_text(const ClassLabel& label) {
  if (const auto* s = std::get_if<std::string>(&label)) return *s;
  return std::to_string(std::get<int64_t>(label));
}

std::vector<RankedClass> top_k(const FeatureValue& dictionary, int k) {
  std::vector<RankedClass> all;
  auto add = [&all](ClassLabel label, double probability) {
    all.emplace_back();
    all.back().label = std::move(label);
    all.back().probability = probability;
  };
  if (const auto* d = std::get_if<StringDictionary>(&dictionary))
    for (const auto& [key, p] : *d) add(key, p);
  else if (const auto* d64 = std::get_if<Int64Dictionary>(&dictionary))
    for (const auto& [key, p] : *d64) add(key, p);
  size_t n = std::min(all.size(), static_cast<size_t>(std::max(k, 0)));
  // NaN probabilities sort last rather than breaking the ordering.
  auto higher = [](const RankedClass& a, const RankedClass& b) {
    if (a.probability != a.probability) return false;
    if (b.probability != b.probability) return true;
    return a.probability > b.probability;
  };
  std::stable_sort(all.begin(), all.end(), higher);
  all.resize(n);
  return all;
}

std::optional<ClassifierResult> classifier_result(const spec::ModelDescription& description,
                                                  const FeatureMap& outputs, int k) {
  auto label = outputs.find(description.predictedfeaturename());
  if (description.predictedfeaturename().empty() || label == outputs.end()) return std::nullopt;
  ClassifierResult r;
  r.label_feature = label->first;
  if (const auto* s = std::get_if<std::string>(&label->second))
    r.label = *s;
  else if (const auto* i = std::get_if<int64_t>(&label->second))
    r.label = *i;
  else
    return std::nullopt;
  auto probs = outputs.find(description.predictedprobabilitiesname());
  if (!description.predictedprobabilitiesname().empty() && probs != outputs.end()) {
    r.probabilities_feature = probs->first;
    r.top = top_k(probs->second, k);
  }
  return r;
}

}  // namespace morel::cli
