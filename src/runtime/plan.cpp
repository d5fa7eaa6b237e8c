#include "runtime/plan.h"

#include <algorithm>
#include <numeric>

#include "kernels/parallel.h"
#include "morel/error.h"

namespace morel::runtime {

namespace {

constexpr int64_t kAlignFloats = 16;  // 64-byte alignment for every value

int64_t aligned(int64_t n) {
  return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}

// Storage shared by one or more values (an in-place chain).
struct Block {
  int64_t size = 0;
  int first = 0, last = 0;  // node indices of first definition and last use
  int64_t offset = -1;
};

}  // namespace

Plan make_plan(const graph::Graph& g, std::span<const Shape> input_shapes,
               const PlanOptions& options) {
  const int n_values = static_cast<int>(g.values.size());
  const int n_nodes = static_cast<int>(g.nodes.size());
  Plan plan;
  plan.shapes.resize(n_values);
  for (size_t i = 0; i < g.inputs.size(); ++i) plan.shapes[g.inputs[i]] = input_shapes[i];

  // Shapes and kernels, node by node.
  plan.kernels.resize(n_nodes);
  plan.reused.assign(n_nodes, -1);
  plan.threads.assign(n_nodes, options.threads);
  std::vector<Shape> in_shapes;
  std::vector<int> reuse(n_nodes, -1);
  for (int i = 0; i < n_nodes; ++i) {
    const graph::Node& node = g.nodes[i];
    in_shapes.clear();
    for (int v : node.inputs) in_shapes.push_back(plan.shapes[v]);
    std::vector<Shape> out;
    try {
      out = node.op->infer_shapes(in_shapes);
    } catch (const Error& e) {
      throw Error(e.code(), node.label() + ": " + e.what());
    }
    if (out.size() != node.outputs.size())
      throw Error(ErrorCode::kInvalidModel, node.label() + ": produces " +
                                                std::to_string(out.size()) + " outputs but names " +
                                                std::to_string(node.outputs.size()));
    for (size_t k = 0; k < out.size(); ++k) {
      for (int64_t d : out[k])
        if (d < 0 || d > (int64_t(1) << 40))
          throw Error(ErrorCode::kInvalidInput,
                      node.label() + ": output shape " + out[k].str() + " is out of range");
      plan.shapes[node.outputs[k]] = out[k];
    }
    int64_t out_elements = 0;
    for (const Shape& s : out) out_elements += s.count();
    const int threads = out_elements <= kSmallOutputElements ? 1 : options.threads;
    plan.threads[i] = threads;
    int64_t scratch = 0;
    try {
      if (options.prepare_kernels) {
        // oneDNN sizes its kernels for the default team size when it makes them.
        const kernels::ScopedDefaultThreads team(threads, options.threads);
        plan.kernels[i] = node.op->prepare(in_shapes, out, graph::PrepareContext{threads});
      }
      scratch = plan.kernels[i] ? plan.kernels[i]->workspace_floats
                                : node.op->workspace_size(in_shapes, out);
    } catch (const Error& e) {
      throw Error(e.code(), node.label() + ": " + e.what());
    }
    plan.workspace_floats = std::max(plan.workspace_floats, scratch);
    reuse[i] = node.op->reuse_input(in_shapes);
  }

  // Lifetimes: inputs live from before node 0; outputs to the end.
  std::vector<int> block_of(n_values, -1);
  std::vector<Block> blocks;
  std::vector<int> last_use(n_values, -1), defined_at(n_values, -1);
  for (int i = 0; i < n_nodes; ++i) {
    for (int v : g.nodes[i].inputs) last_use[v] = i;
    for (int v : g.nodes[i].outputs) defined_at[v] = i;
  }
  for (int v : g.outputs) last_use[v] = n_nodes;
  std::vector<bool> pinned(n_values, false);  // inputs and outputs never host another value
  for (int v : g.inputs) pinned[v] = true;
  for (int v : g.outputs) pinned[v] = true;

  auto new_block = [&](int v, int first) {
    block_of[v] = static_cast<int>(blocks.size());
    blocks.push_back({aligned(plan.shapes[v].count()), first, std::max(first, last_use[v])});
  };
  for (int v : g.inputs) new_block(v, -1);
  for (int i = 0; i < n_nodes; ++i) {
    const graph::Node& node = g.nodes[i];
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      int v = node.outputs[k];
      const int r = reuse[i];
      if (k == 0 && r >= 0 && r < static_cast<int>(node.inputs.size())) {
        int src = node.inputs[r];
        bool only_use =
            last_use[src] == i && std::count(node.inputs.begin(), node.inputs.end(), src) == 1;
        if (only_use && !pinned[src] && !pinned[v] &&
            plan.shapes[src].count() == plan.shapes[v].count()) {
          Block& b = blocks[block_of[src]];
          block_of[v] = block_of[src];
          b.last = std::max(b.last, last_use[v]);
          plan.reused[i] = r;
          continue;
        }
      }
      new_block(v, i);
    }
  }

  // Greedy by size: place big blocks first, each at the lowest offset that
  // does not collide with an already placed block alive at the same time.
  std::vector<int> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return blocks[a].size > blocks[b].size; });
  std::vector<int> placed;
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (int bi : order) {
    Block& b = blocks[bi];
    busy.clear();
    for (int pi : placed) {
      const Block& p = blocks[pi];
      if (p.first <= b.last && b.first <= p.last) busy.emplace_back(p.offset, p.offset + p.size);
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [start, end] : busy) {
      if (offset + b.size <= start) break;
      offset = std::max(offset, end);
    }
    b.offset = offset;
    plan.arena_floats = std::max(plan.arena_floats, offset + b.size);
    placed.push_back(bi);
  }

  plan.offset.resize(n_values, 0);
  for (int v = 0; v < n_values; ++v)
    if (block_of[v] >= 0) plan.offset[v] = blocks[block_of[v]].offset;
  return plan;
}

}  // namespace morel::runtime
