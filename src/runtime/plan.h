// A plan: everything about running a graph that depends only on the input
// shapes — every value's shape, where it lives in one memory arena, the
// scratch size, and each node's prepared kernel — made once per input shape
// and reused for every prediction.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "graph/graph.h"

namespace morel::runtime {

struct PlanOptions {
  // Ask every op to prepare() its optimized kernel (off: reference kernels).
  bool prepare_kernels = false;
  int threads = 1;  // threads the prepared kernels will run on
};

struct Plan {
  std::vector<Shape> shapes;    // per value (logical shapes)
  std::vector<int64_t> offset;  // per value: start in the arena, in floats
  int64_t arena_floats = 0;
  int64_t workspace_floats = 0;  // the largest scratch any node asks for
  // Per node: what its op prepared for these shapes (may be null).
  std::vector<std::shared_ptr<const graph::OpPlan>> kernels;
  // Per node: its output 0 was given input `reused[i]`'s memory (else -1).
  std::vector<int> reused;
  // Per node: the threads it runs on. Ops with small outputs (the squeeze
  // and excitation branches, global pooling, classifier heads) run on one:
  // splitting them costs more in synchronization than it saves.
  std::vector<int> threads;
};

// Outputs up to this many elements in all make a node run on one thread.
inline constexpr int64_t kSmallOutputElements = 4096;

// Infer every shape and assign arena offsets. Values whose lifetimes do not
// overlap share memory (greedy by size: the largest values are placed
// first, each at the lowest offset free for its whole lifetime). An op that
// allows it writes its output over an input that dies there.
// Throws Error naming the node whose shapes do not fit.
Plan make_plan(const graph::Graph& graph, std::span<const Shape> input_shapes,
               const PlanOptions& options = {});

}  // namespace morel::runtime
