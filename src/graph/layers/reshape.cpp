// Layer family: reshape. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_reshape_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
