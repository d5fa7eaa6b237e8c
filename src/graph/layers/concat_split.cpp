// Layer family: concat_split. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_concat_split_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
