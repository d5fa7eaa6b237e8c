#include "kernels/cpu/binary.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::cpu {
namespace {

using reference::BinaryOp;

// Elements per parallel task of the flat loops.
constexpr int64_t kChunk = 1 << 14;

bool fast(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kMax:
    case BinaryOp::kMin: return true;
    default: return false;
  }
}

bool commutative(BinaryOp op) {
  return op == BinaryOp::kAdd || op == BinaryOp::kMultiply;
}

// The same formulas as reference::apply_binary (max / min keep a NaN in a).
template <BinaryOp kOp>
inline float apply(float a, float b) {
  if constexpr (kOp == BinaryOp::kAdd) return a + b;
  if constexpr (kOp == BinaryOp::kSubtract) return a - b;
  if constexpr (kOp == BinaryOp::kMultiply) return a * b;
  if constexpr (kOp == BinaryOp::kDivide) return a / b;
  if constexpr (kOp == BinaryOp::kMax) return (a > b || std::isnan(a)) ? a : b;
  if constexpr (kOp == BinaryOp::kMin) return (a < b || std::isnan(a)) ? a : b;
  return 0.f;
}

// x[i] op y[i] (y_step 1) or x[i] op y[0] (y_step 0) into out, n values;
// `swapped` puts y on the left.
template <BinaryOp kOp>
inline void row(const float* x, const float* y, int64_t y_step, bool swapped, float* out,
                int64_t n) {
  if (y_step == 0) {
    const float v = y[0];
    if (swapped)
      for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(v, x[i]);
    else
      for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(x[i], v);
  } else if (swapped) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(y[i], x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<kOp>(x[i], y[i]);
  }
}

template <BinaryOp kOp>
void run_typed(const BinaryPlan& p, const float* a, const float* b, float* out, int threads) {
  using P = BinaryPlan::Pattern;
  // `x` is the full operand, `y` the broadcast one.
  const float* x = p.swapped ? b : a;
  const float* y = p.swapped ? a : b;
  switch (p.pattern) {
    case P::kSame: {
      const int64_t chunks = (p.outer + kChunk - 1) / kChunk;
      parallel_for(threads, chunks, [&](int64_t c) {
        const int64_t begin = c * kChunk, n = std::min(kChunk, p.outer - begin);
        row<kOp>(x + begin, y + begin, 1, p.swapped, out + begin, n);
      });
      return;
    }
    case P::kRepeat: {
      // Group rows so that a task has about kChunk values.
      const int64_t rows_per_task = std::max<int64_t>(1, kChunk / std::max<int64_t>(1, p.inner));
      const int64_t tasks = (p.outer + rows_per_task - 1) / rows_per_task;
      parallel_for(threads, tasks, [&](int64_t t) {
        const int64_t end = std::min(p.outer, (t + 1) * rows_per_task);
        for (int64_t o = t * rows_per_task; o < end; ++o)
          row<kOp>(x + o * p.inner, y, 1, p.swapped, out + o * p.inner, p.inner);
      });
      return;
    }
    case P::kPerRow:
      parallel_for(threads, p.outer * p.mid, [&](int64_t r) {
        const int64_t m = r % p.mid;
        row<kOp>(x + r * p.inner, y + m, 0, p.swapped, out + r * p.inner, p.inner);
      });
      return;
  }
}

}  // namespace

std::optional<BinaryPlan> plan_binary(BinaryOp op, const Shape& a_in, const Shape& b_in,
                                      const Shape& out) {
  if (!fast(op)) return std::nullopt;
  Shape a = a_in, b = b_in;
  while (a.rank() < out.rank()) a.insert(0, 1);
  while (b.rank() < out.rank()) b.insert(0, 1);
  BinaryPlan p;
  p.op = op;
  if (!(a == out)) {
    if (!(b == out) || !commutative(op)) return std::nullopt;
    std::swap(a, b);
    p.swapped = true;
  }
  const int r = out.rank();
  if (b == out) {
    p.pattern = BinaryPlan::Pattern::kSame;
    p.outer = out.count();
    return p;
  }
  // b = [1 .. 1, out[k .. m), 1 .. 1]: ones before k and from m on.
  int k = 0;
  while (k < r && b[k] == 1) ++k;
  int m = k;
  while (m < r && b[m] == out[m]) ++m;
  for (int i = m; i < r; ++i)
    if (b[i] != 1) return std::nullopt;
  const int64_t outer = out.count(0, k), mid = out.count(k, m), inner = out.count(m, r);
  if (mid == 1) {  // b is a single value
    p.pattern = BinaryPlan::Pattern::kPerRow;
    p.inner = out.count();
  } else if (inner == 1) {
    p.pattern = BinaryPlan::Pattern::kRepeat;
    p.outer = outer;
    p.inner = mid;
  } else {
    p.pattern = BinaryPlan::Pattern::kPerRow;
    p.outer = outer;
    p.mid = mid;
    p.inner = inner;
  }
  return p;
}

void run_binary(const BinaryPlan& p, const float* a, const float* b, float* out, int threads) {
  switch (p.op) {
    case BinaryOp::kAdd: return run_typed<BinaryOp::kAdd>(p, a, b, out, threads);
    case BinaryOp::kSubtract: return run_typed<BinaryOp::kSubtract>(p, a, b, out, threads);
    case BinaryOp::kMultiply: return run_typed<BinaryOp::kMultiply>(p, a, b, out, threads);
    case BinaryOp::kDivide: return run_typed<BinaryOp::kDivide>(p, a, b, out, threads);
    case BinaryOp::kMax: return run_typed<BinaryOp::kMax>(p, a, b, out, threads);
    case BinaryOp::kMin: return run_typed<BinaryOp::kMin>(p, a, b, out, threads);
    default: return;
  }
}

namespace {

class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(const BinaryPlan& p, bool scalar, float value)
      : plan_(p), scalar_(scalar), value_(value) {}
  void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const float* b = scalar_ ? &value_ : inputs[1].data;
    run_binary(plan_, inputs[0].data, b, outputs[0].data, ctx.threads);
  }

 private:
  BinaryPlan plan_;
  bool scalar_;
  float value_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_binary(reference::BinaryOp op, const Shape& a, const Shape& b,
                                       const Shape& out) {
  std::optional<BinaryPlan> p = plan_binary(op, a, b, out);
  if (!p) return nullptr;
  return std::make_unique<BinaryKernel>(*p, false, 0.f);
}

std::unique_ptr<Kernel> prepare_binary_scalar(reference::BinaryOp op, float scalar, int64_t count) {
  if (!fast(op)) return nullptr;
  BinaryPlan p;
  p.op = op;
  p.pattern = BinaryPlan::Pattern::kPerRow;
  p.inner = count;
  return std::make_unique<BinaryKernel>(p, true, scalar);
}

}  // namespace morel::kernels::cpu
