// How a model's input features become the network's input tensors: shape
// checks against the declared shape or its flexibility, element conversion,
// image colour layout and preprocessing (scaler, mean image).
#pragma once

#include <string>
#include <vector>

#include "morel/features.h"
#include "morel/shape.h"
#include "morel/spec.h"

namespace morel::runtime {

class InputBinding {
 public:
  // `rank5_arrays`: legacy mapping of [C] / [C,H,W] arrays to rank 5;
  // `rank5_images`: images as [1,1,C,H,W] rather than [1,C,H,W].
  InputBinding(const spec::FeatureDescription& feature, const NetworkView& network,
               bool rank5_arrays, bool rank5_images);

  const std::string& name() const { return name_; }

  // The tensor shape this value becomes; throws Error(kInvalidInput) naming
  // the feature when its type, element type or shape is not accepted.
  Shape tensor_shape(const FeatureValue& value) const;

  // Write the value (already checked by tensor_shape) as float32 to `dst`.
  void write(const FeatureValue& value, float* dst) const;

 private:
  Shape array_shape(const MultiArray& a) const;
  Shape image_shape(const Image& im) const;
  [[noreturn]] void fail(const std::string& what) const;

  std::string name_;
  spec::FeatureType type_;
  bool rank5_arrays_, rank5_images_;
  // Preprocessing steps, in the order the spec lists them: a scaler
  // (x * scale + bias[c]) or a mean image subtraction ([C*H*W] values).
  struct Step {
    float scale = 1, bias[3] = {0, 0, 0};
    std::vector<float> mean;
  };
  std::vector<Step> steps_;
  bool has_mean_ = false;
};

}  // namespace morel::runtime
