// Layer family: activation. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_activation_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
