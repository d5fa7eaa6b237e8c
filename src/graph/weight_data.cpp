#include "graph/weight_data.h"

namespace morel::graph {

WeightData::WeightData(const spec::WeightParams& w, int64_t count, const std::string& field,
                       ChannelLayout layout, bool borrow) {
  const bool plain_floats = w.floatvalue_size() == count && w.float16value().empty() &&
                            w.rawvalue().empty() && w.int8rawvalue().empty() &&
                            !w.has_quantization();
  if (borrow && plain_floats && count > 0) {
    values_ = std::span<const float>(w.floatvalue().data(), static_cast<size_t>(count));
    return;
  }
  owned_ = decode_weights(w, count, layout, field);
  values_ = owned_;
}

WeightData& WeightData::operator=(const WeightData& other) {
  if (this == &other) return *this;
  owned_ = other.owned_;
  values_ = other.borrowed() ? other.values_ : std::span<const float>(owned_);
  return *this;
}

float* WeightData::mutable_data() {
  if (borrowed()) {
    owned_.assign(values_.begin(), values_.end());
    values_ = owned_;
  }
  return owned_.data();
}

}  // namespace morel::graph
