#include "kernels/reference/sequence.h"

#include <array>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

namespace {

// Calls body(index, k) for every element of `shape`, k being its row-major
// position and index its multi-index. Slices along axis 0 are spread over
// threads; a rank-0 shape has one element.
template <class F>
void for_each_element(const Shape& shape, int threads, F&& body) {
  const int rank = shape.rank();
  if (rank == 0) {
    std::array<int64_t, kMaxRank> index{};
    body(index, int64_t{0});
    return;
  }
  const int64_t slice_size = shape.count(1, rank);
  parallel_for(threads, shape[0], [&](int64_t s) {
    std::array<int64_t, kMaxRank> index{};
    index[0] = s;
    for (int64_t k = 0; k < slice_size; ++k) {
      body(index, s * slice_size + k);
      for (int a = rank - 1; a >= 1; --a) {  // advance to the next element
        if (++index[a] < shape[a]) break;
        index[a] = 0;
      }
    }
  });
}

}  // namespace

void tile(const float* in, const Shape& in_shape, const Shape& out_shape, float* out, int threads) {
  const std::array<int64_t, kMaxRank> strides = strides_of(in_shape);
  const int rank = in_shape.rank();
  for_each_element(out_shape, threads, [&](const std::array<int64_t, kMaxRank>& index, int64_t k) {
    int64_t src = 0;
    for (int a = 0; a < rank; ++a) src += (index[a] % in_shape[a]) * strides[a];
    out[k] = in[src];
  });
}

void reverse(const float* in, const Shape& shape, std::span<const bool> flip, float* out,
             int threads) {
  const std::array<int64_t, kMaxRank> strides = strides_of(shape);
  const int rank = shape.rank();
  for_each_element(shape, threads, [&](const std::array<int64_t, kMaxRank>& index, int64_t k) {
    int64_t src = 0;
    for (int a = 0; a < rank; ++a) {
      const int64_t i = flip[a] ? shape[a] - 1 - index[a] : index[a];
      src += i * strides[a];
    }
    out[k] = in[src];
  });
}

void reverse_sequence(const float* in, const Shape& shape, int batch_axis, int seq_axis,
                      std::span<const int64_t> lengths, float* out, int threads) {
  const std::array<int64_t, kMaxRank> strides = strides_of(shape);
  for_each_element(shape, threads, [&](const std::array<int64_t, kMaxRank>& index, int64_t k) {
    const int64_t length = lengths[index[batch_axis]];
    const int64_t s = index[seq_axis];
    const int64_t src_s = s < length ? length - 1 - s : s;
    out[k] = in[k + (src_s - s) * strides[seq_axis]];
  });
}

}  // namespace morel::kernels::reference
