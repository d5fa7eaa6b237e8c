// Element-wise ops: NumPy-broadcasting arithmetic, comparison and logic
// (the *Broadcastable and comparison layers), variadic Sum / Mean / Max /
// Min, Where, and unary math (the unary layer and the N-d math layers).
#include <algorithm>
#include <cmath>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

// Input b of a binary op, adjusted for the legacy (opset < 7) broadcast
// attribute, which aligns B's axes at `axis` of A instead of at the end.
std::string legacy_aligned(Context& cx, const Node& node, const Dims& a, const Dims& b,
                           std::string blob, Dims* b_shape) {
  *b_shape = b;
  if (node.opset() >= 7 || node.attr_int("broadcast", 0) == 0) return blob;
  const int64_t ra = static_cast<int64_t>(a.size()), rb = static_cast<int64_t>(b.size());
  int64_t axis = node.attr_int("axis", ra - rb);
  if (axis < 0) axis += ra;
  if (axis < 0 || axis + rb > ra)
    node.invalid("broadcast axis " + std::to_string(axis) + " does not fit");
  Dims s = b;
  s.resize(static_cast<size_t>(ra - axis), 1);
  *b_shape = s;
  return emit_reshape(cx, hint(node, "aligned"), blob, s);
}

int result_dtype(const std::string& op, int a) {
  static const char* const kBoolOps[] = {
      "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And",
      "Or",    "Xor",  "Not",         "IsNaN",   "IsInf"};
  for (const char* b : kBoolOps)
    if (op == b) return kBool;
  return a;
}

void convert_binary(Context& cx, const Node& node, Binary op) {
  const Value& a = cx.input(node, 0);
  const Value& bv = cx.input(node, 1);
  Dims bs;
  const std::string b = legacy_aligned(cx, node, a.shape, bv.shape, cx.input_blob(node, 1), &bs);
  const Dims shape = broadcast(node, a.shape, bs);
  const std::string ab = cx.input_blob(node, 0);
  const bool integer = is_integer_type(a.dtype);
  std::string out;
  if (op == Binary::kDiv && integer) {
    // Integer division truncates toward zero.
    out = emit_trunc(cx, node.output(0),
                     emit_binary(cx, hint(node, "quotient"), Binary::kDiv, ab, b));
  } else if (op == Binary::kMod && node.attr_int("fmod", 0) != 0) {
    // C fmod: a - trunc(a / b) * b.
    const std::string q = emit_trunc(cx, hint(node, "trunc"),
                                     emit_binary(cx, hint(node, "quotient"), Binary::kDiv, ab, b));
    const std::string p = emit_binary(cx, hint(node, "product"), Binary::kMul, q, b);
    out = emit_binary(cx, node.output(0), Binary::kSub, ab, p);
  } else {
    if (op == Binary::kMod && !integer) node.invalid("Mod of floating-point inputs needs fmod = 1");
    out = emit_binary(cx, node.output(0), op, ab, b);
  }
  define_output(cx, node, 0, out, result_dtype(node.op_type(), a.dtype), shape);
}

void convert_variadic(Context& cx, const Node& node, Binary op, bool mean) {
  int n = 0;
  std::string acc;
  Dims shape;
  int dtype = kFloat;
  for (int i = 0; i < node.input_count(); ++i) {
    if (!node.has_input(i)) continue;
    const Value& v = cx.input(node, i);
    const std::string b = cx.input_blob(node, i);
    if (n == 0) {
      acc = b;
      shape = v.shape;
      dtype = v.dtype;
    } else {
      shape = broadcast(node, shape, v.shape);
      acc = emit_binary(cx, mean ? hint(node, "sum") : node.output(0), op, acc, b);
    }
    ++n;
  }
  if (n == 0) node.invalid("needs at least one input");
  if (mean && n > 1) acc = emit_linear(cx, node.output(0), acc, 1.f / static_cast<float>(n), 0.f);
  if (n == 1) {
    cx.alias(node.output(0), node.input(0));
    return;
  }
  define_output(cx, node, 0, acc, dtype, shape);
}

void convert_where(Context& cx, const Node& node) {
  const Value& c = cx.input(node, 0);
  const Value& x = cx.input(node, 1);
  const Value& y = cx.input(node, 2);
  const Dims shape = broadcast(node, broadcast(node, c.shape, x.shape), y.shape);
  const std::string out = emit_layer(
      cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1), cx.input_blob(node, 2)},
      [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); });
  define_output(cx, node, 0, out, x.dtype, shape);
}

void finish(Context& cx, const Node& node, const std::string& out, int dtype = -1) {
  const Value& x = cx.input(node, 0);
  define_output(cx, node, 0, out, dtype < 0 ? x.dtype : dtype, x.shape);
}

