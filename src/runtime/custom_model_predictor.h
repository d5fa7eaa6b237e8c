// CustomModel: a whole model implemented by a user class found by className.
#pragma once

#include <memory>

#include "morel/custom_layer.h"
#include "morel/spec.h"
#include "runtime/predictor.h"

namespace morel::runtime {

class CustomModelPredictor : public Predictor {
 public:
  explicit CustomModelPredictor(const Spec& spec);
  FeatureMap predict(const FeatureMap& inputs) const override;

 private:
  std::string class_name_;
  std::unique_ptr<CustomModel> impl_;
};

}  // namespace morel::runtime
