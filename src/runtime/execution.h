// Execution: the memory one prediction runs in — the arena, the scratch
// space, and every node's tensor views bound to them — built once per plan
// and reused, so that running allocates nothing.
#pragma once

#include <cstdlib>
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "runtime/plan.h"

namespace morel::runtime {

class Execution {
 public:
  Execution(const graph::Graph& graph, const Plan& plan);

  float* value(int id) { return arena_.get() + plan_->offset[id]; }
  const Shape& shape(int id) const { return plan_->shapes[id]; }

  // Run every node in order; errors are rethrown naming the node.
  void run(const graph::RunContext& ctx);

 private:
  struct FreeDeleter {
    void operator()(float* p) const { std::free(p); }
  };
  using Buffer = std::unique_ptr<float[], FreeDeleter>;
  static Buffer allocate(int64_t floats);

  const graph::Graph* graph_;
  const Plan* plan_;
  Buffer arena_, workspace_;
  std::vector<std::vector<ConstTensorView>> inputs_;
  std::vector<std::vector<TensorView>> outputs_;
};

}  // namespace morel::runtime
