// Layer family: inner_product. (Filled in by the family's owner.)
#include "graph/layer_registry.h"

namespace morel::graph {

void register_inner_product_layers(LayerRegistry& r) { (void)r; }

}  // namespace morel::graph
