#include "graph/passes/passes.h"

namespace morel::graph {

void optimize(Graph& graph, const PassOptions& options) {
  remove_noops(graph);
  fuse_channel_shuffle(graph);
  fold_batchnorm(graph);
  fuse_activation(graph);    // conv -> relu
  fuse_add(graph);           // conv -> add
  fuse_activation(graph);    // conv -> add -> relu
  fuse_input_concat(graph);  // concat -> conv
  if (options.channels_last) assign_layouts(graph);
}

}  // namespace morel::graph
