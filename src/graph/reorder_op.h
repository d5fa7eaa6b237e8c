// The op the layout pass inserts at the borders of channels-last regions:
// the same tensor, stored in the other layout (graph/layout.h).
#pragma once

#include <memory>

#include "graph/op.h"

namespace morel::graph {

// Reorders its input (stored in the other layout) into layout `to`.
std::unique_ptr<Op> make_reorder(Layout to);

}  // namespace morel::graph
