// Layer family: transpose. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_transpose_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
