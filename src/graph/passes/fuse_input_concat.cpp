// fuse_input_concat: a concatenation read only by an op that can take its
// parts instead (a convolution: one convolution per part, each adding onto
// the output) disappears; the op reads the parts. SqueezeNet's fire modules
// join two branches this way before every squeeze convolution. On
// channels-last data each part is a strided run of channels, so the copy the
// concatenation made touched the whole tensor twice; the extra convolution
// passes only re-read the (much smaller) output.
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {

void fuse_input_concat(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  const Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.inputs.empty()) continue;
    const int c = sole_producer(g, uses, dead, n.inputs[0], 1);
    if (c < 0) continue;
    const Node& concat = g.nodes[c];
    const std::optional<int64_t> axis = concat.op->as_concat();
    if (!axis || !n.op->fuse_input_concat(*axis, static_cast<int>(concat.inputs.size()))) continue;
    std::vector<int> inputs = concat.inputs;
    inputs.insert(inputs.end(), n.inputs.begin() + 1, n.inputs.end());
    n.inputs = std::move(inputs);
    n.fused.insert(n.fused.begin(), concat.kind);
    dead[c] = true;
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
