// Execution: the memory one prediction runs in — the arena, the scratch
// space, every node's tensor views and kernel bindings — built once per plan
// and reused, so that running allocates nothing.
#pragma once

#include <cstdlib>
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "kernels/large_buffer.h"
#include "runtime/plan.h"

namespace morel::runtime {

class Execution {
 public:
  Execution(const graph::Graph& graph, const Plan& plan);
  ~Execution();

  float* value(int id) { return arena() + plan_->offset[id]; }
  const Shape& shape(int id) const { return plan_->shapes[id]; }

  // Run every node in order; errors are rethrown naming the node. With
  // `node_seconds` (one slot per node), each node's wall time is added to its
  // slot; without it nothing is timed.
  void run(const graph::RunContext& ctx, double* node_seconds = nullptr);

 private:
  static kernels::LargeBuffer allocate(int64_t floats);
  float* arena() const { return static_cast<float*>(arena_.get()); }
  float* workspace() const { return static_cast<float*>(workspace_.get()); }
  void run_node(size_t i, graph::RunContext& ctx);

  const graph::Graph* graph_;
  const Plan* plan_;
  kernels::LargeBuffer arena_, workspace_;
  std::vector<std::vector<ConstTensorView>> inputs_;
  std::vector<std::vector<TensorView>> outputs_;
  std::vector<std::unique_ptr<graph::OpBinding>> bindings_;
  std::vector<bool> skip_;  // nodes with nothing to do (an output that is its input)
};

}  // namespace morel::runtime
