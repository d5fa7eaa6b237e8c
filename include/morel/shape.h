// Tensor shapes and contiguous float32 tensor views, shared by the runtime,
// its kernels and custom layers.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace morel {

// The highest tensor rank the runtime handles.
inline constexpr int kMaxRank = 8;

// A small fixed-capacity list of dimensions: copying one never allocates,
// which keeps shapes off the heap on the predict path.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);

  int rank() const { return rank_; }
  bool empty() const { return rank_ == 0; }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t& operator[](int i) { return dims_[i]; }
  // Dimension at an axis that may count from the end (-1 is the last one).
  int64_t dim(int axis) const { return dims_[axis < 0 ? axis + rank_ : axis]; }
  int64_t& dim(int axis) { return dims_[axis < 0 ? axis + rank_ : axis]; }

  // Product of all dimensions (1 for rank 0).
  int64_t count() const;
  // Product of dimensions [from, to).
  int64_t count(int from, int to) const;

  void push_back(int64_t d);
  void insert(int pos, int64_t d);
  void erase(int pos);
  void resize(int rank, int64_t fill = 1);

  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + rank_; }
  int64_t* begin() { return dims_.data(); }
  int64_t* end() { return dims_.data() + rank_; }

  std::vector<int64_t> to_vector() const { return {begin(), end()}; }
  // "1x3x224x224"; "scalar" for rank 0.
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b);

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

// Row-major strides of a shape, in elements.
std::array<int64_t, kMaxRank> strides_of(const Shape& shape);

// A contiguous float32 tensor the callee may write.
struct TensorView {
  float* data = nullptr;
  Shape shape;
  int64_t count() const { return shape.count(); }
};

// A contiguous float32 tensor the callee only reads.
struct ConstTensorView {
  const float* data = nullptr;
  Shape shape;
  ConstTensorView() = default;
  ConstTensorView(const float* d, const Shape& s) : data(d), shape(s) {}
  ConstTensorView(const TensorView& t) : data(t.data), shape(t.shape) {}  // NOLINT: views widen
  int64_t count() const { return shape.count(); }
};

}  // namespace morel
