// assign_layouts: channels-last regions. Ops that run much faster on
// channels-last data (convolution, pooling) start a region; ops that can work
// on it either way join a region when one of their inputs is already in it;
// everything else stays plain. A reorder is inserted wherever a value is read
// in the other layout — one per value and layout, shared by its readers —
// and before every graph output, which is always plain.
//
// One forward sweep in execution order: a greedy choice, not an optimum, but
// in CNNs the regions it finds are the whole feature extractor, with
// reorders only at the network's input, around the few plain-only ops, and
// before the classifier (where H = W = 1 makes the reorder free).
#include <map>

#include "graph/passes/passes.h"
#include "graph/reorder_op.h"

namespace morel::graph {

void assign_layouts(Graph& g) {
  std::vector<Layout> layout(g.values.size(), Layout::kPlain);
  std::map<std::pair<int, Layout>, int> converted;  // (value, layout) -> value holding it so
  std::vector<Node> nodes;
  nodes.reserve(g.nodes.size());

  // The value holding `v` in layout `to`, adding a reorder before the
  // current node the first time it is asked for.
  auto in_layout = [&](int v, Layout to) {
    if (layout[v] == to) return v;
    auto it = converted.find({v, to});
    if (it != converted.end()) return it->second;
    const bool to_cl = to == Layout::kChannelsLast;
    Node r;
    r.name = g.values[v] + (to_cl ? "/to_channels_last" : "/to_plain");
    r.kind = "reorder";
    r.op = make_reorder(to);
    r.layout = Layout::kPlain;  // a reorder handles both layouts itself
    r.inputs = {v};
    const int out = g.add_value(r.name);
    layout.push_back(to);
    r.outputs = {out};
    nodes.push_back(std::move(r));
    converted[{v, to}] = out;
    return out;
  };

  for (Node& n : g.nodes) {
    const LayoutSupport support = n.op->layout_support();
    bool cl = false;
    if (support != LayoutSupport::kNone) {
      cl = n.op->prefers_channels_last();
      for (int v : n.inputs) cl = cl || layout[v] == Layout::kChannelsLast;
    }
    const Layout want = cl ? Layout::kChannelsLast : Layout::kPlain;
    for (int& v : n.inputs) v = in_layout(v, want);
    if (cl) {
      n.layout = Layout::kChannelsLast;
      n.op->set_channels_last();
      for (int v : n.outputs) layout[v] = Layout::kChannelsLast;
    }
    nodes.push_back(std::move(n));
  }
  for (int& v : g.outputs) v = in_layout(v, Layout::kPlain);
  g.nodes = std::move(nodes);
}

}  // namespace morel::graph