void unary_fn(Context& cx, const Node& node, spec::UnaryFunctionLayerParams::Operation op) {
  finish(cx, node, emit_unary(cx, node.output(0), cx.input_blob(node, 0), op));
}

using LayerFill = void (*)(spec::NeuralNetworkLayer&);
void math_layer(Context& cx, const Node& node, LayerFill fill) {
  finish(cx, node, emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, fill));
}

void convert_is_inf(Context& cx, const Node& node) {
  const bool pos = node.attr_int("detect_positive", 1) != 0;
  const bool neg = node.attr_int("detect_negative", 1) != 0;
  const std::string in = cx.input_blob(node, 0);
  std::string out;
  if (pos && neg) {
    const std::string a =
        emit_unary(cx, hint(node, "abs"), in, spec::UnaryFunctionLayerParams::ABS);
    out = emit_binary_scalar(cx, node.output(0), Binary::kEqual, a, INFINITY);
  } else if (pos || neg) {
    out = emit_binary_scalar(cx, node.output(0), Binary::kEqual, in, pos ? INFINITY : -INFINITY);
  } else {
    // Neither sign is detected: false everywhere, whatever the values.
    const Value& x = cx.input(node, 0);
    cx.define_constant(node.output(0), Tensor(kBool, x.shape));
    return;
  }
  finish(cx, node, out, kBool);
}

}  // namespace

void register_elementwise_ops(OpTable& t) {
  t["Add"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kAdd); };
  t["Sub"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kSub); };
  t["Mul"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kMul); };
  t["Div"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kDiv); };
  t["Pow"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kPow); };
  t["Mod"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kMod); };
  t["Equal"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kEqual); };
  t["Less"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kLess); };
  t["LessOrEqual"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kLessEqual); };
  t["Greater"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kGreater); };
  t["GreaterOrEqual"] = [](Context& cx, const Node& n) {
    convert_binary(cx, n, Binary::kGreaterEqual);
  };
  t["And"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kAnd); };
  t["Or"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kOr); };
  t["Xor"] = [](Context& cx, const Node& n) { convert_binary(cx, n, Binary::kXor); };
  t["Sum"] = [](Context& cx, const Node& n) { convert_variadic(cx, n, Binary::kAdd, false); };
  t["Mean"] = [](Context& cx, const Node& n) { convert_variadic(cx, n, Binary::kAdd, true); };
  t["Max"] = [](Context& cx, const Node& n) { convert_variadic(cx, n, Binary::kMax, false); };
  t["Min"] = [](Context& cx, const Node& n) { convert_variadic(cx, n, Binary::kMin, false); };
  t["Where"] = &convert_where;

  using U = spec::UnaryFunctionLayerParams;
  t["Abs"] = [](Context& cx, const Node& n) { unary_fn(cx, n, U::ABS); };
  t["Exp"] = [](Context& cx, const Node& n) { unary_fn(cx, n, U::EXP); };
  t["Log"] = [](Context& cx, const Node& n) { unary_fn(cx, n, U::LOG); };
  t["Sqrt"] = [](Context& cx, const Node& n) { unary_fn(cx, n, U::SQRT); };
  t["Reciprocal"] = [](Context& cx, const Node& n) { unary_fn(cx, n, U::INVERSE); };
  t["Neg"] = [](Context& cx, const Node& n) {
    finish(cx, n, emit_linear(cx, n.output(0), cx.input_blob(n, 0), -1.f, 0.f));
  };
  t["Not"] = [](Context& cx, const Node& n) {
    finish(cx, n,
           emit_layer(cx, n.output(0), {cx.input_blob(n, 0)},
                      [](spec::NeuralNetworkLayer& l) { l.mutable_logicalnot(); }),
           kBool);
  };
  t["IsNaN"] = [](Context& cx, const Node& n) {
    const std::string in = cx.input_blob(n, 0);
    finish(cx, n, emit_binary(cx, n.output(0), Binary::kNotEqual, in, in), kBool);
  };
  t["IsInf"] = &convert_is_inf;
  t["Floor"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_floor(); });
  };
  t["Ceil"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_ceil(); });
  };
  t["Round"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_round(); });
  };
  t["Sign"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_sign(); });
  };
  t["Sin"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_sin(); });
  };
  t["Cos"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_cos(); });
  };
  t["Tan"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_tan(); });
  };
  t["Asin"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_asin(); });
  };
  t["Acos"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_acos(); });
  };
  t["Atan"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_atan(); });
  };
  t["Sinh"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_sinh(); });
  };
  t["Cosh"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_cosh(); });
  };
  t["Asinh"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_asinh(); });
  };
  t["Acosh"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_acosh(); });
  };
  t["Atanh"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_atanh(); });
  };
  t["Erf"] = [](Context& cx, const Node& n) {
    math_layer(cx, n, [](auto& l) { l.mutable_erf(); });
  };
}

}  // namespace morel::onnxc
