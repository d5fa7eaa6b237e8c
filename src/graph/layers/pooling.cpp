// Layer family: pooling. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_pooling_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
