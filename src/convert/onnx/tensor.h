// Tensors known at conversion time (initializers, Constant nodes, folded
// values): ONNX element type, static shape, and values. Float-like types keep
// float32 values (weights can be large); integer and boolean types keep int64
// values exactly, so shape arithmetic and INT64_MAX slice ends stay exact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "morel/convert_onnx.h"

namespace onnx {
class TensorProto;
}

namespace morel::onnxc {

// ONNX TensorProto.DataType numbers.
enum DataType : int {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBfloat16 = 16,
};

std::string dtype_name(int dtype);             // "float", "int64", ..., "type 17"
int dtype_from_name(const std::string& name);  // kUndefined when unknown
bool is_float_type(int dtype);                 // float, float16, bfloat16, double
bool is_integer_type(int dtype);               // signed and unsigned integers (not bool)
// Element types a converted network can carry (as float32 at run time).
bool is_numeric_type(int dtype);

using Dims = std::vector<int64_t>;
int64_t element_count(const Dims& shape);  // 1 for rank 0
std::string shape_str(const Dims& shape);  // "2x3", "scalar"

// Saturating double -> int64 conversion (NaN gives 0).
int64_t to_int64(double v);

class Tensor {
 public:
  Tensor() = default;
  Tensor(int dtype, Dims shape);  // zero-filled

  static Tensor scalar(int dtype, double v);
  static Tensor from_ints(int dtype, const std::vector<int64_t>& values, Dims shape);
  static Tensor from_ints(const std::vector<int64_t>& values);  // int64 vector
  static Tensor from_floats(std::vector<float> values, Dims shape);

  int dtype() const { return dtype_; }
  const Dims& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t count() const { return count_; }
  bool is_int() const { return !float_storage_; }

  double get(int64_t i) const { return float_storage_ ? f_[i] : static_cast<double>(i_[i]); }
  int64_t get_int(int64_t i) const { return float_storage_ ? to_int64(f_[i]) : i_[i]; }
  // Stores v as the element type would hold it: integers truncate toward
  // zero and wrap like the C type, booleans become 0/1.
  void set(int64_t i, double v);
  void set_int(int64_t i, int64_t v);

  std::vector<int64_t> ints() const;
  std::vector<float> floats() const;
  const std::vector<float>& float_data() const { return f_; }

  // Same values, another shape with the same count.
  Tensor reshaped(Dims shape) const;
  // Values converted to another element type (ONNX Cast semantics).
  Tensor cast(int dtype) const;

  OnnxTensor to_public() const;
  // Error(kInvalidArgument) naming `what` when the shape and values disagree.
  static Tensor from_public(const OnnxTensor& t, const std::string& what);

 private:
  int dtype_ = kFloat;
  Dims shape_;
  int64_t count_ = 1;
  bool float_storage_ = true;
  std::vector<float> f_;
  std::vector<int64_t> i_;
};

// Decode a TensorProto. `what` names it in errors; `base_dir` is where
// external data files are looked up. Throws Error(kInvalidModel) for
// inconsistent data and Error(kUnsupported) for element types we do not
// convert (strings, complex).
Tensor tensor_from_proto(const onnx::TensorProto& t, const std::string& what,
                         const std::filesystem::path& base_dir);

}  // namespace morel::onnxc
