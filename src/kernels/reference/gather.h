// Reference kernels for the gather family: gather / scatter along an axis,
// by N-d index tuples, and element-wise along an axis.
//
// Index tensors arrive as float32 (Core ML blobs are float). Every kernel here
// expects indices the caller has checked: integral values in [-dim, dim) for
// the axis they address; a negative index counts from the end (-1 = dim - 1).
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

// A tensor seen as [outer, dim, inner] around one axis.
struct AxisSplit {
  int64_t outer = 1;
  int64_t dim = 1;
  int64_t inner = 1;
};

// How scattered values combine with the value already there.
enum class ScatterMode { kUpdate, kAdd, kSub, kMul, kDiv, kMax, kMin };

// numpy.take: data [outer, dim, inner], indices [n] (any shape, flattened),
// out [outer, n, inner]: out[o, j, i] = data[o, indices[j], i].
void gather(const float* data, const AxisSplit& d, const float* indices, int64_t n, float* out,
            int threads);

// out = copy of `data` [outer, dim, inner]; then for each o, j (in order), i:
// out[o, indices[j], i] <mode>= updates[o, j, i], with updates [outer, n, inner].
void scatter(ScatterMode mode, const float* data, const AxisSplit& d, const float* indices,
             int64_t n, const float* updates, float* out, int threads);

// gatherND: `indices` holds `tuples` rows of k = `depth` coordinates into the
// first k axes of `data_shape`; each row selects the slice data[c_0, ..., c_{k-1}]
// (data_shape.count(k, rank) values), written to out in row order.
void gather_nd(const float* data, const Shape& data_shape, const float* indices, int64_t tuples,
               int depth, float* out, int threads);

// scatterND: out = copy of data; then for each row t (in order), the slice
// out[c_0, ..., c_{k-1}] <mode>= updates[t] (one slice of data_shape.count(k, rank)).
void scatter_nd(ScatterMode mode, const float* data, const Shape& data_shape, const float* indices,
                int64_t tuples, int depth, const float* updates, float* out, int threads);

// numpy.take_along_axis: data [outer, dim, inner], indices and out
// [outer, n, inner]: out[o, j, i] = data[o, indices[o, j, i], i].
void gather_along_axis(const float* data, const AxisSplit& d, const float* indices, int64_t n,
                       float* out, int threads);

// out = copy of data [outer, dim, inner]; then for each o, j (in order), i:
// out[o, indices[o, j, i], i] <mode>= updates[o, j, i]; indices and updates [outer, n, inner].
void scatter_along_axis(ScatterMode mode, const float* data, const AxisSplit& d,
                        const float* indices, int64_t n, const float* updates, float* out,
                        int threads);

}  // namespace morel::kernels::reference
