// Lower one layer message with the built-in layer registry and run it, the
// way the runtime would, without building a model around it.
#pragma once

#include <vector>

#include "graph/op.h"
#include "morel/multi_array.h"

namespace morel::test {

struct LayerRun {
  std::vector<Shape> shapes;               // inferred output shapes
  std::vector<std::vector<float>> values;  // outputs, row-major
};

// Throws morel::Error like the runtime does (bad parameters, shapes).
LayerRun run_layer(const spec::NeuralNetworkLayer& layer, const std::vector<MultiArray>& inputs,
                   const graph::LowerContext& ctx, bool reference = true, int threads = 1);

}  // namespace morel::test
