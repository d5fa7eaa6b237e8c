// remove_noops: an op that computes its input unchanged is dropped and its
// readers read the input. It stays when its output is a graph output (the
// output must still be produced under its own name).
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {

void remove_noops(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  const Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (!n.op->is_identity() || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    if (uses.output[n.outputs[0]]) continue;
    replace_uses(g, n.outputs[0], n.inputs[0]);
    dead[i] = true;
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
