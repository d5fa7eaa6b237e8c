// The kernel a prepared op runs: every plan made in kernels/cpu is one, so an
// op's run() hands a plan it made straight to it.
#pragma once

#include "graph/op.h"

namespace morel::kernels::cpu {

class Kernel : public graph::OpPlan {
 public:
  virtual void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
                   std::span<const TensorView> outputs) const = 0;
};

// Runs `kernel` with its own `binding`, inside the run() of a kernel made of
// several (one per input part).
inline void run_part(const Kernel& kernel, graph::OpBinding* binding, const graph::RunContext& ctx,
                     std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs) {
  graph::RunContext part = ctx;
  part.plan = &kernel;
  part.binding = binding;
  kernel.run(part, inputs, outputs);
}

// Runs ctx.plan, which must be a Kernel; false (nothing done) without a plan.
inline bool run_prepared(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
                         std::span<const TensorView> outputs) {
  if (!ctx.plan) return false;
  static_cast<const Kernel*>(ctx.plan)->run(ctx, inputs, outputs);
  return true;
}

}  // namespace morel::kernels::cpu
