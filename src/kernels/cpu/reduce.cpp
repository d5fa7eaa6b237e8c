#include "kernels/cpu/reduce.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::cpu {
namespace {

using reference::ReduceOp;

// Rows of `reduced` values combined into one, eight lanes at a time so that
// the compiler can keep them in one vector register.
constexpr int kLanes = 8;

// Max / min as the reference has them: a NaN, once seen, sticks.
inline float combine(ReduceOp op, float acc, float x) {
  switch (op) {
    case ReduceOp::kMax: return (x > acc || std::isnan(x)) && !std::isnan(acc) ? x : acc;
    case ReduceOp::kMin: return (x < acc || std::isnan(x)) && !std::isnan(acc) ? x : acc;
    default: return acc + x;
  }
}

template <ReduceOp kOp>
float reduce_row(const float* x, int64_t n) {
  float lanes[kLanes];
  const float init = kOp == ReduceOp::kMax || kOp == ReduceOp::kMin ? x[0] : 0.f;
  std::fill(lanes, lanes + kLanes, init);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) lanes[k] = combine(kOp, lanes[k], x[i + k]);
  float acc = lanes[0];
  for (int k = 1; k < kLanes; ++k) acc = combine(kOp, acc, lanes[k]);
  for (; i < n; ++i) acc = combine(kOp, acc, x[i]);
  return acc;
}

class ReduceKernel final : public Kernel {
 public:
  ReduceKernel(ReduceOp op, int64_t outer, int64_t reduced, int64_t inner)
      : op_(op), outer_(outer), reduced_(reduced), inner_(inner) {}

  void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    switch (op_) {
      case ReduceOp::kMax: return run_typed<ReduceOp::kMax>(ctx, inputs[0].data, outputs[0].data);
      case ReduceOp::kMin: return run_typed<ReduceOp::kMin>(ctx, inputs[0].data, outputs[0].data);
      case ReduceOp::kMean: return run_typed<ReduceOp::kMean>(ctx, inputs[0].data, outputs[0].data);
      default: return run_typed<ReduceOp::kSum>(ctx, inputs[0].data, outputs[0].data);
    }
  }

 private:
  template <ReduceOp kOp>
  void run_typed(const graph::RunContext& ctx, const float* in, float* out) const {
    const float scale = kOp == ReduceOp::kMean ? 1.f / static_cast<float>(reduced_) : 1.f;
    if (inner_ == 1) {
      parallel_for(ctx.threads, outer_, [&](int64_t o) {
        const float v = reduce_row<kOp>(in + o * reduced_, reduced_);
        out[o] = kOp == ReduceOp::kMean ? v * scale : v;
      });
      return;
    }
    // Whole rows of `inner` values combined element by element.
    parallel_for(ctx.threads, outer_, [&](int64_t o) {
      const float* x = in + o * reduced_ * inner_;
      float* y = out + o * inner_;
      std::copy(x, x + inner_, y);
      for (int64_t r = 1; r < reduced_; ++r)
        for (int64_t i = 0; i < inner_; ++i) y[i] = combine(kOp, y[i], x[r * inner_ + i]);
      if (kOp == ReduceOp::kMean)
        for (int64_t i = 0; i < inner_; ++i) y[i] *= scale;
    });
  }

  ReduceOp op_;
  int64_t outer_, reduced_, inner_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_reduce(ReduceOp op, const Shape& shape, uint32_t axis_mask) {
  if (op != ReduceOp::kSum && op != ReduceOp::kMean && op != ReduceOp::kMax && op != ReduceOp::kMin)
    return nullptr;
  const int rank = shape.rank();
  int first = 0;
  while (first < rank && !(axis_mask & (1u << first))) ++first;
  int last = first;
  while (last < rank && (axis_mask & (1u << last))) ++last;
  for (int a = last; a < rank; ++a)
    if (axis_mask & (1u << a)) return nullptr;  // not one contiguous run
  const int64_t reduced = shape.count(first, last);
  if (first == rank || reduced == 0) return nullptr;
  return std::make_unique<ReduceKernel>(op, shape.count(0, first), reduced,
                                        shape.count(last, rank));
}

}  // namespace morel::kernels::cpu
