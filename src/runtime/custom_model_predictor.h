// CustomModel: a whole model implemented by a user class found by className.
// The predictor checks the features going in and coming out against the
// model description, so user code sees only declared inputs and a wrong
// result is reported instead of passed on.
#pragma once

#include <memory>
#include <string>

#include "morel/custom_layer.h"
#include "morel/spec.h"
#include "runtime/predictor.h"

namespace morel::runtime {

class CustomModelPredictor : public Predictor {
 public:
  // `spec` must outlive the predictor.
  explicit CustomModelPredictor(const Spec& spec);
  FeatureMap predict(const FeatureMap& inputs) const override;

 private:
  const Spec& spec_;
  std::string class_name_;
  std::unique_ptr<CustomModel> impl_;
};

}  // namespace morel::runtime
