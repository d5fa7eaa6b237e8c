#include "support/run_layer.h"

#include "graph/layer_registry.h"
#include "morel/error.h"
#include "morel/spec.h"

namespace morel::test {

LayerRun run_layer(const spec::NeuralNetworkLayer& layer, const std::vector<MultiArray>& inputs,
                   const graph::LowerContext& ctx, bool reference, int threads) {
  graph::LayerLowering lower = graph::builtin_layers().find(layer.layer_case());
  if (!lower)
    throw Error(ErrorCode::kUnsupported,
                "no built-in lowering for layer kind " + layer_kind_name(layer));
  std::unique_ptr<graph::Op> op = lower(layer, ctx);

  std::vector<std::vector<float>> in_data;
  std::vector<Shape> in_shapes;
  for (const MultiArray& a : inputs) {
    in_data.push_back(a.to_floats());
    in_shapes.emplace_back(std::span<const int64_t>(a.shape()));
  }
  LayerRun run;
  run.shapes = op->infer_shapes(in_shapes);
  for (const Shape& s : run.shapes) run.values.emplace_back(static_cast<size_t>(s.count()), 0.f);

  std::vector<ConstTensorView> in_views;
  for (size_t i = 0; i < inputs.size(); ++i) in_views.emplace_back(in_data[i].data(), in_shapes[i]);
  std::vector<TensorView> out_views;
  for (size_t i = 0; i < run.shapes.size(); ++i)
    out_views.push_back({run.values[i].data(), run.shapes[i]});

  // The default kernels are prepared as a plan would prepare them.
  std::unique_ptr<graph::OpPlan> plan;
  if (!reference) plan = op->prepare(in_shapes, run.shapes, graph::PrepareContext{threads});
  const int64_t scratch = plan ? plan->workspace_floats : op->workspace_size(in_shapes, run.shapes);
  std::vector<float> workspace(static_cast<size_t>(scratch));
  std::unique_ptr<graph::OpBinding> binding;
  if (plan) binding = plan->bind(in_views, out_views, workspace.data());
  graph::RunContext rc;
  rc.threads = threads;
  rc.workspace = workspace.data();
  rc.reference = reference;
  rc.plan = plan.get();
  rc.binding = binding.get();
  op->run(rc, in_views, out_views);
  return run;
}

}  // namespace morel::test
