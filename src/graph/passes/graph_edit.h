// Small graph-editing helpers shared by the passes.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace morel::graph {

// Who defines and who reads each value, as of when it was made.
struct Uses {
  explicit Uses(const Graph& g);
  std::vector<int> producer;  // per value: the defining node, -1 for inputs / none
  std::vector<int> count;     // per value: how many input slots read it
  std::vector<bool> output;   // per value: a graph output

  // True when `v` is read by exactly one input slot and is not a graph output:
  // the one reader may take over the value entirely.
  bool single_use(int v) const { return count[v] == 1 && !output[v]; }
};

// The producer of `v` when it may take over `v`'s value: a live node whose
// only output is `v`, read by `readers` slots and not a graph output; else -1.
int sole_producer(const Graph& g, const Uses& uses, const std::vector<bool>& dead, int v,
                  int readers);

// Removes the nodes marked true.
void erase_nodes(Graph& g, const std::vector<bool>& dead);

// Every read of value `from` now reads `to`.
void replace_uses(Graph& g, int from, int to);

// Makes node `p` absorb `consumer` (whose output 0 it now defines): the
// producer's output 0 becomes the consumer's, recorded in `uses`, and
// `kind` (the consumer's, by default) is recorded as fused. The caller
// erases the consumer.
void absorb(Graph& g, Uses& uses, int p, const Node& consumer, const std::string& kind = "");

}  // namespace morel::graph
