// Small models around one custom layer, shared by the custom layer tests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "morel/builder.h"
#include "morel/features.h"
#include "morel/multi_array.h"

namespace morel::test {

struct CustomModelShape {
  std::vector<int64_t> input{2, 3, 4};  // [C, H, W] in legacy networks
  std::vector<int64_t> output{};        // declared output shape; empty: same as input
  bool exact = false;                   // N-d (exact ranks) instead of legacy rank 5
};

// Input "x" -> custom layer "probe" of class `class_name` -> output "y".
inline Spec single_custom_layer_model(
    const std::string& class_name, const std::function<void(spec::CustomLayerParams&)>& edit = {},
    const CustomModelShape& shape = {}) {
  ModelBuilder b;
  if (shape.exact) b.use_exact_shapes();
  b.add_array_input("x", shape.input);
  b.add_array_output("y", shape.output.empty() ? shape.input : shape.output);
  spec::CustomLayerParams& p = b.add_custom("probe", {"x"}, {"y"}, class_name, "a test layer");
  if (edit) edit(p);
  return b.build();
}

// shape-sized array holding start, start + step, ...
inline MultiArray ramp(const std::vector<int64_t>& shape, float start = 0, float step = 1) {
  MultiArray a(DType::kFloat32, shape);
  for (int64_t i = 0; i < a.count(); ++i) a.data<float>()[i] = start + step * static_cast<float>(i);
  return a;
}

inline std::vector<float> floats_of(const FeatureMap& out, const std::string& name) {
  return std::get<MultiArray>(out.at(name)).to_floats();
}

}  // namespace morel::test
