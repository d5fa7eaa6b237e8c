// inspect for people: a header line, then sections (model, inputs, outputs,
// network, weights, pipeline), each an aligned table. Every list that can
// grow with the model is cut short with "... N more", so a typical model
// fits one screen. Strings from the file go through printable().
#include <algorithm>

#include "tools/inspect.h"
#include "tools/text_table.h"

namespace morel::tools {

namespace {

constexpr size_t kMaxFeatures = 12;
constexpr size_t kMaxUserDefined = 6;
constexpr size_t kMaxLabels = 5;
constexpr size_t kMaxKinds = 24;
constexpr size_t kMaxKindsCompact = 6;
constexpr size_t kMaxCustomClasses = 5;
constexpr size_t kMaxNames = 3;
constexpr size_t kMaxShapes = 4;
constexpr size_t kMaxPreprocessing = 4;
constexpr size_t kValueChars = 80;  // metadata values, descriptions
constexpr size_t kNameChars = 40;   // feature, layer and class names

std::string more(size_t n) {
  return "... " + std::to_string(n) + " more";
}

std::string name(std::string_view s) {
  return printable(s, kNameChars);
}

std::string in_quotes(std::string_view s) {
  return "'" + name(s) + "'";
}

std::string dims(const std::vector<int64_t>& d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + std::to_string(d[i]);
  return s;
}

std::string range_text(const DimRange& r) {
  if (r.upper >= 0 && r.upper == r.lower) return std::to_string(r.lower);
  return "[" + std::to_string(r.lower) + ".." + (r.upper < 0 ? "" : std::to_string(r.upper)) + "]";
}

// A list cut after `max` items: "a, b, c, ... 4 more".
std::string joined(const std::vector<std::string>& items, size_t max,
                   const std::string& separator = ", ") {
  std::string s;
  for (size_t i = 0; i < items.size() && i < max; ++i) s += (i ? separator : "") + items[i];
  if (items.size() > max) s += separator + more(items.size() - max);
  return s;
}

std::string flexibility_text(const FeatureInfo& f) {
  switch (f.flexibility) {
    case Flexibility::kFixed: return "fixed";
    case Flexibility::kEnumerated: {
      std::vector<std::string> items;
      for (const auto& e : f.enumerated) items.push_back(dims(e));
      return std::to_string(items.size()) + (f.kind == "image" ? " sizes: " : " shapes: ") +
             joined(items, kMaxShapes);
    }
    case Flexibility::kRange: {
      if (f.kind == "sequence" && !f.ranges.empty()) return "length " + range_text(f.ranges[0]);
      std::string s;
      for (size_t i = 0; i < f.ranges.size(); ++i) s += (i ? "x" : "") + range_text(f.ranges[i]);
      return "range " + s;
    }
  }
  return "";
}

std::string type_text(const FeatureInfo& f) {
  return printable(f.type, kValueChars) + (f.optional ? ", optional" : "");
}

void features_section(std::string& out, const char* title, const std::vector<FeatureInfo>& list,
                      bool inputs, bool with_network_shape) {
  if (list.empty()) return;
  out += "\n" + std::string(title) + " (" + std::to_string(list.size()) + ")\n";
  TextTable t(
      {"NAME", "TYPE", "FLEXIBILITY", with_network_shape ? "NETWORK SHAPE" : "", "DESCRIPTION"});
  // Inputs always say whether they are flexible; outputs only when one is.
  const bool any_flexible =
      inputs || std::any_of(list.begin(), list.end(), [](const FeatureInfo& f) {
        return f.flexibility != Flexibility::kFixed;
      });
  for (size_t i = 0; i < list.size() && i < kMaxFeatures; ++i) {
    const FeatureInfo& f = list[i];
    t.add_row({name(f.name), type_text(f), any_flexible ? flexibility_text(f) : "",
               with_network_shape ? dims(f.network_shape) : "",
               printable(f.description, kValueChars)});
  }
  out += t.render();
  if (list.size() > kMaxFeatures) out += "  " + more(list.size() - kMaxFeatures) + "\n";
}

std::string type_line(const ModelSummary& s) {
  std::string line = printable(s.model_type);
  if (s.runs_in_morel) {
    line += ", runs in morel";
  } else {
    line += ", not run by morel (" + printable(s.not_run_reason, 2 * kValueChars) + ")";
  }
  if (s.payload_size_bytes >= 0) line += "; payload " + format_bytes(s.payload_size_bytes);
  return line;
}

std::string spec_line(const ModelSummary& s) {
  std::string line = std::to_string(s.spec_version) + " (" + s.spec_release + ")";
  if (s.minimum_spec_version > 1) {
    line += "; needs >= " + std::to_string(s.minimum_spec_version);
    if (!s.minimum_spec_reasons.empty()) {
      line += " (" + printable(s.minimum_spec_reasons[0], 60);
      if (s.minimum_spec_reasons.size() > 1)
        line += ", +" + std::to_string(s.minimum_spec_reasons.size() - 1) + " more";
      line += ")";
    }
    if (s.spec_version < s.minimum_spec_version) line += ", declared too low";
  }
  return line;
}

std::string labels_line(const ClassLabelsInfo& c) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < c.labels.size() && i < kMaxLabels; ++i)
    shown.push_back(printable(c.labels[i], kNameChars));
  if (c.labels.size() > kMaxLabels) shown.push_back(more(c.labels.size() - kMaxLabels));
  return std::to_string(c.labels.size()) + " (" + c.type + "): " + joined(shown, kMaxLabels + 1);
}

