// inspect for machines: the whole summary as one JSON object. Keys are
// snake_case, sizes are byte counts in *_size_bytes keys, lists are complete
// (no truncation), and optional parts are present as null or empty so that
// a consumer can rely on every key.
#include "tools/inspect.h"

namespace morel::tools {

namespace {

// Keys in the order written: the document reads top-down like the text.
using json = nlohmann::ordered_json;

json range_json(const DimRange& r) {
  return json{{"lower", r.lower}, {"upper", r.upper < 0 ? json(nullptr) : json(r.upper)}};
}

json feature_json(const FeatureInfo& f) {
  json j{{"name", f.name}, {"description", f.description}, {"type", f.type},
         {"kind", f.kind}, {"data_type", f.data_type},     {"optional", f.optional}};
  if (f.kind == "multiArray" || f.kind == "state") j["shape"] = f.shape;
  if (f.kind == "image") {
    j["width"] = f.width;
    j["height"] = f.height;
  }
  json flex{{"kind", flexibility_name(f.flexibility)}};
  if (f.flexibility == Flexibility::kEnumerated) {
    json list = json::array();
    for (const auto& e : f.enumerated) {
      if (f.kind == "image" && e.size() == 2)
        list.push_back({{"width", e[0]}, {"height", e[1]}});
      else
        list.push_back(e);
    }
    flex[f.kind == "image" ? "sizes" : "shapes"] = list;
  } else if (f.flexibility == Flexibility::kRange) {
    if (f.kind == "image" && f.ranges.size() == 2) {
      flex["width"] = range_json(f.ranges[0]);
      flex["height"] = range_json(f.ranges[1]);
    } else if (f.kind == "sequence" && f.ranges.size() == 1) {
      flex["length"] = range_json(f.ranges[0]);
    } else {
      json list = json::array();
      for (const auto& r : f.ranges) list.push_back(range_json(r));
      flex["dimensions"] = list;
    }
  }
  j["flexibility"] = flex;
  if (!f.network_shape.empty()) j["network_shape"] = f.network_shape;
  return j;
}

json features_json(const std::vector<FeatureInfo>& list) {
  json j = json::array();
  for (const auto& f : list) j.push_back(feature_json(f));
  return j;
}

json weights_json(const WeightsInfo& w) {
  json by = json::object();
  for (const auto& p : w.by_precision)
    by[p.key] = {{"label", p.label},
                 {"bits", p.bits},
                 {"tensor_count", p.tensor_count},
                 {"parameter_count", p.parameter_count},
                 {"size_bytes", p.size_bytes},
                 {"quantization_params_size_bytes", p.quantization_params_size_bytes}};
  return {{"tensor_count", w.tensor_count},
          {"parameter_count", w.parameter_count},
          {"size_bytes", w.size_bytes},
          {"missing_count", w.missing_count},
          {"by_precision", by}};
}

json preprocessing_json(const PreprocessingInfo& p) {
  json j{{"feature_name", p.feature_name}, {"kind", p.kind}};
  if (p.kind == "scaler") {
    j["channel_scale"] = p.channel_scale;
    j["red_bias"] = p.red_bias;
    j["green_bias"] = p.green_bias;
    j["blue_bias"] = p.blue_bias;
    j["gray_bias"] = p.gray_bias;
  } else if (p.kind == "mean_image") {
    j["mean_image_values"] = p.mean_image_values;
  }
  return j;
}

// kind -> count, most frequent first.
json kinds_json(const std::vector<LayerKindCount>& kinds) {
  json j = json::object();
  for (const auto& k : kinds) j[k.kind] = k.count;
  return j;
}

json network_json(const NetworkInfo& n) {
  json pre = json::array();
  for (const auto& p : n.preprocessing) pre.push_back(preprocessing_json(p));
  json custom = json::array();
  for (const auto& c : n.custom_layers)
    custom.push_back({{"class_name", c.class_name},
                      {"description", c.description},
                      {"layers", c.layers},
                      {"parameters", c.parameters}});
  return {{"array_shape_mapping", n.array_shape_mapping},
          {"image_shape_mapping", n.image_shape_mapping},
          {"preprocessing", pre},
          {"layer_count", n.layer_count},
          {"nested_layer_count", n.nested_layer_count},
          {"layers_by_kind", kinds_json(n.layers_by_kind)},
          {"unsupported_layer_kinds", kinds_json(n.unsupported_layer_kinds)},
          {"custom_layers", custom},
          {"updatable_layers", n.updatable_layers},
          {"has_update_params", n.has_update_params}};
}

json model_json(const ModelSummary& s, bool top) {
  json j;
  if (top) {
    j["path"] = s.path.empty() ? json(nullptr) : json(s.path.string());
    j["file_size_bytes"] = s.file_size_bytes < 0 ? json(nullptr) : json(s.file_size_bytes);
  } else {
    j["name"] = s.name;
  }
  j["model_type"] = s.model_type;
  j["runs_in_morel"] = s.runs_in_morel;
  j["not_run_reason"] = s.runs_in_morel ? json(nullptr) : json(s.not_run_reason);
  j["payload_size_bytes"] = s.payload_size_bytes < 0 ? json(nullptr) : json(s.payload_size_bytes);
  j["spec_version"] = s.spec_version;
  j["spec_release"] = s.spec_release;
  j["minimum_spec_version"] = s.minimum_spec_version;
  j["minimum_spec_reasons"] = s.minimum_spec_reasons;
  if (top) {
    j["valid"] = !s.validation_error.has_value();
    j["validation_error"] = s.validation_error ? json(*s.validation_error) : json(nullptr);
  }
  j["updatable"] = s.updatable;
  j["metadata"] = {{"short_description", s.metadata.short_description},
                   {"version", s.metadata.version},
                   {"author", s.metadata.author},
                   {"license", s.metadata.license},
                   {"user_defined", json::object()}};
  for (const auto& [key, value] : s.metadata.user_defined)
    j["metadata"]["user_defined"][key] = value;
  j["inputs"] = features_json(s.inputs);
  j["outputs"] = features_json(s.outputs);
  j["states"] = features_json(s.states);
  j["functions"] = s.functions;
  j["default_function"] = s.default_function;
  j["predicted_feature_name"] = s.predicted_feature_name;
  j["predicted_probabilities_name"] = s.predicted_probabilities_name;
  if (s.class_labels.type.empty()) {
    j["class_labels"] = nullptr;
  } else {
    const json labels = s.class_labels.type == "int64" ? json(s.class_labels.int64_labels)
                                                       : json(s.class_labels.labels);
    j["class_labels"] = {
        {"type", s.class_labels.type}, {"count", s.class_labels.labels.size()}, {"labels", labels}};
  }
  j["network"] = s.network ? network_json(*s.network) : json(nullptr);
  if (s.custom_model)
    j["custom_model"] = {{"class_name", s.custom_model->class_name},
                         {"description", s.custom_model->description},
                         {"parameters", s.custom_model->parameters}};
  else
    j["custom_model"] = nullptr;
  json subs = json::array();
  for (const auto& sub : s.sub_models) subs.push_back(model_json(sub, false));
  j["sub_models"] = subs;
  j["weight_storage"] = weights_json(s.weights);
  return j;
}

}  // namespace

nlohmann::ordered_json to_json(const ModelSummary& summary) {
  return model_json(summary, true);
}

}  // namespace morel::tools
