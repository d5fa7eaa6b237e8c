// Reference kernels for the reduce layer family: reductions over any set of
// axes, arg-max / arg-min along one axis, and the cumulative sum. Plain loops
// over contiguous float32; the oracle the optimized kernels are checked against.
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

enum class ReduceOp {
  kSum,        // sum x
  kMean,       // sum x / n
  kProd,       // prod x
  kSumSquare,  // sum x^2
  kL1,         // sum |x|
  kL2,         // sqrt(sum x^2)
  kMax,        // max x
  kMin,        // min x
  kLogSum,     // log(sum x)
  kLogSumExp,  // log(sum exp(x)), computed stably
  kSumLog,     // sum log(x + epsilon): the legacy reduce layer's LOGSUM
};

struct ReduceParams {
  ReduceOp op = ReduceOp::kSum;
  float epsilon = 0;  // kSumLog only
};

// Reduce `in` (of `shape`) over the axes whose bit is set in `axis_mask`
// (bit i = axis i). `out` holds shape.count() / (product of the reduced
// dimensions) values, in the row-major order of the input's shape with the
// reduced axes set to 1 (which is also the order with them removed).
void reduce(int threads, const ReduceParams& p, const float* in, const Shape& shape,
            uint32_t axis_mask, float* out);

// Index (as a float) of the largest (arg_max) or smallest value along `axis`,
// the first one on ties. Output layout as for reduce() over that one axis.
void arg_reduce(int threads, bool arg_max, const float* in, const Shape& shape, int axis,
                float* out);

// Cumulative sum along `axis`; out has the input's shape. exclusive: each
// output leaves out its own element (the first is 0); reverse: sums run from
// the end of the axis toward the start. `out` may not alias `in`.
struct CumSumParams {
  int axis = 0;
  bool exclusive = false;
  bool reverse = false;
};
void cum_sum(int threads, const CumSumParams& p, const float* in, const Shape& shape, float* out);

}  // namespace morel::kernels::reference
