#include "runtime/custom_model_predictor.h"

#include "morel/error.h"
#include "runtime/custom_registry.h"

namespace morel::runtime {

CustomModelPredictor::CustomModelPredictor(const Spec& spec)
    : class_name_(spec.custommodel().classname()) {
  const spec::CustomModel& m = spec.custommodel();
  if (class_name_.empty())
    throw Error(ErrorCode::kInvalidModel, "custom model has an empty className");
  CustomModelFactory factory = find_custom_model(class_name_);
  if (!factory)
    throw Error(ErrorCode::kMissingCustomLayer, missing_class_message("the model", class_name_));
  CustomModelSpec s;
  s.class_name = class_name_;
  s.description = m.description();
  std::map<std::string, ParameterValue> values;
  using V = spec::CustomModel::CustomModelParamValue;
  for (const auto& [name, v] : m.parameters()) {
    switch (v.value_case()) {
      case V::kDoubleValue:
        values[name] = v.doublevalue();
        break;
      case V::kStringValue:
        values[name] = v.stringvalue();
        break;
      case V::kIntValue:
        values[name] = v.intvalue();
        break;
      case V::kLongValue:
        values[name] = v.longvalue();
        break;
      case V::kBoolValue:
        values[name] = v.boolvalue();
        break;
      case V::kBytesValue:
        values[name] = v.bytesvalue();
        break;
      case V::VALUE_NOT_SET:
        break;
    }
  }
  s.parameters = Parameters(std::move(values));
  try {
    impl_ = factory(s);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "': " + e.what());
  }
  if (!impl_)
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model class '" + class_name_ + "': factory returned nothing");
}

FeatureMap CustomModelPredictor::predict(const FeatureMap& inputs) const {
  try {
    return impl_->predict(inputs);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCustomLayerFailed,
                "custom model '" + class_name_ + "' failed: " + e.what());
  }
}

}  // namespace morel::runtime