std::string predicts_line(const ModelSummary& s) {
  std::string line;
  if (!s.predicted_feature_name.empty()) line = in_quotes(s.predicted_feature_name);
  if (!s.predicted_probabilities_name.empty())
    line += (line.empty() ? "" : ", ") + std::string("probabilities in ") +
            in_quotes(s.predicted_probabilities_name);
  return line;
}

std::string custom_model_line(const CustomModelInfo& c) {
  std::string line = "class " + in_quotes(c.class_name);
  if (!c.description.empty()) line += " (" + printable(c.description, kValueChars) + ")";
  if (!c.parameters.empty()) {
    std::vector<std::string> names;
    for (const auto& p : c.parameters) names.push_back(name(p));
    line += "; parameters " + joined(names, kMaxLabels);
  }
  return line;
}

std::string weights_line(const WeightsInfo& w, int64_t file_size) {
  if (w.tensor_count == 0) return "none";
  std::string line = format_count(w.tensor_count) +
                     (w.tensor_count == 1 ? " tensor, " : " tensors, ") +
                     format_count(w.parameter_count) + " parameters, " + format_bytes(w.size_bytes);
  if (file_size > 0) {
    const int64_t percent = w.size_bytes * 100 / file_size;
    line += " (" + std::to_string(percent) + "% of the file)";
  }
  return line;
}

std::string precision_summary(const WeightsInfo& w) {
  std::vector<std::string> parts;
  for (const auto& p : w.by_precision)
    parts.push_back(p.label + " " + format_count(p.tensor_count));
  return joined(parts, parts.size());
}

std::string mapping_line(const NetworkInfo& n) {
  const std::string arrays = n.array_shape_mapping == "EXACT_ARRAY_MAPPING"
                                 ? "exact (N-d, as declared)"
                             : n.array_shape_mapping == "RANK5_ARRAY_MAPPING"
                                 ? "rank-5 legacy ([C] or [C,H,W] -> [1,1,C,H,W])"
                                 : n.array_shape_mapping;
  const std::string images = n.image_shape_mapping == "RANK4_IMAGE_MAPPING" ? "rank-4 [1,C,H,W]"
                             : n.image_shape_mapping == "RANK5_IMAGE_MAPPING"
                                 ? "rank-5 [1,1,C,H,W]"
                                 : n.image_shape_mapping;
  return "arrays " + arrays + "; images " + images;
}

std::string preprocessing_text(const PreprocessingInfo& p) {
  std::string s =
      (p.feature_name.empty() ? std::string("(every image input)") : in_quotes(p.feature_name)) +
      ": ";
  if (p.kind == "scaler") {
    s += "scale " + format_float(p.channel_scale) + ", bias R " + format_float(p.red_bias) + " G " +
         format_float(p.green_bias) + " B " + format_float(p.blue_bias) + " gray " +
         format_float(p.gray_bias);
  } else if (p.kind == "mean_image") {
    s += "subtract a mean image (" + format_count(p.mean_image_values) + " values)";
  } else {
    s += "none";
  }
  return s;
}

std::string kind_counts(const std::vector<LayerKindCount>& kinds, size_t max) {
  std::vector<std::string> parts;
  for (const auto& k : kinds) parts.push_back(printable(k.kind) + " " + format_count(k.count));
  return joined(parts, max);
}

