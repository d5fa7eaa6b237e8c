// fuse_channel_shuffle: reshape -> transpose -> reshape, where the transpose
// swaps the two axes before the last two, becomes one channelShuffle op when
// neither intermediate value is read elsewhere. That is how ONNX (and so the
// converter) spells ShuffleNet's channel shuffle; as three layers it runs a
// general rank-5 transpose on plain data, with layout reorders around it in
// a channels-last region. The fused op shuffles in either layout and, for
// shapes where the three layers are no channel shuffle, computes what they
// compute (graph/channel_shuffle_op.h).
#include "graph/channel_shuffle_op.h"
#include "graph/passes/graph_edit.h"
#include "graph/passes/passes.h"

namespace morel::graph {
namespace {

// A reshape with one input and one output.
bool is_single_reshape(const Node& n) {
  return n.op->is_reshape() && n.inputs.size() == 1 && n.outputs.size() == 1;
}

// The node defining `v`, read only by the node fusing it, when it has one
// input (and one output); else -1.
int single_input_producer(const Graph& g, const Uses& uses, const std::vector<bool>& dead, int v) {
  const int p = sole_producer(g, uses, dead, v, 1);
  return p >= 0 && g.nodes[p].inputs.size() == 1 ? p : -1;
}

}  // namespace

void fuse_channel_shuffle(Graph& g) {
  std::vector<bool> dead(g.nodes.size(), false);
  const Uses uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& merge = g.nodes[i];
    if (!is_single_reshape(merge)) continue;
    const int t = single_input_producer(g, uses, dead, merge.inputs[0]);
    if (t < 0) continue;
    const std::optional<std::vector<int>> perm = g.nodes[t].op->as_transpose();
    if (!perm || !is_channel_shuffle_permutation(*perm)) continue;
    const int s = single_input_producer(g, uses, dead, g.nodes[t].inputs[0]);
    if (s < 0 || !is_single_reshape(g.nodes[s])) continue;

    Node& split = g.nodes[s];
    merge.op = make_channel_shuffle(std::move(split.op), *perm, std::move(merge.op));
    merge.name = g.nodes[t].name;
    merge.kind = "channelShuffle";
    merge.inputs = split.inputs;
    dead[s] = dead[t] = true;
  }
  erase_nodes(g, dead);
}

}  // namespace morel::graph
