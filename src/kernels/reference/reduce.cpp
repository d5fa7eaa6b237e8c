#include "kernels/reference/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

// Accumulates one reduction. Sums run in double so the reference is the
// accurate side of any comparison.
struct Accumulator {
  ReduceOp op;
  float epsilon;
  double acc = 0;
  int64_t n = 0;
  float extreme = 0;  // kMax / kMin

  void start() {
    acc = op == ReduceOp::kProd ? 1.0 : 0.0;
    n = 0;
  }
  void add(float x) {
    switch (op) {
      case ReduceOp::kSum:
      case ReduceOp::kMean:
      case ReduceOp::kLogSum: acc += x; break;
      case ReduceOp::kProd: acc *= x; break;
      case ReduceOp::kSumSquare:
      case ReduceOp::kL2: acc += double(x) * x; break;
      case ReduceOp::kL1: acc += std::fabs(double(x)); break;
      case ReduceOp::kSumLog: acc += std::log(double(x) + epsilon); break;
      case ReduceOp::kMax:  // a NaN sticks, as in NumPy's max
        if (n == 0 || (!std::isnan(extreme) && (std::isnan(x) || x > extreme))) extreme = x;
        break;
      case ReduceOp::kMin:
        if (n == 0 || (!std::isnan(extreme) && (std::isnan(x) || x < extreme))) extreme = x;
        break;
      case ReduceOp::kLogSumExp: break;  // two passes, see reduce()
    }
    ++n;
  }
  float finish() const {
    switch (op) {
      case ReduceOp::kMean: return static_cast<float>(acc / double(n));
      case ReduceOp::kL2: return static_cast<float>(std::sqrt(acc));
      case ReduceOp::kLogSum: return static_cast<float>(std::log(acc));
      case ReduceOp::kMax:
      case ReduceOp::kMin: return n > 0 ? extreme : std::numeric_limits<float>::quiet_NaN();
      default: return static_cast<float>(acc);
    }
  }
};

}  // namespace

void reduce(int threads, const ReduceParams& p, const float* in, const Shape& shape,
            uint32_t axis_mask, float* out) {
  const int rank = shape.rank();
  const auto strides = strides_of(shape);
  // Split the axes into kept ones (which index the output) and reduced ones.
  int kept[kMaxRank], reduced[kMaxRank];
  int n_kept = 0, n_reduced = 0;
  int64_t out_count = 1, reduce_count = 1;
  for (int axis = 0; axis < rank; ++axis) {
    if (axis_mask & (1u << axis)) {
      reduced[n_reduced++] = axis;
      reduce_count *= shape[axis];
    } else {
      kept[n_kept++] = axis;
      out_count *= shape[axis];
    }
  }
  // Offset in `in` of the index `flat` enumerates over the given axes.
  auto offset_of = [&](int64_t flat, const int* axes, int n_axes) {
    int64_t offset = 0;
    for (int k = n_axes - 1; k >= 0; --k) {
      const int axis = axes[k];
      offset += (flat % shape[axis]) * strides[axis];
      flat /= shape[axis];
    }
    return offset;
  };

  parallel_for(threads, out_count, [&](int64_t o) {
    const int64_t base = offset_of(o, kept, n_kept);
    auto value = [&](int64_t r) { return in[base + offset_of(r, reduced, n_reduced)]; };

    if (p.op == ReduceOp::kLogSumExp) {
      // log(sum exp(x)) = m + log(sum exp(x - m)) with m the largest x.
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t r = 0; r < reduce_count; ++r) {
        const float v = value(r);
        if (std::isnan(v)) {
          out[o] = v;
          return;
        }
        m = std::max(m, v);
      }
      if (std::isinf(m)) {
        out[o] = m;  // all -inf (or empty): -inf; any +inf: +inf
        return;
      }
      double sum = 0;
      for (int64_t r = 0; r < reduce_count; ++r) sum += std::exp(double(value(r)) - m);
      out[o] = static_cast<float>(m + std::log(sum));
      return;
    }
    Accumulator acc{p.op, p.epsilon};
    acc.start();
    for (int64_t r = 0; r < reduce_count; ++r) acc.add(value(r));
    out[o] = acc.finish();
  });
}

void arg_reduce(int threads, bool arg_max, const float* in, const Shape& shape, int axis,
                float* out) {
  const int64_t outer = shape.count(0, axis);
  const int64_t n = shape[axis];
  const int64_t inner = shape.count(axis + 1, shape.rank());
  parallel_for(threads, outer * inner, [&](int64_t o) {
    if (n == 0) {  // nothing to pick from (the layers reject this before running)
      out[o] = std::numeric_limits<float>::quiet_NaN();
      return;
    }
    const float* x = in + (o / inner) * n * inner + (o % inner);
    int64_t best_index = 0;
    float best = x[0];
    for (int64_t k = 1; k < n; ++k) {
      float v = x[k * inner];
      // A NaN wins over any number (the first NaN, like NumPy); ties keep the first.
      bool better = std::isnan(v) || (arg_max ? v > best : v < best);
      if (!std::isnan(best) && better) best = v, best_index = k;
    }
    out[o] = static_cast<float>(best_index);
  });
}

void cum_sum(int threads, const CumSumParams& p, const float* in, const Shape& shape, float* out) {
  const int64_t outer = shape.count(0, p.axis);
  const int64_t n = shape[p.axis];
  const int64_t inner = shape.count(p.axis + 1, shape.rank());
  parallel_for(threads, outer * inner, [&](int64_t o) {
    const int64_t start = (o / inner) * n * inner + (o % inner);
    double sum = 0;
    for (int64_t step = 0; step < n; ++step) {
      const int64_t k = p.reverse ? n - 1 - step : step;
      const int64_t at = start + k * inner;
      if (p.exclusive) {
        out[at] = static_cast<float>(sum);
        sum += in[at];
      } else {
        sum += in[at];
        out[at] = static_cast<float>(sum);
      }
    }
  });
}

}  // namespace morel::kernels::reference
