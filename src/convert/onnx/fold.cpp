#include "convert/onnx/fold.h"
#include <algorithm>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <functional>

#include "morel/error.h"

namespace morel::onnxc {

namespace {

Dims broadcast_dims(const Node& node, const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
    int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (da != db && da != 1 && db != 1)
      node.invalid("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

double apply_unary(const std::string& op, double x) {
  if (op == "Neg") return -x;
  if (op == "Abs") return std::fabs(x);
  if (op == "Sqrt") return std::sqrt(x);
  if (op == "Exp") return std::exp(x);
  if (op == "Log") return std::log(x);
  if (op == "Reciprocal") return 1.0 / x;
  if (op == "Floor") return std::floor(x);
  if (op == "Ceil") return std::ceil(x);
  if (op == "Round") return std::nearbyint(x);  // default rounding: half to even
  if (op == "Sign") return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
  if (op == "Not") return x == 0 ? 1.0 : 0.0;
  if (op == "Relu") return x > 0 ? x : 0.0;
  if (op == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (op == "Tanh") return std::tanh(x);
  if (op == "Sin") return std::sin(x);
  if (op == "Cos") return std::cos(x);
  if (op == "Erf") return std::erf(x);
  return x;
}

bool is_unary(const std::string& op) {
  static const char* const kOps[] = {"Neg",     "Abs",  "Sqrt",  "Exp",  "Log", "Reciprocal",
                                     "Floor",   "Ceil", "Round", "Sign", "Not", "Relu",
                                     "Sigmoid", "Tanh", "Sin",   "Cos",  "Erf"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

enum class Result { kSame, kBool };

// Integer results of integer inputs follow C integer semantics.
double apply_binary(const std::string& op, double a, double b, bool integer, bool fmod_mode) {
  if (op == "Add" || op == "Sum") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") {
    if (integer) {
      if (b == 0) return 0;
      return std::trunc(a / b);
    }
    return a / b;
  }
  if (op == "Pow") return std::pow(a, b);
  if (op == "Max") return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  if (op == "Min") return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
  if (op == "Mod") {
    if (b == 0) return integer ? 0 : NAN;
    double r = std::fmod(a, b);
    if (!fmod_mode && r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
  if (op == "Equal") return a == b;
  if (op == "Less") return a < b;
  if (op == "LessOrEqual") return a <= b;
  if (op == "Greater") return a > b;
  if (op == "GreaterOrEqual") return a >= b;
  if (op == "And") return (a != 0) && (b != 0);
  if (op == "Or") return (a != 0) || (b != 0);
  if (op == "Xor") return (a != 0) != (b != 0);
  return 0;
}

Result binary_result(const std::string& op) {
  if (op == "Equal" || op == "Less" || op == "LessOrEqual" || op == "Greater" ||
      op == "GreaterOrEqual" || op == "And" || op == "Or" || op == "Xor")
    return Result::kBool;
  return Result::kSame;
}

bool is_binary(const std::string& op) {
  static const char* const kOps[] = {"Add",
                                     "Sub",
                                     "Mul",
                                     "Div",
                                     "Pow",
                                     "Mod",
                                     "Equal",
                                     "Less",
                                     "LessOrEqual",
                                     "Greater",
                                     "GreaterOrEqual",
                                     "And",
                                     "Or",
                                     "Xor"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

Tensor binary(const Node& node, const std::string& op, const Tensor& a, const Tensor& b) {
  const Dims shape = broadcast_dims(node, a.shape(), b.shape());
  const int dtype = binary_result(op) == Result::kBool ? kBool : a.dtype();
  Tensor out(dtype, shape);
  const auto ia = broadcast_index(a.shape(), shape), ib = broadcast_index(b.shape(), shape);
  const bool integer = a.is_int() && b.is_int();
  const bool fmod_mode = node.attr_int("fmod", 0) != 0;
  for (int64_t i = 0; i < out.count(); ++i) {
    if (integer &&
        (op == "Add" || op == "Sub" || op == "Mul" || op == "Sum" || op == "Max" || op == "Min")) {
      const int64_t x = a.get_int(ia[i]), y = b.get_int(ib[i]);
      int64_t r = 0;
      if (op == "Add" || op == "Sum")
        r = static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
      else if (op == "Sub")
        r = static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y));
      else if (op == "Mul")
        r = static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
      else
        r = op == "Max" ? std::max(x, y) : std::min(x, y);
      out.set_int(i, r);
    } else {
      out.set(i, apply_binary(op, a.get(ia[i]), b.get(ib[i]), integer, fmod_mode));
    }
  }
  return out;
}

}  // namespace

std::vector<int64_t> broadcast_index(const Dims& from, const Dims& to) {
  const size_t r = to.size();
  const int64_t n = element_count(to);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  // Strides of `from` aligned to `to`'s trailing axes; 0 where broadcast.
  std::vector<int64_t> stride(r, 0);
  int64_t s = 1;
  for (size_t k = 0; k < from.size(); ++k) {
    const size_t a = from.size() - 1 - k;  // axis in from
    const size_t t = r - 1 - k;            // axis in to
    stride[t] = from[a] == 1 ? 0 : s;
    s *= from[a];
  }
  std::vector<int64_t> pos(r, 0);
  int64_t flat = 0;
  for (int64_t i = 0; i < n; ++i) {
    idx[static_cast<size_t>(i)] = flat;
    for (size_t k = r; k-- > 0;) {
      if (++pos[k] < to[k]) {
        flat += stride[k];
        break;
      }
      flat -= stride[k] * (to[k] - 1);
      pos[k] = 0;
    }
  }
  return idx;
}

std::optional<std::vector<Tensor>> fold_elementwise(const Node& node,
                                                    const std::vector<const Tensor*>& in) {
  const std::string& op = node.op_type();
  auto need = [&](size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (i >= in.size() || !in[i]) node.invalid("input " + std::to_string(i) + " is missing");
  };
  if (op == "Identity") {
    need(1);
    return std::vector<Tensor>{*in[0]};
  }
  if (op == "Cast") {
    need(1);
    return std::vector<Tensor>{in[0]->cast(static_cast<int>(node.attr_int("to")))};
  }
  if (op == "CastLike") {
    need(2);
    return std::vector<Tensor>{in[0]->cast(in[1]->dtype())};
  }
  if (is_unary(op)) {
    need(1);
    Tensor out = *in[0];
    for (int64_t i = 0; i < out.count(); ++i) out.set(i, apply_unary(op, in[0]->get(i)));
    return std::vector<Tensor>{std::move(out)};
  }
  if (is_binary(op)) {
    need(2);
    return std::vector<Tensor>{binary(node, op, *in[0], *in[1])};
  }
  if (op == "Sum" || op == "Max" || op == "Min" || op == "Mean") {
    need(in.size());
    if (in.empty()) node.invalid("needs at least one input");
    const std::string step = op == "Mean" ? "Sum" : op;
    Tensor acc = *in[0];
    for (size_t i = 1; i < in.size(); ++i) acc = binary(node, step, acc, *in[i]);
    if (op == "Mean")
      for (int64_t i = 0; i < acc.count(); ++i) acc.set(i, acc.get(i) / double(in.size()));
    return std::vector<Tensor>{std::move(acc)};
  }
  if (op == "Where") {
    need(3);
    const Dims shape =
        broadcast_dims(node, broadcast_dims(node, in[0]->shape(), in[1]->shape()), in[2]->shape());
    Tensor out(in[1]->dtype(), shape);
    const auto ic = broadcast_index(in[0]->shape(), shape);
    const auto ix = broadcast_index(in[1]->shape(), shape);
    const auto iy = broadcast_index(in[2]->shape(), shape);
    for (int64_t i = 0; i < out.count(); ++i) {
      if (out.is_int())
        out.set_int(i, in[0]->get(ic[i]) != 0 ? in[1]->get_int(ix[i]) : in[2]->get_int(iy[i]));
      else
        out.set(i, in[0]->get(ic[i]) != 0 ? in[1]->get(ix[i]) : in[2]->get(iy[i]));
    }
    return std::vector<Tensor>{std::move(out)};
  }
  return std::nullopt;
}

Tensor fold_transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  const int r = x.rank();
  Dims out_shape(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) out_shape[i] = x.shape()[perm[i]];
  Tensor out(x.dtype(), out_shape);
  std::vector<int64_t> in_stride(static_cast<size_t>(r), 1);
  for (int i = r - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * x.shape()[i + 1];
  std::vector<int64_t> pos(static_cast<size_t>(r), 0);
  for (int64_t o = 0; o < out.count(); ++o) {
    int64_t src = 0;
    for (int i = 0; i < r; ++i) src += pos[i] * in_stride[perm[i]];
    if (x.is_int())
      out.set_int(o, x.get_int(src));
    else
      out.set(o, x.get(src));
    for (int k = r - 1; k >= 0; --k) {
      if (++pos[k] < out_shape[k]) break;
      pos[k] = 0;
    }
  }
  return out;
}

Tensor fold_concat(const std::vector<const Tensor*>& parts, int64_t axis) {
  Dims shape = parts[0]->shape();
  shape[axis] = 0;
  for (const Tensor* p : parts) shape[axis] += p->shape()[axis];
  Tensor out(parts[0]->dtype(), shape);
  const int64_t outer = element_count(Dims(shape.begin(), shape.begin() + axis));
  int64_t o = 0;
  for (int64_t i = 0; i < outer; ++i) {
    for (const Tensor* p : parts) {
      const int64_t run = element_count(Dims(p->shape().begin() + axis, p->shape().end()));
      for (int64_t k = 0; k < run; ++k, ++o) {
        if (out.is_int())
          out.set_int(o, p->get_int(i * run + k));
        else
          out.set(o, p->get(i * run + k));
      }
    }
  }
  return out;
}

Tensor fold_gather(const Node& node, const Tensor& data, const Tensor& indices, int64_t axis) {
  const Dims& ds = data.shape();
  Dims shape(ds.begin(), ds.begin() + axis);
  shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
  shape.insert(shape.end(), ds.begin() + axis + 1, ds.end());
  Tensor out(data.dtype(), shape);
  const int64_t outer = element_count(Dims(ds.begin(), ds.begin() + axis));
  const int64_t n = ds[axis];
  const int64_t inner = element_count(Dims(ds.begin() + axis + 1, ds.end()));
  const int64_t ni = indices.count();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < ni; ++j) {
      int64_t k = indices.get_int(j);
      if (k < -n || k >= n)
        node.invalid("index " + std::to_string(k) + " is out of range for an axis of size " +
                     std::to_string(n));
      if (k < 0) k += n;
      for (int64_t q = 0; q < inner; ++q) {
        const int64_t dst = (o * ni + j) * inner + q, src = (o * n + k) * inner + q;
        if (out.is_int())
          out.set_int(dst, data.get_int(src));
        else
          out.set(dst, data.get(src));
      }
    }
  }
  return out;
}

Tensor fold_slice(const Tensor& x, const std::vector<AxisSlice>& window) {
  const size_t r = window.size();
  Dims shape(r);
  for (size_t i = 0; i < r; ++i) shape[i] = window[i].count;
  Tensor out(x.dtype(), shape);
  std::vector<int64_t> stride(r, 1);
  for (size_t i = r; i-- > 1;) stride[i - 1] = stride[i] * x.shape()[i];
  std::vector<int64_t> pos(r, 0);
  for (int64_t o = 0; o < out.count(); ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < r; ++i) src += (window[i].start + pos[i] * window[i].step) * stride[i];
    if (x.is_int())
      out.set_int(o, x.get_int(src));
    else
      out.set(o, x.get(src));
    for (size_t k = r; k-- > 0;) {
      if (++pos[k] < shape[k]) break;
      pos[k] = 0;
    }
  }
  return out;
}

Tensor fold_expand(const Tensor& x, const Dims& shape) {
  Tensor out(x.dtype(), shape);
  const auto idx = broadcast_index(x.shape(), shape);
  for (int64_t i = 0; i < out.count(); ++i) {
    if (x.is_int())
      out.set_int(i, x.get_int(idx[i]));
    else
      out.set(i, x.get(idx[i]));
  }
  return out;
}

}  // namespace morel::onnxc
