// MultiArray: an owned, contiguous, row-major N-d array of one element type —
// what a multi-array feature holds on the way into and out of a model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace morel {

enum class DType : uint8_t { kFloat32, kFloat64, kInt32, kFloat16 };

std::string_view dtype_name(DType dtype);  // "float32", "float64", "int32", "float16"
size_t dtype_size(DType dtype);

class MultiArray {
 public:
  MultiArray() = default;
  // Zero-filled array.
  MultiArray(DType dtype, std::vector<int64_t> shape);

  static MultiArray from_floats(std::vector<int64_t> shape, std::span<const float> values);
  static MultiArray from_doubles(std::vector<int64_t> shape, std::span<const double> values);
  static MultiArray from_int32s(std::vector<int64_t> shape, std::span<const int32_t> values);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t count() const { return count_; }
  size_t size_bytes() const { return static_cast<size_t>(count_) * dtype_size(dtype_); }
  bool empty() const { return count_ == 0; }

  void* raw_data() { return bytes_.get(); }
  const void* raw_data() const { return bytes_.get(); }

  // Typed access; throws Error(kInvalidArgument) when T does not match dtype().
  template <class T>
  T* data();
  template <class T>
  const T* data() const;

  // Element i (row-major) converted to float / written from a float.
  float get_float(int64_t i) const;
  void set_float(int64_t i, float v);
  // All elements widened or narrowed to float32.
  std::vector<float> to_floats() const;
  // Same values, another element type.
  MultiArray converted(DType dtype) const;
  // Same elements, another shape with the same count.
  MultiArray reshaped(std::vector<int64_t> shape) const;

 private:
  DType dtype_ = DType::kFloat32;
  std::vector<int64_t> shape_;
  int64_t count_ = 0;
  std::shared_ptr<std::byte[]> bytes_;  // shared: copying a MultiArray is cheap
};

}  // namespace morel
