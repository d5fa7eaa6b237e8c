#include "json_output.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "classifier_view.h"

namespace morel::cli {

namespace {

nlohmann::json label_json(const ClassLabel& label) {
  if (const auto* s = std::get_if<std::string>(&label)) return *s;
  return std::get<int64_t>(label);
}

nlohmann::json ranked_json(const std::vector<RankedClass>& ranked) {
  nlohmann::json list = nlohmann::json::array();
  for (const RankedClass& r : ranked)
    list.push_back(
        {{"label", label_json(r.label)}, {"probability", json_probability(r.probability)}});
  return list;
}

// Element i of the array as JSON, exact for every dtype.
nlohmann::json element(const MultiArray& a, int64_t i) {
  switch (a.dtype()) {
    case DType::kFloat64: return json_double(a.data<double>()[i]);
    case DType::kInt32: return a.data<int32_t>()[i];
    default: return json_float(a.get_float(i));
  }
}

// Nested lists for axes [axis, rank), starting at flat index `offset`.
nlohmann::json nested(const MultiArray& a, size_t axis, int64_t& offset) {
  if (axis == a.shape().size()) return element(a, offset++);
  nlohmann::json list = nlohmann::json::array();
  for (int64_t i = 0; i < a.shape()[axis]; ++i) list.push_back(nested(a, axis + 1, offset));
  return list;
}

bool holds_objects(const nlohmann::json& j) {
  if (j.is_object()) return true;
  if (j.is_array())
    for (const auto& e : j)
      if (holds_objects(e)) return true;
  return false;
}

// An array without objects, on one line with ", " between elements.
void write_inline(const nlohmann::json& j, std::string& out) {
  if (!j.is_array()) {
    out += j.dump();
    return;
  }
  out += '[';
  bool first = true;
  for (const auto& e : j) {
    if (!first) out += ", ";
    first = false;
    write_inline(e, out);
  }
  out += ']';
}

void write_pretty(const nlohmann::json& j, int indent, int depth, std::string& out) {
  const bool object = j.is_object();
  if ((!object && !j.is_array()) || j.empty() || (!object && !holds_objects(j))) {
    write_inline(j, out);
    return;
  }
  const std::string inner(size_t(indent) * size_t(depth + 1), ' ');
  out += object ? "{\n" : "[\n";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!first) out += ",\n";
    first = false;
    out += inner;
    if (object) out += nlohmann::json(it.key()).dump() + ": ";
    write_pretty(it.value(), indent, depth + 1, out);
  }
  out += "\n" + std::string(size_t(indent) * size_t(depth), ' ') + (object ? "}" : "]");
}

}  // namespace

std::string pretty_json(const nlohmann::json& document, int indent) {
  std::string out;
  write_pretty(document, indent, 0, out);
  return out;
}

nlohmann::json json_float(float value) {
  if (!std::isfinite(value)) return nullptr;
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  if (ec != std::errc()) return static_cast<double>(value);
  *end = '\0';
  // The double nearest that shortest decimal prints back as the same decimal.
  return std::strtod(text, nullptr);
}

nlohmann::json json_double(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

nlohmann::json json_probability(double value) {
  if (std::isfinite(value) && static_cast<double>(static_cast<float>(value)) == value)
    return json_float(static_cast<float>(value));
  return json_double(value);
}

nlohmann::json array_to_json(const MultiArray& array, const JsonOptions& options,
                             const std::string& file) {
  nlohmann::json j = {{"kind", "multi_array"},
                      {"dtype", std::string(dtype_name(array.dtype()))},
                      {"shape", array.shape()}};
  if (static_cast<size_t>(array.count()) <= options.max_inline_values) {
    int64_t offset = 0;
    j["values"] = nested(array, 0, offset);
  }
  if (!file.empty()) j["file"] = file;
  return j;
}

nlohmann::json feature_to_json(const std::string& name, const FeatureValue& value,
                               const JsonOptions& options) {
  if (const auto* a = std::get_if<MultiArray>(&value)) {
    auto file = options.files.find(name);
    return array_to_json(*a, options, file == options.files.end() ? "" : file->second);
  }
  if (const auto* im = std::get_if<Image>(&value))
    return {{"kind", "image"},
            {"width", im->width},
            {"height", im->height},
            {"format", std::string(pixel_format_name(im->format))}};
  if (const auto* i = std::get_if<int64_t>(&value)) return {{"kind", "int64"}, {"value", *i}};
  if (const auto* d = std::get_if<double>(&value))
    return {{"kind", "double"}, {"value", json_double(*d)}};
  if (const auto* s = std::get_if<std::string>(&value)) return {{"kind", "string"}, {"value", *s}};

  nlohmann::json j = {{"kind", "dictionary"}};
  nlohmann::json values = nlohmann::json::object();
  size_t count = 0;
  if (const auto* sd = std::get_if<StringDictionary>(&value)) {
    count = sd->size();
    for (const auto& [k, v] : *sd) values[k] = json_probability(v);
  } else if (const auto* id = std::get_if<Int64Dictionary>(&value)) {
    count = id->size();
    for (const auto& [k, v] : *id) values[std::to_string(k)] = json_probability(v);
  }
  j["count"] = count;
  j["top_k"] = ranked_json(top_k(value, options.top_k));
  if (count <= options.max_inline_values) j["values"] = std::move(values);
  return j;
}

nlohmann::json features_to_json(const FeatureMap& features, const JsonOptions& options) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : features) j[name] = feature_to_json(name, value, options);
  return j;
}

nlohmann::json classifier_to_json(const spec::ModelDescription& description,
                                  const FeatureMap& outputs, int top_k) {
  std::optional<ClassifierResult> r = classifier_result(description, outputs, top_k);
  if (!r) return nullptr;
  nlohmann::json j = {{"label_feature", r->label_feature}, {"label", label_json(r->label)}};
  if (!r->probabilities_feature.empty()) {
    j["probabilities_feature"] = r->probabilities_feature;
    j["top_k"] = ranked_json(r->top);
  }
  return j;
}

}  // namespace morel::cli
