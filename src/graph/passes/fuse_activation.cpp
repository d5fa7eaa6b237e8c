// fuse_activation: an activation right after an op that can apply it as it
// writes (convolution, inner product) moves into that op. Also recognizes
// swish, x * sigmoid(x), written as a sigmoid and a multiply by its input.
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {
namespace {

using kernels::reference::Activation;

// m = x * sigmoid(x): the sigmoid node's index, or -1.
int swish_sigmoid(const Graph& g, const Uses& uses, const Node& m) {
  if (m.op->as_binary() != BinaryKind::kMultiply || m.inputs.size() != 2) return -1;
  for (int k = 0; k < 2; ++k) {
    const int s = m.inputs[k], x = m.inputs[1 - k];
    const int a = uses.producer[s];
    if (a < 0 || !uses.single_use(s)) continue;
    const Node& act = g.nodes[a];
    const std::optional<ActivationFn> fn = act.op->as_activation();
    if (fn && fn->kind == Activation::kSigmoid && act.inputs.size() == 1 && act.inputs[0] == x)
      return a;
  }
  return -1;
}

}  // namespace

void fuse_activation(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& consumer = g.nodes[i];
    if (dead[i] || consumer.outputs.size() != 1) continue;

    if (const int a = swish_sigmoid(g, uses, consumer); a >= 0) {
      const int x = g.nodes[a].inputs[0];
      const int p = sole_producer(g, uses, dead, x, 2);  // read by the sigmoid and the multiply
      if (p >= 0 && g.nodes[p].op->fuse_activation({Activation::kSwish, 0.f, 0.f})) {
        absorb(g, uses, p, consumer, "swish");
        dead[a] = dead[i] = true;
      }
      continue;
    }

    if (consumer.inputs.size() != 1) continue;
    const std::optional<ActivationFn> fn = consumer.op->as_activation();
    if (!fn) continue;
    const int p = sole_producer(g, uses, dead, consumer.inputs[0], 1);
    if (p < 0 || !g.nodes[p].op->fuse_activation(*fn)) continue;
    absorb(g, uses, p, consumer);
    dead[i] = true;
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