std::string custom_layer_text(const CustomLayerInfo& c) {
  std::string s = in_quotes(c.class_name);
  if (!c.description.empty()) s += " (" + printable(c.description, kValueChars / 2) + ")";
  std::vector<std::string> layers;
  for (const auto& l : c.layers) layers.push_back(in_quotes(l));
  s += ": " + std::to_string(c.layers.size()) + (c.layers.size() == 1 ? " layer " : " layers ") +
       joined(layers, kMaxNames);
  return s;
}

// Layer kinds in three columns, read top to bottom.
std::string kinds_grid(const std::vector<LayerKindCount>& kinds) {
  const size_t shown = std::min(kinds.size(), kMaxKinds);
  const size_t columns = 3;
  const size_t rows = (shown + columns - 1) / columns;
  TextTable t({"", "", "", "", "", ""});
  for (size_t c = 1; c < 2 * columns; c += 2) t.align_right(c);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::string> cells(2 * columns);
    for (size_t c = 0; c < columns; ++c) {
      const size_t i = c * rows + r;
      if (i >= shown) continue;
      cells[2 * c] = printable(kinds[i].kind);
      cells[2 * c + 1] = format_count(kinds[i].count) + (c + 1 < columns ? "  " : "");
    }
    t.add_row(std::move(cells));
  }
  std::string out = t.render(4);
  if (kinds.size() > shown) out += "    " + more(kinds.size() - shown) + " kinds\n";
  return out;
}

void network_section(std::string& out, const NetworkInfo& n) {
  out += "\nNetwork\n";
  TextTable t({"", ""});
  t.add_row({"input mapping", mapping_line(n)});
  for (size_t i = 0; i < n.preprocessing.size() && i < kMaxPreprocessing; ++i)
    t.add_row({i == 0 ? "preprocessing" : "", preprocessing_text(n.preprocessing[i])});
  if (n.preprocessing.size() > kMaxPreprocessing)
    t.add_row({"", more(n.preprocessing.size() - kMaxPreprocessing)});
  std::string layers = format_count(n.layer_count);
  if (n.nested_layer_count > 0)
    layers += " (" + format_count(n.nested_layer_count) + " inside control flow)";
  if (!n.unsupported_layer_kinds.empty())
    t.add_row({"not run yet", kind_counts(n.unsupported_layer_kinds, kMaxKindsCompact)});
  for (size_t i = 0; i < n.custom_layers.size() && i < kMaxCustomClasses; ++i)
    t.add_row({i == 0 ? "custom layers" : "", custom_layer_text(n.custom_layers[i])});
  if (n.custom_layers.size() > kMaxCustomClasses)
    t.add_row({"", more(n.custom_layers.size() - kMaxCustomClasses) + " classes"});
  if (!n.updatable_layers.empty()) {
    std::vector<std::string> names;
    for (const auto& l : n.updatable_layers) names.push_back(in_quotes(l));
    t.add_row({"updatable", joined(names, kMaxNames)});
  }
  t.add_row({"layers", layers});
  out += t.render();
  out += kinds_grid(n.layers_by_kind);
}

void weights_section(std::string& out, const WeightsInfo& w, int64_t file_size) {
  TextTable head({"", ""});
  head.add_row({"Weights", weights_line(w, file_size)});
  out += "\n" + head.render(0);
  if (w.missing_count > 0)
    out += "  " + format_count(w.missing_count) +
           " required weight tensors are missing (see validation)\n";
  if (w.by_precision.empty()) return;
  TextTable t({"PRECISION", "TENSORS", "PARAMETERS", "SIZE", "QUANTIZATION PARAMS"});
  for (size_t c = 1; c < 5; ++c) t.align_right(c);
  for (const auto& p : w.by_precision)
    t.add_row(
        {p.label, format_count(p.tensor_count), format_count(p.parameter_count),
         format_bytes(p.size_bytes),
         p.quantization_params_size_bytes ? format_bytes(p.quantization_params_size_bytes) : ""});
  out += t.render();
}

