// Features as JSON (nlohmann::json), for every command that prints results
// with --json. Keys are snake_case. Shapes:
//   multi-array  {"kind": "multi_array", "dtype": "float32", "shape": [1, 3],
//                 "values": [[0.5, 1, 2]], "file": "out/y.npy"}
//                values (nested lists in the array's shape) only when the
//                array has at most max_inline_values; file only when saved
//   dictionary   {"kind": "dictionary", "count": 4, "top_k": [{"label": "cat",
//                 "probability": 0.72}, ...], "values": {"cat": 0.72, ...}}
//   int64 / double / string  {"kind": "int64", "value": 3}
//   image        {"kind": "image", "width": 32, "height": 24, "format": "RGB"}
// Non-finite numbers (NaN, infinities) have no JSON form and become null.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "morel/features.h"
#include "morel/spec.h"

namespace morel::cli {

struct JsonOptions {
  size_t max_inline_values = 1000;  // arrays and dictionaries up to this size are written out
  int top_k = 5;                    // dictionary entries listed under "top_k"
  std::map<std::string, std::string> files;  // feature name -> the .npy file it was saved to
};

// A float as the shortest decimal that reads back as the same float (so
// 0.1f prints as 0.1, not 0.10000000149011612); null when not finite.
nlohmann::json json_float(float value);
nlohmann::json json_double(double value);
// A dictionary value (a probability): a double that holds a float32 exactly
// (a network computed it in float32) prints as that float, 0.7252024 rather
// than 0.7252023816108704; other doubles print in full.
nlohmann::json json_probability(double value);

nlohmann::json array_to_json(const MultiArray& array, const JsonOptions& options,
                             const std::string& file = "");
nlohmann::json feature_to_json(const std::string& name, const FeatureValue& value,
                               const JsonOptions& options);
// {"name": {...}, ...} in name order.
nlohmann::json features_to_json(const FeatureMap& features, const JsonOptions& options);

// Indented JSON for a document a person may read too: objects one key a
// line, arrays that hold no objects on one line ("values": [[1, 2], [3, 4]]),
// so a 1,000-value array stays one line. No trailing newline.
std::string pretty_json(const nlohmann::json& document, int indent = 2);

// {"label_feature": "classLabel", "label": "cat", "probabilities_feature":
// "probs", "top_k": [...]}; null when the model is not a classifier.
nlohmann::json classifier_to_json(const spec::ModelDescription& description,
                                  const FeatureMap& outputs, int top_k);

}  // namespace morel::cli
