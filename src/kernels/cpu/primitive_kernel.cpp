#include "kernels/cpu/primitive_kernel.h"

#include <cstring>

#include "graph/layout.h"

namespace morel::kernels::cpu {

struct PrimitiveKernel::Binding : graph::OpBinding {
  BoundArgs args;
  float* result = nullptr;             // where the primitive writes
  const float* copy_addend = nullptr;  // copied there before a fused sum
  const float* addend = nullptr;
  std::vector<std::unique_ptr<EltwiseArgs>> eltwise;  // per apart step (null for others)
};

Shape PrimitiveKernel::stored(const Shape& s) const {
  return setup.channels_last ? graph::channels_last_shape(s) : s;
}

dnnl::post_ops PrimitiveKernel::fusable_post_ops(int& steps) const {
  dnnl::post_ops ops;
  steps = 0;
  for (const graph::EpilogueStep& s : setup.epilogue.steps) {
    if (s.kind == graph::EpilogueStep::Kind::kAdd) {
      if (!(setup.addend_shape == setup.result_shape)) break;
      ops.append_sum(1.f);
    } else if (!cheap_post_op(s.fn) || !append_activation(ops, s.fn)) {
      break;
    }
    ++steps;
  }
  return ops;
}

void PrimitiveKernel::finish(int fused_steps) {
  scratch_floats_ = scratch_floats(scratch_md);
  fused_steps_ = fused_steps;
  const auto& steps = setup.epilogue.steps;
  bool add_seen = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    const bool is_add = steps[i].kind == graph::EpilogueStep::Kind::kAdd;
    if (static_cast<int>(i) < fused_steps) {
      fused_add_ = fused_add_ || is_add;
      add_seen = add_seen || is_add;
      continue;
    }
    Step s;
    s.step = steps[i];
    if (is_add) {
      s.binary = plan_binary(reference::BinaryOp::kAdd, stored(setup.result_shape),
                             stored(setup.addend_shape), stored(setup.out_shape));
      // The addend may share the output's memory: the result waits in the workspace.
      result_in_workspace_ = true;
      add_seen = true;
    } else {
      s.eltwise =
          Eltwise::make(s.step.fn, (add_seen ? setup.out_shape : setup.result_shape).count());
    }
    apart_.push_back(std::move(s));
  }
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
    if (fused_add_ && b->addend != outputs[0].data) b->copy_addend = b->addend;
  }
  float* current = b->result;  // where the value is when each apart step runs
  for (const Step& s : apart_) {
    if (s.step.kind == graph::EpilogueStep::Kind::kAdd) current = outputs[0].data;
    b->eltwise.push_back(s.eltwise ? s.eltwise->bind(current, current) : nullptr);
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
  float* current = b->result;
  Shape shape = setup.result_shape;
  for (size_t i = 0; i < apart_.size(); ++i) {
    const Step& s = apart_[i];
    if (s.step.kind == graph::EpilogueStep::Kind::kAdd) {
      float* out = outputs[0].data;
      if (s.binary)
        run_binary(*s.binary, current, b->addend, out, ctx.threads);
      else
        reference::binary_broadcast(ctx.threads, reference::BinaryOp::kAdd, current, stored(shape),
                                    b->addend, stored(setup.addend_shape), out,
                                    stored(setup.out_shape));
      current = out;
      shape = setup.out_shape;
    } else if (s.eltwise) {
      s.eltwise->run(*b->eltwise[i]);
    } else {
      graph::apply_activation(s.step.fn, current, current, shape.count(), ctx.threads);
    }
  }
}

}  // namespace morel::kernels::cpu