// One sub-model of a pipeline, compactly, indented by its depth.
void sub_model_block(std::string& out, const ModelSummary& s, size_t index, size_t indent) {
  const std::string pad(indent, ' ');
  out += pad + std::to_string(index) + ". " + (s.name.empty() ? "(unnamed)" : in_quotes(s.name)) +
         "  " + type_line(s) + "; spec " + std::to_string(s.spec_version) + "\n";
  TextTable t({"", ""});
  auto features = [](const std::vector<FeatureInfo>& list) {
    std::vector<std::string> items;
    for (const auto& f : list) items.push_back(name(f.name) + " (" + type_text(f) + ")");
    return joined(items, kMaxNames);
  };
  if (!s.inputs.empty()) t.add_row({"inputs", features(s.inputs)});
  if (!s.outputs.empty()) t.add_row({"outputs", features(s.outputs)});
  if (!s.class_labels.type.empty()) t.add_row({"class labels", labels_line(s.class_labels)});
  if (s.custom_model) t.add_row({"custom model", custom_model_line(*s.custom_model)});
  if (s.network) {
    t.add_row({"layers", format_count(s.network->layer_count) + ": " +
                             kind_counts(s.network->layers_by_kind, kMaxKindsCompact)});
    for (const auto& c : s.network->custom_layers)
      t.add_row({"custom layer", custom_layer_text(c)});
  }
  if (s.weights.tensor_count > 0)
    t.add_row({"weights", weights_line(s.weights, -1) + ": " + precision_summary(s.weights)});
  out += t.render(indent + 3);
  for (size_t i = 0; i < s.sub_models.size(); ++i)
    sub_model_block(out, s.sub_models[i], i + 1, indent + 3);
}

}  // namespace

std::string render_text(const ModelSummary& s) {
  std::string out;
  const std::string title =
      s.path.empty() ? std::string("model") : printable(s.path.filename().string(), 2 * kNameChars);
  out += title;
  if (s.file_size_bytes >= 1024) {
    out +=
        "  " + format_bytes(s.file_size_bytes) + " (" + format_count(s.file_size_bytes) + " bytes)";
  } else if (s.file_size_bytes >= 0) {
    out += "  " + format_count(s.file_size_bytes) + " bytes";
  }
  out += "\n";

  TextTable about({"", ""});
  about.add_row({"type", type_line(s)});
  about.add_row({"spec version", spec_line(s)});
  if (s.validation_error)
    about.add_row({"validation", "FAILED: " + printable(*s.validation_error, 3 * kValueChars)});
  else
    about.add_row({"validation", "ok"});
  const MetadataInfo& m = s.metadata;
  if (!m.short_description.empty())
    about.add_row({"description", printable(m.short_description, kValueChars)});
  if (!m.version.empty()) about.add_row({"version", printable(m.version, kValueChars)});
  if (!m.author.empty()) about.add_row({"author", printable(m.author, kValueChars)});
  if (!m.license.empty()) about.add_row({"license", printable(m.license, kValueChars)});
  if (s.updatable || (s.network && s.network->has_update_params))
    about.add_row(
        {"updatable",
         std::string(s.updatable ? "yes" : "no") +
             (s.network && s.network->has_update_params ? " (training parameters present)" : "")});
  if (!s.predicted_feature_name.empty() || !s.predicted_probabilities_name.empty())
    about.add_row({"predicts", predicts_line(s)});
  if (!s.class_labels.type.empty()) about.add_row({"class labels", labels_line(s.class_labels)});
  if (!s.functions.empty()) {
    std::vector<std::string> names;
    for (const auto& f : s.functions)
      names.push_back(in_quotes(f) + (f == s.default_function ? " (default)" : ""));
    about.add_row({"functions", joined(names, kMaxNames)});
  }
  if (s.custom_model) about.add_row({"custom model", custom_model_line(*s.custom_model)});
  for (size_t i = 0; i < m.user_defined.size() && i < kMaxUserDefined; ++i)
    about.add_row(
        {i == 0 ? "user-defined" : "", printable(m.user_defined[i].first, kValueChars) + " = " +
                                           printable(m.user_defined[i].second, kValueChars)});
  if (m.user_defined.size() > kMaxUserDefined)
    about.add_row({"", more(m.user_defined.size() - kMaxUserDefined)});
  out += about.render();

  features_section(out, "Inputs", s.inputs, true, s.network.has_value());
  features_section(out, "Outputs", s.outputs, false, false);
  features_section(out, "States", s.states, false, false);
  if (s.network) network_section(out, *s.network);
  if (!s.sub_models.empty()) {
    out += "\nPipeline (" + std::to_string(s.sub_models.size()) + " models)\n";
    for (size_t i = 0; i < s.sub_models.size(); ++i)
      sub_model_block(out, s.sub_models[i], i + 1, 2);
  }
  if (s.network || !s.sub_models.empty() || s.weights.tensor_count > 0)
    weights_section(out, s.weights, s.file_size_bytes);
  return out;
}

}  // namespace morel::tools
