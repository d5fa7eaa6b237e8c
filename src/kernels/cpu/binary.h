// Two-input element-wise maps (add, subtract, multiply, divide, max, min) in
// the broadcast patterns networks use, as plain vectorizable loops: equal
// shapes, an operand repeated along leading axes (a per-channel scale in
// channels-last storage), an operand constant along trailing axes (the same
// in plain storage), a scalar. Other patterns are left to the reference
// kernel, which handles any broadcast.
#pragma once

#include <optional>

#include <memory>

#include "kernels/cpu/kernel.h"
#include "kernels/reference/elementwise.h"
#include "morel/shape.h"

namespace morel::kernels::cpu {

struct BinaryPlan {
  enum class Pattern { kSame, kRepeat, kPerRow };
  Pattern pattern = Pattern::kSame;
  reference::BinaryOp op = reference::BinaryOp::kAdd;
  bool swapped = false;  // the broadcast operand is the first one (commutative ops only)
  // kSame: out[i] = a[i] op b[i], i < outer.
  // kRepeat: out[o, i] = a[o, i] op b[i], o < outer, i < inner.
  // kPerRow: out[o, m, i] = a[o, m, i] op b[m], over [outer, mid, inner].
  int64_t outer = 1, mid = 1, inner = 1;
};

// A plan for out = a op b over these (stored) shapes, or nullopt when the
// op or the pattern is not one of the fast ones.
std::optional<BinaryPlan> plan_binary(reference::BinaryOp op, const Shape& a, const Shape& b,
                                      const Shape& out);

// Runs a plan; `out` may be `a` or `b` when it has their shape.
void run_binary(const BinaryPlan& p, const float* a, const float* b, float* out, int threads);

// A binary op's kernel: output 0 = input 0 op input 1, over these stored
// shapes; null when the pattern is not a fast one.
std::unique_ptr<Kernel> prepare_binary(reference::BinaryOp op, const Shape& a, const Shape& b,
                                       const Shape& out);
// output 0 = input 0 op scalar over `count` values; null for a slow op.
std::unique_ptr<Kernel> prepare_binary_scalar(reference::BinaryOp op, float scalar, int64_t count);

}  // namespace morel::kernels::cpu
