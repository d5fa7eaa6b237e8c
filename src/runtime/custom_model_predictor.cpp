#include "runtime/custom_model_predictor.h"

#include "morel/error.h"
#include "runtime/custom_registry.h"
#include "runtime/custom_values.h"

namespace morel::runtime {

namespace {

// Whether a value is of the kind a feature type declares (shapes and element
// types are the class's business; the kind is what the caller relies on).
bool kind_matches(const spec::FeatureType& type, const FeatureValue& value) {
  switch (type.Type_case()) {
    case spec::FeatureType::kMultiArrayType: return std::holds_alternative<MultiArray>(value);
    case spec::FeatureType::kImageType: return std::holds_alternative<Image>(value);
    case spec::FeatureType::kInt64Type: return std::holds_alternative<int64_t>(value);
    case spec::FeatureType::kDoubleType: return std::holds_alternative<double>(value);
    case spec::FeatureType::kStringType: return std::holds_alternative<std::string>(value);
    case spec::FeatureType::kDictionaryType:
      return std::holds_alternative<StringDictionary>(value) ||
             std::holds_alternative<Int64Dictionary>(value);
    default: return true;  // kinds morel has no value type for: nothing to check against
  }
}

}  // namespace

CustomModelPredictor::CustomModelPredictor(const Spec& spec)
    : spec_(spec), class_name_(spec.custommodel().classname()) {
  const spec::CustomModel& m = spec.custommodel();
  if (class_name_.empty())
    throw Error(ErrorCode::kInvalidModel, "custom model has an empty className");
  CustomModelFactory factory = find_custom_model(class_name_);
  if (!factory)
    throw Error(ErrorCode::kMissingCustomLayer, missing_model_class_message(class_name_));
  CustomModelSpec s;
  s.class_name = class_name_;
  s.description = m.description();
  s.parameters = model_parameters(m);
  for (const auto& f : spec.description().input()) s.input_names.push_back(f.name());
  for (const auto& f : spec.description().output()) s.output_names.push_back(f.name());
  try {
    impl_ = factory(s);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "': " + e.what());
  } catch (...) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "': a non-standard exception");
  }
  if (!impl_)
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "': its factory returned no object");
}

FeatureMap CustomModelPredictor::predict(const FeatureMap& inputs) const {
  const auto& desc = spec_.description();
  for (const auto& [name, value] : inputs) {
    const spec::FeatureDescription* declared = nullptr;
    for (const auto& f : desc.input())
      if (f.name() == name) declared = &f;
    if (!declared) {
      std::string list;
      for (const auto& f : desc.input())
        list +=
            (list.empty() ? "" : ", ") + f.name() + " (" + describe_feature_type(f.type()) + ")";
      throw Error(ErrorCode::kInvalidInput,
                  "input '" + name + "' is not an input of the model; its inputs are: " + list);
    }
    if (!kind_matches(declared->type(), value))
      throw Error(ErrorCode::kInvalidInput,
                  "input '" + name + "' is of kind " + std::string(feature_kind_name(value)) +
                      "; the model expects " + describe_feature_type(declared->type()));
  }
  for (const auto& f : desc.input())
    if (!inputs.count(f.name()) && !f.type().isoptional())
      throw Error(ErrorCode::kInvalidInput,
                  "missing input '" + f.name() + "' (" + describe_feature_type(f.type()) + ")");

  FeatureMap produced;
  try {
    produced = impl_->predict(inputs);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "' failed: " + e.what());
  } catch (...) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "' failed with a non-standard exception");
  }

  FeatureMap out;
  for (const auto& f : desc.output()) {
    auto it = produced.find(f.name());
    if (it == produced.end()) {
      std::string list;
      for (const auto& [name, value] : produced) list += (list.empty() ? "" : ", ") + name;
      throw Error(ErrorCode::kCustomLayerFailed,
                  "custom model class '" + class_name_ + "' returned no output '" + f.name() +
                      "' (it returned: " + (list.empty() ? "nothing" : list) + ")");
    }
    if (!kind_matches(f.type(), it->second))
      throw Error(ErrorCode::kCustomLayerFailed,
                  "custom model class '" + class_name_ + "' returned output '" + f.name() +
                      "' of kind " + std::string(feature_kind_name(it->second)) +
                      "; the model declares " + describe_feature_type(f.type()));
    out.insert(std::move(*it));
  }
  return out;
}

}  // namespace morel::runtime
