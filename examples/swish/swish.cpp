#include "swish.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "swish_kernels.h"

namespace swish {

namespace {

void require_one_to_one(std::span<const morel::Shape> inputs, const char* cls) {
  if (inputs.size() != 1)
    throw std::invalid_argument(std::string(cls) + " takes 1 input, got " +
                                std::to_string(inputs.size()));
}

}  // namespace

Swish::Swish(const morel::CustomLayerSpec& spec)
    : beta_(static_cast<float>(spec.parameters.get_double("beta", 1.0))) {
  if (!std::isfinite(beta_))
    throw std::invalid_argument("Swish: parameter 'beta' must be finite, got " +
                                std::to_string(spec.parameters.get_double("beta")));
}

std::vector<morel::Shape> Swish::output_shapes(std::span<const morel::Shape> inputs) const {
  require_one_to_one(inputs, "Swish");
  return {inputs[0]};
}

void Swish::evaluate_cpu(std::span<const morel::ConstTensorView> inputs,
                         std::span<const morel::TensorView> outputs) const {
  swish_vectorized(inputs[0].data, outputs[0].data, inputs[0].count(), beta_);
}

LearnableSwish::LearnableSwish(const morel::CustomLayerSpec& spec)
    : rank5_(spec.rank5), axis_(spec.parameters.get_int("axis", -3)) {
  if (rank5_ && spec.parameters.has("axis"))
    throw std::invalid_argument(
        "LearnableSwish: parameter 'axis' applies to N-d networks only; a legacy network's "
        "channel axis is always C of [Seq, Batch, C, H, W]");
}

void LearnableSwish::set_weights(std::span<const morel::Weight> weights) {
  if (weights.size() != 1)
    throw std::invalid_argument("LearnableSwish needs 1 weight blob (one beta per channel), got " +
                                std::to_string(weights.size()));
  betas_ = weights[0].values;
  if (betas_.empty()) throw std::invalid_argument("LearnableSwish: the beta weights are empty");
  for (float b : betas_)
    if (!std::isfinite(b)) throw std::invalid_argument("LearnableSwish: a beta is not finite");
}

int LearnableSwish::channel_axis(const morel::Shape& shape) const {
  if (rank5_) return 2;
  const int64_t rank = shape.rank();
  const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 0 || axis >= rank)
    throw std::invalid_argument("LearnableSwish: channel axis " + std::to_string(axis_) +
                                " is out of range for rank-" + std::to_string(rank) + " input " +
                                shape.str() + " (set the int parameter 'axis')");
  return static_cast<int>(axis);
}

std::vector<morel::Shape> LearnableSwish::output_shapes(
    std::span<const morel::Shape> inputs) const {
  require_one_to_one(inputs, "LearnableSwish");
  const morel::Shape& s = inputs[0];
  const int64_t channels = s[channel_axis(s)];
  if (channels != static_cast<int64_t>(betas_.size()))
    throw std::invalid_argument("LearnableSwish: input " + s.str() + " has " +
                                std::to_string(channels) + " channels, but the weights hold " +
                                std::to_string(betas_.size()) + " betas");
  return {s};
}

void LearnableSwish::evaluate_cpu(std::span<const morel::ConstTensorView> inputs,
                                  std::span<const morel::TensorView> outputs) const {
  const morel::Shape& s = inputs[0].shape;
  const int axis = channel_axis(s);
  const int64_t outer = s.count(0, axis), channels = s[axis], inner = s.count(axis + 1, s.rank());
  const float* x = inputs[0].data;
  float* y = outputs[0].data;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t at = (o * channels + c) * inner;
      swish_vectorized(x + at, y + at, inner, betas_[static_cast<size_t>(c)]);
    }
}

}  // namespace swish
