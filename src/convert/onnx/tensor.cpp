#include "convert/onnx/tensor.h"
#include <algorithm>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "morel/error.h"

namespace morel::onnxc {

namespace {

bool float_storage_for(int dtype) {
  return is_float_type(dtype);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31;
  int exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      exp = 1;
      while (!(mant & 0x400)) mant <<= 1, --exp;
      mant &= 0x3ff;
      bits = sign | uint32_t(exp + 127 - 15) << 23 | mant << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | uint32_t(exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

size_t element_size(int dtype) {
  switch (dtype) {
    case kFloat:
    case kInt32:
    case kUint32: return 4;
    case kUint8:
    case kInt8:
    case kBool: return 1;
    case kUint16:
    case kInt16:
    case kFloat16:
    case kBfloat16: return 2;
    case kInt64:
    case kUint64:
    case kDouble: return 8;
    default: return 0;
  }
}

// One little-endian element of `dtype` at p, widened.
double raw_element(int dtype, const char* p, int64_t* as_int) {
  auto load = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (dtype) {
    case kFloat: return load(float{});
    case kDouble: return load(double{});
    case kFloat16: return half_to_float(load(uint16_t{}));
    case kBfloat16: return bfloat_to_float(load(uint16_t{}));
    case kUint8: return static_cast<double>(*as_int = load(uint8_t{}));
    case kInt8: return static_cast<double>(*as_int = load(int8_t{}));
    case kUint16: return static_cast<double>(*as_int = load(uint16_t{}));
    case kInt16: return static_cast<double>(*as_int = load(int16_t{}));
    case kInt32: return static_cast<double>(*as_int = load(int32_t{}));
    case kUint32: return static_cast<double>(*as_int = load(uint32_t{}));
    case kInt64: return static_cast<double>(*as_int = load(int64_t{}));
    case kUint64: return static_cast<double>(*as_int = static_cast<int64_t>(load(uint64_t{})));
    case kBool: return static_cast<double>(*as_int = load(uint8_t{}) != 0);
    default: return 0;
  }
}

std::string read_external(const onnx::TensorProto& t, const std::string& what,
                          const std::filesystem::path& base_dir, size_t want) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    if (kv.key() == "location") location = kv.value();
    if (kv.key() == "offset") offset = std::atoll(kv.value().c_str());
    if (kv.key() == "length") length = std::atoll(kv.value().c_str());
  }
  if (location.empty())
    throw Error(ErrorCode::kInvalidModel, what + " is stored as external data without a location");
  std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos)
    throw Error(ErrorCode::kInvalidModel,
                what + ": external data location '" + location +
                    "' must be a relative path inside the model's folder");
  std::filesystem::path file = base_dir / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, what + ": cannot open external data file " + file.string());
  if (length < 0) length = static_cast<int64_t>(want);
  if (offset < 0 || static_cast<size_t>(length) != want)
    throw Error(ErrorCode::kInvalidModel, what + ": external data holds " + std::to_string(length) +
                                              " bytes at offset " + std::to_string(offset) +
                                              "; the tensor needs " + std::to_string(want));
  std::string bytes(want, '\0');
  in.seekg(offset);
  in.read(bytes.data(), static_cast<std::streamsize>(want));
  if (static_cast<size_t>(in.gcount()) != want)
    throw Error(ErrorCode::kInvalidModel,
                what + ": external data file " + file.string() + " is shorter than the tensor");
  return bytes;
}

}  // namespace

std::string dtype_name(int dtype) {
  switch (dtype) {
    case kFloat: return "float";
    case kUint8: return "uint8";
    case kInt8: return "int8";
    case kUint16: return "uint16";
    case kInt16: return "int16";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kString: return "string";
    case kBool: return "bool";
    case kFloat16: return "float16";
    case kDouble: return "double";
    case kUint32: return "uint32";
    case kUint64: return "uint64";
    case kComplex64: return "complex64";
    case kComplex128: return "complex128";
    case kBfloat16: return "bfloat16";
    default: return "type " + std::to_string(dtype);
  }
}

int dtype_from_name(const std::string& name) {
  for (int d = kFloat; d <= kBfloat16; ++d)
    if (dtype_name(d) == name) return d;
  return kUndefined;
}

