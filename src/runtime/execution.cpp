#include "runtime/execution.h"

#include <chrono>

#include "kernels/parallel.h"
#include "morel/error.h"

namespace morel::runtime {

kernels::LargeBuffer Execution::allocate(int64_t floats) {
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(floats, 1)) * sizeof(float);
  kernels::LargeBuffer p = kernels::allocate_large(bytes);
  if (!p)
    throw Error(ErrorCode::kInvalidInput,
                "cannot allocate " + std::to_string(bytes) + " bytes for the prediction's tensors");
  return p;
}

Execution::Execution(const graph::Graph& graph, const Plan& plan)
    : graph_(&graph),
      plan_(&plan),
      arena_(allocate(plan.arena_floats)),
      workspace_(allocate(plan.workspace_floats)) {
  const size_t n = graph.nodes.size();
  inputs_.resize(n);
  outputs_.resize(n);
  bindings_.resize(n);
  skip_.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    const graph::Node& node = graph.nodes[i];
    // Ops that run unchanged on channels-last data see its permuted shapes.
    const bool permute = node.layout == graph::Layout::kChannelsLast &&
                         node.op->layout_support() == graph::LayoutSupport::kPermutable;
    auto view_shape = [&](int v) {
      return permute ? graph::channels_last_shape(plan.shapes[v]) : plan.shapes[v];
    };
    for (int v : node.inputs) inputs_[i].emplace_back(value(v), view_shape(v));
    for (int v : node.outputs) outputs_[i].push_back({value(v), view_shape(v)});
    // An identity whose output was given its input's memory has nothing to do.
    skip_[i] = node.op->is_identity() && plan.reused[i] == 0;
    if (plan.kernels[i]) bindings_[i] = plan.kernels[i]->bind(inputs_[i], outputs_[i], workspace());
  }
}

Execution::~Execution() = default;

void Execution::run_node(size_t i, graph::RunContext& ctx) {
  const graph::Node& node = graph_->nodes[i];
  ctx.plan = plan_->kernels[i].get();
  ctx.binding = bindings_[i].get();
  try {
    const int threads = plan_->threads[i];
    if (threads != ctx.threads) {
      // A small op (see Plan::threads) runs on fewer threads than the rest.
      graph::RunContext narrow = ctx;
      narrow.threads = threads;
      const kernels::ScopedDefaultThreads team(threads, ctx.threads);
      node.op->run(narrow, inputs_[i], outputs_[i]);
      return;
    }
    node.op->run(ctx, inputs_[i], outputs_[i]);
  } catch (const Error& e) {
    throw Error(e.code(), node.label() + ": " + e.what());
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput, node.label() + ": " + e.what());
  }
}

void Execution::run(const graph::RunContext& base, double* node_seconds) {
  graph::RunContext ctx = base;
  ctx.workspace = workspace();
  const size_t n = graph_->nodes.size();
  if (!node_seconds) {
    for (size_t i = 0; i < n; ++i)
      if (!skip_[i]) run_node(i, ctx);
    return;
  }
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < n; ++i) {
    const Clock::time_point start = Clock::now();
    if (!skip_[i]) run_node(i, ctx);
    node_seconds[i] += std::chrono::duration<double>(Clock::now() - start).count();
  }
}

}  // namespace morel::runtime
