// fuse_add: c = a + b, where a is made by an op that can add a tensor to its
// result as it writes it (a convolution: oneDNN's sum post-op), becomes that
// op with b as one more input. The residual connections of ResNets and
// MobileNets are these. The op's output may then take b's memory when b dies
// there, so the add costs nothing at all.
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {

void fuse_add(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& add = g.nodes[i];
    if (add.op->as_binary() != BinaryKind::kAdd || add.inputs.size() != 2) continue;
    if (add.inputs[0] == add.inputs[1]) continue;
    // Prefer the operand made last: the other is then ready when it runs.
    int first = 0;
    if (uses.producer[add.inputs[1]] > uses.producer[add.inputs[0]]) first = 1;
    for (int k : {first, 1 - first}) {
      const int mine = add.inputs[k], other = add.inputs[1 - k];
      const int p = uses.producer[mine];
      if (p < 0 || dead[p] || !uses.single_use(mine)) continue;
      if (uses.producer[other] >= p) continue;  // not computed yet when the producer runs
      Node& producer = g.nodes[p];
      if (producer.outputs.size() != 1 || !producer.op->fuse_add()) continue;
      producer.inputs.push_back(other);
      absorb(g, uses, p, add);
      dead[i] = true;
      break;
    }
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
