// The Swish activation as Core ML custom layers, after the seed article:
//
//   Swish           y = x * sigmoid(beta * x), beta from the double parameter
//                   "beta" (default 1).
//   LearnableSwish  the same with one beta per channel, from the layer's one
//                   weight blob. The channel axis is axis 2 of a legacy
//                   network's rank-5 tensors, and the int parameter "axis"
//                   (default -3, counting from the end) in N-d networks.
#pragma once

#include <vector>

#include "morel/custom_layer.h"

namespace swish {

class Swish : public morel::CustomLayer {
 public:
  explicit Swish(const morel::CustomLayerSpec& spec);

  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> inputs) const override;
  void evaluate_cpu(std::span<const morel::ConstTensorView> inputs,
                    std::span<const morel::TensorView> outputs) const override;
  bool batch_independent() const override { return true; }

  float beta() const { return beta_; }

 private:
  float beta_;
};

class LearnableSwish : public morel::CustomLayer {
 public:
  explicit LearnableSwish(const morel::CustomLayerSpec& spec);

  void set_weights(std::span<const morel::Weight> weights) override;
  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> inputs) const override;
  void evaluate_cpu(std::span<const morel::ConstTensorView> inputs,
                    std::span<const morel::TensorView> outputs) const override;
  bool batch_independent() const override { return true; }

  const std::vector<float>& betas() const { return betas_; }

 private:
  int channel_axis(const morel::Shape& shape) const;  // throws when out of range

  bool rank5_;
  int64_t axis_;
  std::vector<float> betas_;
};

}  // namespace swish
