#include "morel/multi_array.h"

#include <cstring>

#include "morel/error.h"
#include "morel/weights.h"

namespace morel {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt32: return "int32";
    case DType::kFloat16: return "float16";
  }
  return "unknown";
}

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return 4;
    case DType::kFloat64: return 8;
    case DType::kInt32: return 4;
    case DType::kFloat16: return 2;
  }
  return 0;
}

namespace {
int64_t count_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(ErrorCode::kInvalidArgument, "negative dimension in a MultiArray shape");
    n *= d;
  }
  return n;
}

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  if constexpr (std::is_same_v<T, double>) return DType::kFloat64;
  if constexpr (std::is_same_v<T, int32_t>) return DType::kInt32;
  if constexpr (std::is_same_v<T, uint16_t>) return DType::kFloat16;
}

template <class T>
MultiArray make_from(std::vector<int64_t> shape, std::span<const T> values) {
  MultiArray a(dtype_of<T>(), std::move(shape));
  if (static_cast<int64_t>(values.size()) != a.count())
    throw Error(ErrorCode::kInvalidArgument, "MultiArray of " + std::to_string(a.count()) +
                                                 " elements given " +
                                                 std::to_string(values.size()) + " values");
  if (!values.empty()) std::memcpy(a.raw_data(), values.data(), values.size_bytes());
  return a;
}
}  // namespace

MultiArray::MultiArray(DType dtype, std::vector<int64_t> shape)
    : dtype_(dtype), shape_(std::move(shape)), count_(count_of(shape_)) {
  size_t bytes = size_bytes();
  bytes_ = std::shared_ptr<std::byte[]>(new std::byte[bytes ? bytes : 1]());
}

MultiArray MultiArray::from_floats(std::vector<int64_t> shape, std::span<const float> values) {
  return make_from(std::move(shape), values);
}
MultiArray MultiArray::from_doubles(std::vector<int64_t> shape, std::span<const double> values) {
  return make_from(std::move(shape), values);
}
MultiArray MultiArray::from_int32s(std::vector<int64_t> shape, std::span<const int32_t> values) {
  return make_from(std::move(shape), values);
}

template <class T>
T* MultiArray::data() {
  if (dtype_ != dtype_of<T>())
    throw Error(ErrorCode::kInvalidArgument, "MultiArray holds " + std::string(dtype_name(dtype_)) +
                                                 ", not " + std::string(dtype_name(dtype_of<T>())));
  return reinterpret_cast<T*>(bytes_.get());
}
template <class T>
const T* MultiArray::data() const {
  return const_cast<MultiArray*>(this)->data<T>();
}
template float* MultiArray::data<float>();
template double* MultiArray::data<double>();
template int32_t* MultiArray::data<int32_t>();
template uint16_t* MultiArray::data<uint16_t>();
template const float* MultiArray::data<float>() const;
template const double* MultiArray::data<double>() const;
template const int32_t* MultiArray::data<int32_t>() const;
template const uint16_t* MultiArray::data<uint16_t>() const;

float MultiArray::get_float(int64_t i) const {
  const std::byte* p = bytes_.get();
  switch (dtype_) {
    case DType::kFloat32: return reinterpret_cast<const float*>(p)[i];
    case DType::kFloat64: return static_cast<float>(reinterpret_cast<const double*>(p)[i]);
    case DType::kInt32: return static_cast<float>(reinterpret_cast<const int32_t*>(p)[i]);
    case DType::kFloat16: return half_to_float(reinterpret_cast<const uint16_t*>(p)[i]);
  }
  return 0;
}

void MultiArray::set_float(int64_t i, float v) {
  std::byte* p = bytes_.get();
  switch (dtype_) {
    case DType::kFloat32: reinterpret_cast<float*>(p)[i] = v; break;
    case DType::kFloat64: reinterpret_cast<double*>(p)[i] = v; break;
    // Core ML rounds toward zero when it hands float results to int32 arrays.
    case DType::kInt32: reinterpret_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); break;
    case DType::kFloat16: reinterpret_cast<uint16_t*>(p)[i] = float_to_half(v); break;
  }
}

std::vector<float> MultiArray::to_floats() const {
  std::vector<float> out(static_cast<size_t>(count_));
  if (dtype_ == DType::kFloat32) {
    if (count_) std::memcpy(out.data(), bytes_.get(), size_bytes());
  } else {
    for (int64_t i = 0; i < count_; ++i) out[i] = get_float(i);
  }
  return out;
}

MultiArray MultiArray::converted(DType dtype) const {
  if (dtype == dtype_) return *this;
  MultiArray out(dtype, shape_);
  if (dtype_ == DType::kFloat64 && dtype == DType::kFloat32) {
    const double* s = data<double>();
    float* d = out.data<float>();
    for (int64_t i = 0; i < count_; ++i) d[i] = static_cast<float>(s[i]);
  } else if (dtype == DType::kFloat64) {
    double* d = out.data<double>();
    if (dtype_ == DType::kInt32) {
      const int32_t* s = data<int32_t>();
      for (int64_t i = 0; i < count_; ++i) d[i] = s[i];
    } else {
      for (int64_t i = 0; i < count_; ++i) d[i] = get_float(i);
    }
  } else {
    for (int64_t i = 0; i < count_; ++i) out.set_float(i, get_float(i));
  }
  return out;
}

MultiArray MultiArray::reshaped(std::vector<int64_t> shape) const {
  if (count_of(shape) != count_)
    throw Error(ErrorCode::kInvalidArgument, "cannot reshape a MultiArray of " +
                                                 std::to_string(count_) + " elements to " +
                                                 std::to_string(count_of(shape)));
  MultiArray out = *this;
  out.shape_ = std::move(shape);
  return out;
}

}  // namespace morel
