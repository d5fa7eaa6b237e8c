#include "runtime/execution.h"

#include "morel/error.h"

namespace morel::runtime {

Execution::Buffer Execution::allocate(int64_t floats) {
  size_t bytes = (static_cast<size_t>(std::max<int64_t>(floats, 1)) * sizeof(float) + 63) / 64 * 64;
  auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!p)
    throw Error(ErrorCode::kInvalidInput,
                "cannot allocate " + std::to_string(bytes) + " bytes for the prediction's tensors");
  return Buffer(p);
}

Execution::Execution(const graph::Graph& graph, const Plan& plan)
    : graph_(&graph),
      plan_(&plan),
      arena_(allocate(plan.arena_floats)),
      workspace_(allocate(plan.workspace_floats)) {
  inputs_.resize(graph.nodes.size());
  outputs_.resize(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (int v : graph.nodes[i].inputs) inputs_[i].emplace_back(value(v), plan.shapes[v]);
    for (int v : graph.nodes[i].outputs) outputs_[i].push_back({value(v), plan.shapes[v]});
  }
}

void Execution::run(const graph::RunContext& base) {
  graph::RunContext ctx = base;
  ctx.workspace = workspace_.get();
  for (size_t i = 0; i < graph_->nodes.size(); ++i) {
    const graph::Node& node = graph_->nodes[i];
    try {
      node.op->run(ctx, inputs_[i], outputs_[i]);
    } catch (const Error& e) {
      throw Error(e.code(), node.label() + ": " + e.what());
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kInvalidInput, node.label() + ": " + e.what());
    }
  }
}

}  // namespace morel::runtime