bool is_float_type(int dtype) {
  return dtype == kFloat || dtype == kFloat16 || dtype == kBfloat16 || dtype == kDouble;
}

bool is_integer_type(int dtype) {
  switch (dtype) {
    case kUint8:
    case kInt8:
    case kUint16:
    case kInt16:
    case kInt32:
    case kInt64:
    case kUint32:
    case kUint64: return true;
    default: return false;
  }
}

bool is_numeric_type(int dtype) {
  return is_float_type(dtype) || is_integer_type(dtype) || dtype == kBool;
}

int64_t element_count(const Dims& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_str(const Dims& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

int64_t to_int64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

Tensor::Tensor(int dtype, Dims shape)
    : dtype_(dtype), shape_(std::move(shape)), float_storage_(float_storage_for(dtype)) {
  count_ = element_count(shape_);
  if (float_storage_)
    f_.assign(static_cast<size_t>(count_), 0.f);
  else
    i_.assign(static_cast<size_t>(count_), 0);
}

Tensor Tensor::scalar(int dtype, double v) {
  Tensor t(dtype, {});
  t.set(0, v);
  return t;
}

Tensor Tensor::from_ints(int dtype, const std::vector<int64_t>& values, Dims shape) {
  Tensor t(dtype, std::move(shape));
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.count_; ++i)
    t.set_int(static_cast<int64_t>(i), values[i]);
  return t;
}

Tensor Tensor::from_ints(const std::vector<int64_t>& values) {
  return from_ints(kInt64, values, {static_cast<int64_t>(values.size())});
}

Tensor Tensor::from_floats(std::vector<float> values, Dims shape) {
  Tensor t;
  t.dtype_ = kFloat;
  t.shape_ = std::move(shape);
  t.count_ = element_count(t.shape_);
  t.float_storage_ = true;
  t.f_ = std::move(values);
  t.f_.resize(static_cast<size_t>(t.count_));
  return t;
}

void Tensor::set(int64_t i, double v) {
  if (float_storage_) {
    f_[i] = static_cast<float>(v);
    return;
  }
  if (dtype_ == kBool) {
    i_[i] = v != 0 ? 1 : 0;
    return;
  }
  set_int(i, to_int64(v));
}

void Tensor::set_int(int64_t i, int64_t v) {
  if (float_storage_) {
    f_[i] = static_cast<float>(v);
    return;
  }
  switch (dtype_) {
    case kBool: v = v != 0; break;
    case kUint8: v = static_cast<uint8_t>(v); break;
    case kInt8: v = static_cast<int8_t>(v); break;
    case kUint16: v = static_cast<uint16_t>(v); break;
    case kInt16: v = static_cast<int16_t>(v); break;
    case kInt32: v = static_cast<int32_t>(v); break;
    case kUint32: v = static_cast<uint32_t>(v); break;
    default: break;
  }
  i_[i] = v;
}

std::vector<int64_t> Tensor::ints() const {
  if (!float_storage_) return i_;
  std::vector<int64_t> out(f_.size());
  for (size_t i = 0; i < f_.size(); ++i) out[i] = to_int64(f_[i]);
  return out;
}

std::vector<float> Tensor::floats() const {
  if (float_storage_) return f_;
  std::vector<float> out(i_.size());
  for (size_t i = 0; i < i_.size(); ++i) out[i] = static_cast<float>(i_[i]);
  return out;
}

Tensor Tensor::reshaped(Dims shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::cast(int dtype) const {
  if (dtype == dtype_) return *this;
  Tensor t(dtype, shape_);
  for (int64_t i = 0; i < count_; ++i) {
    if (is_int())
      t.set_int(i, i_[i]);
    else
      t.set(i, f_[i]);
  }
  return t;
}

OnnxTensor Tensor::to_public() const {
  OnnxTensor t;
  t.dtype = dtype_name(dtype_);
  t.shape = shape_;
  t.values.resize(static_cast<size_t>(count_));
  for (int64_t i = 0; i < count_; ++i) t.values[i] = get(i);
  return t;
}

Tensor Tensor::from_public(const OnnxTensor& t, const std::string& what) {
  int dtype = dtype_from_name(t.dtype);
  if (!is_numeric_type(dtype))
    throw Error(ErrorCode::kInvalidArgument,
                what + " has element type '" + t.dtype + "'; expected a numeric ONNX type name");
  for (int64_t d : t.shape)
    if (d < 0) throw Error(ErrorCode::kInvalidArgument, what + " has a negative dimension");
  Tensor out(dtype, t.shape);
  if (static_cast<int64_t>(t.values.size()) != out.count())
    throw Error(ErrorCode::kInvalidArgument, what + " has " + std::to_string(t.values.size()) +
                                                 " values for shape " + shape_str(t.shape));
  for (int64_t i = 0; i < out.count(); ++i) out.set(i, t.values[static_cast<size_t>(i)]);
  return out;
}

Tensor tensor_from_proto(const onnx::TensorProto& t, const std::string& what,
                         const std::filesystem::path& base_dir) {
  const int dtype = t.data_type();
  if (dtype == kString || dtype == kComplex64 || dtype == kComplex128 || element_size(dtype) == 0)
    throw Error(ErrorCode::kUnsupported,
                what + " has element type " + dtype_name(dtype) +
                    "; Core ML networks carry numbers (float, integer and bool tensors)");
  Dims shape(t.dims().begin(), t.dims().end());
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error(ErrorCode::kInvalidModel,
                  what + " has a negative dimension in " + shape_str(shape));
    if (d != 0 && count > (int64_t(1) << 40) / d)
      throw Error(ErrorCode::kInvalidModel,
                  what + " has too many elements (" + shape_str(shape) + ")");
    count *= d;
  }
  Tensor out(dtype, shape);
  const size_t esize = element_size(dtype);
  const bool external = t.data_location() == onnx::TensorProto::EXTERNAL;
  if (external || t.has_raw_data()) {
    std::string ext;
    const std::string* raw = &t.raw_data();
    if (external) {
      ext = read_external(t, what, base_dir, static_cast<size_t>(count) * esize);
      raw = &ext;
    }
    if (raw->size() != static_cast<size_t>(count) * esize)
      throw Error(ErrorCode::kInvalidModel, what + ": raw_data has " + std::to_string(raw->size()) +
                                                " bytes; " + shape_str(shape) + " " +
                                                dtype_name(dtype) + " needs " +
                                                std::to_string(static_cast<size_t>(count) * esize));
    for (int64_t i = 0; i < count; ++i) {
      int64_t iv = 0;
      double v = raw_element(dtype, raw->data() + static_cast<size_t>(i) * esize, &iv);
      if (out.is_int())
        out.set_int(i, iv);
      else
        out.set(i, v);
    }
    return out;
  }
  auto check = [&](int64_t n, const char* field) {
    if (n != count)
      throw Error(ErrorCode::kInvalidModel, what + ": " + field + " has " + std::to_string(n) +
                                                " values; shape " + shape_str(shape) + " needs " +
                                                std::to_string(count));
  };
  switch (dtype) {
    case kFloat:
      check(t.float_data_size(), "float_data");
      for (int64_t i = 0; i < count; ++i) out.set(i, t.float_data(static_cast<int>(i)));
      break;
    case kDouble:
      check(t.double_data_size(), "double_data");
      for (int64_t i = 0; i < count; ++i) out.set(i, t.double_data(static_cast<int>(i)));
      break;
    case kInt64:
      check(t.int64_data_size(), "int64_data");
      for (int64_t i = 0; i < count; ++i) out.set_int(i, t.int64_data(static_cast<int>(i)));
      break;
    case kUint32:
    case kUint64:
      check(t.uint64_data_size(), "uint64_data");
      for (int64_t i = 0; i < count; ++i)
        out.set_int(i, static_cast<int64_t>(t.uint64_data(static_cast<int>(i))));
      break;
    case kFloat16:
    case kBfloat16:
      check(t.int32_data_size(), "int32_data");
      for (int64_t i = 0; i < count; ++i) {
        auto bits = static_cast<uint16_t>(t.int32_data(static_cast<int>(i)));
        out.set(i, dtype == kFloat16 ? half_to_float(bits) : bfloat_to_float(bits));
      }
      break;
    default:  // bool and the small integer types live in int32_data
      check(t.int32_data_size(), "int32_data");
      for (int64_t i = 0; i < count; ++i) out.set_int(i, t.int32_data(static_cast<int>(i)));
      break;
  }
  return out;
}

}  // namespace morel::onnxc
