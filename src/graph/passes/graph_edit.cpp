#include "graph/passes/graph_edit.h"

#include <algorithm>

namespace morel::graph {

Uses::Uses(const Graph& g)
    : producer(g.values.size(), -1), count(g.values.size(), 0), output(g.values.size(), false) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int v : g.nodes[i].inputs) ++count[v];
    for (int v : g.nodes[i].outputs) producer[v] = static_cast<int>(i);
  }
  for (int v : g.outputs) output[v] = true;
}

int sole_producer(const Graph& g, const Uses& uses, const std::vector<bool>& dead, int v,
                  int readers) {
  const int p = uses.producer[v];
  if (p < 0 || dead[p] || uses.output[v] || uses.count[v] != readers) return -1;
  return g.nodes[p].outputs.size() == 1 ? p : -1;
}

void erase_nodes(Graph& g, const std::vector<bool>& dead) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

void replace_uses(Graph& g, int from, int to) {
  for (Node& n : g.nodes) std::replace(n.inputs.begin(), n.inputs.end(), from, to);
}

void absorb(Graph& g, Uses& uses, int p, const Node& consumer, const std::string& kind) {
  Node& producer = g.nodes[p];
  producer.outputs[0] = consumer.outputs[0];
  uses.producer[consumer.outputs[0]] = p;
  producer.fused.push_back(kind.empty() ? consumer.kind : kind);
  for (const std::string& f : consumer.fused) producer.fused.push_back(f);
}

}  // namespace morel::graph
