#include "graph/graph.h"

#include <algorithm>

#include "graph/layer_registry.h"
#include "graph/layers/custom.h"
#include "morel/error.h"

namespace morel::graph {

int Graph::find_value(const std::string& name) const {
  auto it = std::find(values.begin(), values.end(), name);
  return it == values.end() ? -1 : static_cast<int>(it - values.begin());
}

int Graph::add_value(const std::string& name) {
  values.push_back(name);
  return static_cast<int>(values.size()) - 1;
}

std::string Node::fused_kind() const {
  std::string k = kind;
  for (const std::string& f : fused) k += "+" + f;
  return k;
}

bool Graph::batch_independent() const {
  return std::all_of(nodes.begin(), nodes.end(),
                     [](const Node& n) { return n.op->batch_independent(); });
}

std::unique_ptr<Op> lower_layer(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
  const std::string label = "layer '" + layer.name() + "' (" + layer_kind_name(layer) + ")";
  if (layer.layer_case() == spec::NeuralNetworkLayer::kCustom)
    return lower_custom_layer(layer, ctx);
  LayerLowering lower = builtin_layers().find(layer.layer_case());
  if (!lower)
    throw Error(ErrorCode::kUnsupported, label + ": morel does not run this layer kind yet");
  try {
    return lower(layer, ctx);
  } catch (const Error& e) {
    throw Error(e.code(), label + ": " + e.what());
  }
}

Graph lower_network(const NetworkView& network, const std::vector<std::string>& input_names,
                    const std::vector<std::string>& output_names, const LowerContext& ctx) {
  Graph g;
  g.rank5 = ctx.rank5;
  std::unordered_map<std::string, int> ids;
  auto define = [&](const std::string& name, const std::string& by) {
    if (ids.count(name))
      throw Error(ErrorCode::kInvalidModel,
                  by + ": blob '" + name + "' is already defined by an earlier layer or input");
    ids[name] = static_cast<int>(g.values.size());
    g.values.push_back(name);
    return ids[name];
  };
  for (const std::string& name : input_names) g.inputs.push_back(define(name, "model input"));

  for (const spec::NeuralNetworkLayer& layer : *network.layers) {
    Node node;
    node.name = layer.name();
    node.kind = layer_kind_name(layer);
    for (const std::string& in : layer.input()) {
      auto it = ids.find(in);
      if (it == ids.end())
        throw Error(ErrorCode::kInvalidModel,
                    node.label() + ": input '" + in +
                        "' is not a model input or the output of an earlier layer");
      node.inputs.push_back(it->second);
    }
    node.op = lower_layer(layer, ctx);
    for (const std::string& out : layer.output()) node.outputs.push_back(define(out, node.label()));
    g.nodes.push_back(std::move(node));
  }

  for (const std::string& name : output_names) {
    auto it = ids.find(name);
    if (it == ids.end())
      throw Error(ErrorCode::kInvalidModel,
                  "model output '" + name + "' is not produced by any layer of the network");
    g.outputs.push_back(it->second);
  }
  return g;
}

}  // namespace morel::graph
