// A layer's weights as its op holds them: float32 values read in place from
// the model's spec when the spec outlives the graph (no copy of the largest
// thing a model holds), else decoded into memory of its own. Changing them
// (folding a batchnorm into a convolution) makes the copy first.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "morel/weights.h"

namespace morel::graph {

class WeightData {
 public:
  WeightData() = default;
  // Decodes `count` values of `w` (errors name `field`). With `borrow`, and
  // when `w` holds exactly `count` float32 values and nothing else, they are
  // read where they are: `w` must then outlive this object.
  WeightData(const spec::WeightParams& w, int64_t count, const std::string& field,
             ChannelLayout layout, bool borrow);

  WeightData(const WeightData& other) { *this = other; }
  WeightData& operator=(const WeightData& other);
  WeightData(WeightData&&) noexcept = default;
  WeightData& operator=(WeightData&&) noexcept = default;

  const float* data() const { return values_.data(); }
  size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  bool borrowed() const { return owned_.empty() && !values_.empty(); }
  // For changing the values: copies borrowed ones into memory of its own first.
  float* mutable_data();

 private:
  std::vector<float> owned_;
  std::span<const float> values_;  // owned_, or the spec's
};

}  // namespace morel::graph
