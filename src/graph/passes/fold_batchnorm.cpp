// fold_batchnorm: y = affine(op(x)) where the affine map is per channel and
// constant (batchnorm with given statistics, scale, bias) becomes one op whose
// weights and bias are scaled and shifted: no pass over y at run time.
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {

void fold_batchnorm(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& consumer = g.nodes[i];
    if (consumer.inputs.size() != 1 || consumer.outputs.size() != 1) continue;
    const int v = consumer.inputs[0];
    const int p = uses.producer[v];
    if (p < 0 || dead[p] || !uses.single_use(v)) continue;
    Node& producer = g.nodes[p];
    if (producer.outputs.size() != 1) continue;
    const std::optional<ChannelAffine> affine = consumer.op->as_channel_affine();
    if (!affine || !producer.op->fuse_channel_affine(*affine)) continue;
    absorb(g, uses, p, consumer);
    dead[i] = true;
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
