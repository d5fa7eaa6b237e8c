// A plan: everything about running a graph that depends only on the input
// shapes — every value's shape, where it lives in one memory arena, and the
// scratch size — made once per input shape and reused for every prediction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"

namespace morel::runtime {

struct Plan {
  std::vector<Shape> shapes;    // per value
  std::vector<int64_t> offset;  // per value: start in the arena, in floats
  int64_t arena_floats = 0;
  int64_t workspace_floats = 0;  // the largest scratch any node asks for
};

// Infer every shape and assign arena offsets. Values whose lifetimes do not
// overlap share memory (greedy by size: the largest values are placed
// first, each at the lowest offset free for its whole lifetime). An op that
// allows it writes its output over its input when the input dies there.
// Throws Error naming the node whose shapes do not fit.
Plan make_plan(const graph::Graph& graph, std::span<const Shape> input_shapes);

}  // namespace morel::runtime
