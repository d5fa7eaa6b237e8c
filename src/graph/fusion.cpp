#include "graph/fusion.h"

#include "kernels/reference/elementwise.h"

namespace morel::graph {

namespace ref = kernels::reference;

bool fusable_activation(const ActivationFn& fn) {
  using A = ref::Activation;
  switch (fn.kind) {
    case A::kReLU:
    case A::kLeakyReLU:
    case A::kLinear:
    case A::kClampedReLU:
    case A::kSigmoid:
    case A::kSigmoidHard:
    case A::kTanh:
    case A::kELU:
    case A::kSwish:
    case A::kGeluExact:
    case A::kGeluTanh:
    case A::kGeluSigmoid: return true;
    case A::kClip: return fn.alpha <= fn.beta;
    default: return false;
  }
}

void apply_activation(const ActivationFn& fn, const float* x, float* y, int64_t count,
                      int threads) {
  ref::ActivationParams p;
  p.kind = fn.kind;
  p.alpha = fn.alpha;
  p.beta = fn.beta;
  ref::activation(p, x, y, 1, 1, count, threads);
}

float* run_epilogue(const Epilogue& e, int threads, float* data, const Shape& shape,
                    const float* addend, const Shape& addend_shape, float* out,
                    const Shape& out_shape) {
  float* cur = data;
  int64_t count = shape.count();
  for (const EpilogueStep& step : e.steps) {
    if (step.kind == EpilogueStep::Kind::kActivation) {
      apply_activation(step.fn, cur, cur, count, threads);
      continue;
    }
    // out = cur + addend; out may be cur only when it has cur's shape.
    ref::binary_broadcast(threads, ref::BinaryOp::kAdd, cur, shape, addend, addend_shape, out,
                          out_shape);
    cur = out;
    count = out_shape.count();
  }
  return cur;
}

}  // namespace morel::graph
