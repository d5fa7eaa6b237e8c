#include "kernels/cpu/primitive_kernel.h"

#include <cstring>

#include "graph/layout.h"

namespace morel::kernels::cpu {

bool EpilogueSetup::fusable() const {
  return !epilogue.has_add() || addend_shape == result_shape;
}

struct PrimitiveKernel::Binding : graph::OpBinding {
  BoundArgs args;
  float* result = nullptr;             // where the primitive writes
  const float* copy_addend = nullptr;  // copied into the destination before a fused sum
  const float* addend = nullptr;
};

void PrimitiveKernel::finish() {
  scratch_floats_ = scratch_floats(scratch_md);
  const graph::Epilogue& e = setup.epilogue;
  // An add run apart reads the addend, which may share the output's memory:
  // the result goes to the workspace and the add writes the output.
  result_in_workspace_ = !fused && e.has_add();
  workspace_floats = scratch_floats_;
  if (result_in_workspace_) workspace_floats = result_offset() + setup.result_shape.count();
}

std::unique_ptr<graph::OpBinding> PrimitiveKernel::bind(std::span<const ConstTensorView> inputs,
                                                        std::span<const TensorView> outputs,
                                                        float* workspace) const {
  auto b = std::make_unique<Binding>();
  b->result = result_in_workspace_ ? workspace + result_offset() : outputs[0].data;
  bind_args(b->args, inputs, b->result);
  b->args.add(DNNL_ARG_SCRATCHPAD, wrap(scratch_md, workspace));
  const graph::Epilogue& e = setup.epilogue;
  if (e.has_add()) {
    b->addend = inputs[e.add_input].data;
    if (fused && b->addend != outputs[0].data) b->copy_addend = b->addend;
  }
  return b;
}

void PrimitiveKernel::run(const graph::RunContext& ctx, std::span<const ConstTensorView>,
                          std::span<const TensorView> outputs) const {
  const auto* b = static_cast<const Binding*>(ctx.binding);
  // A fused sum adds to what the destination holds.
  if (b->copy_addend)
    std::memcpy(b->result, b->copy_addend,
                static_cast<size_t>(setup.result_shape.count()) * sizeof(float));
  b->args.execute(prim);
  if (fused || setup.epilogue.empty()) return;
  auto stored = [&](const Shape& s) {
    return setup.channels_last ? graph::channels_last_shape(s) : s;
  };
  graph::run_epilogue(setup.epilogue, ctx.threads, b->result, stored(setup.result_shape), b->addend,
                      stored(setup.addend_shape), outputs[0].data, stored(setup.out_shape));
}

}  // namespace morel::kernels::cpu
