// The graph IR: a network lowered to named values and nodes, each node an Op
// built from one layer. Nodes are in execution order (the format requires
// every blob to be defined before it is used).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/op.h"
#include "morel/spec.h"

namespace morel::graph {

struct Node {
  std::string name;  // the layer's name
  std::string kind;  // the layer's kind as in the format ("convolution", ...)
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::unique_ptr<Op> op;
  // Kinds of the layers the passes folded into this one, in order.
  std::vector<std::string> fused;
  // Layout of every input and output (graph/layout.h), set by the layout pass.
  Layout layout = Layout::kPlain;

  // "layer 'conv1' (convolution)", for messages.
  std::string label() const { return "layer '" + name + "' (" + kind + ")"; }
  // "convolution+batchnorm+activation": the kind with what was fused into it.
  std::string fused_kind() const;
};

struct Graph {
  std::vector<std::string> values;  // value id -> blob name
  std::vector<Node> nodes;
  std::vector<int> inputs;   // value ids of the network inputs, in the order given to lower_network
  std::vector<int> outputs;  // value ids the caller asked to keep
  bool rank5 = true;

  int find_value(const std::string& name) const;  // -1 if absent
  // A new value named `name` (need not be unique); returns its id.
  int add_value(const std::string& name);
  // True when every node keeps items along the Batch axis independent.
  bool batch_independent() const;
};

// Lower a network: model inputs are the blobs `input_names`, and `output_names`
// must be produced (by a layer, or be inputs). Throws Error naming the layer
// for an unknown kind (kUnsupported), a missing custom layer class
// (kMissingCustomLayer), bad parameters or wiring (kInvalidModel).
Graph lower_network(const NetworkView& network, const std::vector<std::string>& input_names,
                    const std::vector<std::string>& output_names, const LowerContext& ctx);

// The Op for one layer, built-in or custom; errors name the layer.
std::unique_ptr<Op> lower_layer(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx);

}  // namespace morel::graph
