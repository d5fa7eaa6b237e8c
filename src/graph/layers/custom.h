// Custom layers: a layer the format leaves to a user class, found by its
// className in the custom layer registry.
#pragma once

#include <memory>

#include "graph/op.h"

namespace morel::graph {

// Throws Error(kMissingCustomLayer) naming the class and layer when no class
// is registered, Error(kCustomLayerFailed) when the class's constructor or
// set_weights throws.
std::unique_ptr<Op> lower_custom_layer(const spec::NeuralNetworkLayer& layer,
                                       const LowerContext& ctx);

}  // namespace morel::graph
