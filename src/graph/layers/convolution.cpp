// Layer family: convolution. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_convolution_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
