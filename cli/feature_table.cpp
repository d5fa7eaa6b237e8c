#include "feature_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "classifier_view.h"

namespace morel::cli {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string array_text(const MultiArray& a, size_t max_listed) {
  if (a.count() == 0) return "(empty)";
  if (static_cast<size_t>(a.count()) <= max_listed) {
    std::string s = "[";
    for (int64_t i = 0; i < a.count(); ++i) {
      double v = a.dtype() == DType::kFloat64 ? a.data<double>()[i] : a.get_float(i);
      s += (i ? ", " : "") + number_text(v);
    }
    return s + "]";
  }
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nan = 0;
  for (int64_t i = 0; i < a.count(); ++i) {
    double v = a.dtype() == DType::kFloat64 ? a.data<double>()[i] : a.get_float(i);
    if (std::isnan(v)) {
      ++nan;
      continue;
    }
    lo = std::min(lo, v), hi = std::max(hi, v), sum += v;
  }
  std::string s = nan == a.count() ? "all NaN"
                                   : "min " + number_text(lo) + "  max " + number_text(hi) +
                                         "  mean " + number_text(sum / double(a.count() - nan));
  s += "  (" + std::to_string(a.count()) + " values";
  if (nan) s += ", " + std::to_string(nan) + " NaN";
  return s + ")";
}

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

}  // namespace

void Table::print(std::ostream& out) const {
  std::vector<size_t> width;
  for (const auto& row : rows_)
    for (size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  for (const auto& row : rows_) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string feature_type_text(const FeatureValue& value) {
  if (const auto* a = std::get_if<MultiArray>(&value))
    return std::string(dtype_name(a->dtype())) + " " + shape_text(a->shape());
  if (const auto* im = std::get_if<Image>(&value))
    return "image " + std::string(pixel_format_name(im->format)) + " " + std::to_string(im->width) +
           "x" + std::to_string(im->height);
  if (const auto* d = std::get_if<StringDictionary>(&value))
    return "dictionary (" + std::to_string(d->size()) + " entries)";
  if (const auto* d = std::get_if<Int64Dictionary>(&value))
    return "dictionary (" + std::to_string(d->size()) + " entries)";
  return std::string(feature_kind_name(value));
}

std::string feature_value_text(const FeatureValue& value, const TableOptions& options) {
  if (const auto* a = std::get_if<MultiArray>(&value))
    return array_text(*a, options.max_listed_values);
  if (std::holds_alternative<Image>(value)) return "(image)";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return number_text(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  std::string s;
  for (const RankedClass& r : top_k(value, options.top_k))
    s += (s.empty() ? "" : ", ") + label_text(r.label) + " " + number_text(r.probability);
  return s;
}

void print_prediction(std::ostream& out, const spec::ModelDescription& description,
                      const FeatureMap& outputs, const TableOptions& options) {
  std::optional<ClassifierResult> classifier =
      classifier_result(description, outputs, options.top_k);
  if (classifier) {
    out << "label: " << label_text(classifier->label) << "\n";
    if (!classifier->top.empty()) {
      Table top({"rank", "label", "probability"});
      for (size_t i = 0; i < classifier->top.size(); ++i) {
        char p[32];
        std::snprintf(p, sizeof p, "%.4f", classifier->top[i].probability);
        top.add({std::to_string(i + 1), label_text(classifier->top[i].label), p});
      }
      top.print(out);
    }
  }
  const bool with_files = !options.files.empty();
  std::vector<std::string> header = {"output", "type", "value"};
  if (with_files) header.push_back("file");
  Table table(header);
  for (const auto& [name, value] : outputs) {
    if (classifier &&
        (name == classifier->label_feature || name == classifier->probabilities_feature))
      continue;
    std::vector<std::string> row = {name, feature_type_text(value),
                                    feature_value_text(value, options)};
    if (with_files) {
      auto f = options.files.find(name);
      row.push_back(f == options.files.end() ? "" : f->second);
    }
    table.add(std::move(row));
  }
  if (table.has_rows()) {
    if (classifier) out << "\n";
    table.print(out);
  }
}

}  // namespace morel::cli
