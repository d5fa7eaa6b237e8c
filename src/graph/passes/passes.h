// Optimization passes over a lowered graph, run by the predictor unless the
// model runs reference kernels only. Each pass lives in its own file and
// keeps the graph's results exactly what the unoptimized graph computes (up
// to floating-point rounding): fused ops implement the whole of what they
// absorbed, for every input shape.
#pragma once

#include "graph/graph.h"

namespace morel::graph {

struct PassOptions {
  // Pick channels-last storage for regions of ops that run faster on it.
  // Worth it only with kernels that have such a fast path (oneDNN).
  bool channels_last = true;
};

// All passes, in order.
void optimize(Graph& graph, const PassOptions& options);

// Drops ops that compute their input unchanged (copy, linear 1x+0).
void remove_noops(Graph& graph);
// Replaces reshape -> transpose -> reshape channel shuffles by one op that
// runs in either layout.
void fuse_channel_shuffle(Graph& graph);
// Folds a per-channel affine map (batchnorm with given statistics, scale,
// bias) into the weights of the op that produces its input.
void fold_batchnorm(Graph& graph);
// Moves activations into the op before them; also x * sigmoid(x) (swish).
void fuse_activation(Graph& graph);
// Moves a two-input add into the op producing one of its operands, which
// then adds the other to its result as it writes it.
void fuse_add(Graph& graph);
// Lets an op read the parts of a concatenation that only it reads, instead
// of the joined tensor.
void fuse_input_concat(Graph& graph);
// Chooses each node's layout and inserts the reorders between regions.
void assign_layouts(Graph& graph);

}  // namespace morel::graph
