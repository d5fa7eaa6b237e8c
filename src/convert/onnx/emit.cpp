#include "convert/onnx/emit.h"
#include <algorithm>

#include <limits>

#include "morel/error.h"

namespace morel::onnxc {

std::string emit_layer(Context& cx, const std::string& hint, const std::vector<std::string>& inputs,
                       const std::function<void(spec::NeuralNetworkLayer&)>& fill) {
  spec::NeuralNetworkLayer l;
  l.set_name(cx.layer_name(hint));
  for (const auto& i : inputs) l.add_input(i);
  const std::string out = cx.fresh(hint);
  l.add_output(out);
  fill(l);
  cx.emit(std::move(l));
  return out;
}

std::string emit_constant(Context& cx, const std::string& hint, const Tensor& t) {
  spec::NeuralNetworkLayer l;
  l.set_name(cx.layer_name(hint));
  const std::string out = cx.fresh(hint);
  l.add_output(out);
  const Dims dims = runtime_dims(t.shape());
  auto* p = l.mutable_loadconstantnd();
  for (int64_t d : dims) {
    if (d <= 0)
      throw Error(ErrorCode::kUnsupported,
                  "constant '" + hint + "' has shape " + shape_str(t.shape()) +
                      "; Core ML tensors cannot have a dimension of size 0");
    p->add_shape(static_cast<uint64_t>(d));
  }
  std::vector<float> f = t.floats();
  p->mutable_data()->mutable_floatvalue()->Add(f.begin(), f.end());
  cx.emit_known(std::move(l), {dims});
  return out;
}

std::string emit_constant(Context& cx, const std::string& hint, std::vector<float> values,
                          const Dims& shape) {
  return emit_constant(cx, hint, Tensor::from_floats(std::move(values), shape));
}

std::string emit_reshape(Context& cx, const std::string& hint, const std::string& in,
                         const Dims& shape) {
  if (cx.blob_shape(in) == runtime_dims(shape)) return in;
  return emit_layer(cx, hint, {in}, [&](spec::NeuralNetworkLayer& l) {
    for (int64_t d : runtime_dims(shape)) l.mutable_reshapestatic()->add_targetshape(d);
  });
}

std::string emit_transpose(Context& cx, const std::string& hint, const std::string& in,
                           const std::vector<int64_t>& perm) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == int64_t(i);
  if (identity) return in;
  return emit_layer(cx, hint, {in}, [&](spec::NeuralNetworkLayer& l) {
    for (int64_t a : perm) l.mutable_transpose()->add_axes(static_cast<uint64_t>(a));
  });
}

std::string emit_binary(Context& cx, const std::string& hint, Binary op, const std::string& a,
                        const std::string& b) {
  return emit_layer(cx, hint, {a, b}, [&](spec::NeuralNetworkLayer& l) {
    switch (op) {
      case Binary::kAdd: l.mutable_addbroadcastable(); break;
      case Binary::kSub: l.mutable_subtractbroadcastable(); break;
      case Binary::kMul: l.mutable_multiplybroadcastable(); break;
      case Binary::kDiv: l.mutable_dividebroadcastable(); break;
      case Binary::kMax: l.mutable_maxbroadcastable(); break;
      case Binary::kMin: l.mutable_minbroadcastable(); break;
      case Binary::kPow: l.mutable_powbroadcastable(); break;
      case Binary::kMod: l.mutable_modbroadcastable(); break;
      case Binary::kFloorDiv: l.mutable_floordivbroadcastable(); break;
      case Binary::kEqual: l.mutable_equal(); break;
      case Binary::kNotEqual: l.mutable_notequal(); break;
      case Binary::kLess: l.mutable_lessthan(); break;
      case Binary::kLessEqual: l.mutable_lessequal(); break;
      case Binary::kGreater: l.mutable_greaterthan(); break;
      case Binary::kGreaterEqual: l.mutable_greaterequal(); break;
      case Binary::kAnd: l.mutable_logicaland(); break;
      case Binary::kOr: l.mutable_logicalor(); break;
      case Binary::kXor: l.mutable_logicalxor(); break;
    }
  });
}

std::string emit_binary_scalar(Context& cx, const std::string& hint, Binary op,
                               const std::string& x, float s) {
  const std::string c = emit_constant(cx, hint + "/scalar", {s}, {1});
  return emit_binary(cx, hint, op, x, c);
}

std::string emit_unary(Context& cx, const std::string& hint, const std::string& in,
                       spec::UnaryFunctionLayerParams::Operation op, float alpha, float epsilon) {
  return emit_layer(cx, hint, {in}, [&](spec::NeuralNetworkLayer& l) {
    auto* u = l.mutable_unary();
    u->set_type(op);
    u->set_alpha(alpha);
    // The format reads epsilon 0 as its default 1e-6; the smallest denormal
    // is as good as none for RSQRT / INVERSE of any normal input.
    u->set_epsilon(epsilon != 0.f ? epsilon : std::numeric_limits<float>::denorm_min());
    u->set_scale(1.f);
  });
}

std::string emit_linear(Context& cx, const std::string& hint, const std::string& in, float alpha,
                        float beta) {
  return emit_activation(cx, hint, in, [&](spec::ActivationParams& a) {
    a.mutable_linear()->set_alpha(alpha);
    a.mutable_linear()->set_beta(beta);
  });
}

std::string emit_activation(Context& cx, const std::string& hint, const std::string& in,
                            const std::function<void(spec::ActivationParams&)>& fill) {
  return emit_layer(cx, hint, {in},
                    [&](spec::NeuralNetworkLayer& l) { fill(*l.mutable_activation()); });
}

std::string emit_reduce(Context& cx, const std::string& hint, const std::string& in, Reduce op,
                        const std::vector<int64_t>& axes, bool keep_dims) {
  return emit_layer(cx, hint, {in}, [&](spec::NeuralNetworkLayer& l) {
    auto set = [&](auto* p) {
      for (int64_t a : axes) p->add_axes(a);
      p->set_keepdims(keep_dims);
      p->set_reduceall(false);
    };
    switch (op) {
      case Reduce::kSum: set(l.mutable_reducesum()); break;
      case Reduce::kMean: set(l.mutable_reducemean()); break;
      case Reduce::kProd: set(l.mutable_reduceprod()); break;
      case Reduce::kMax: set(l.mutable_reducemax()); break;
      case Reduce::kMin: set(l.mutable_reducemin()); break;
      case Reduce::kL1: set(l.mutable_reducel1()); break;
      case Reduce::kL2: set(l.mutable_reducel2()); break;
      case Reduce::kLogSum: set(l.mutable_reducelogsum()); break;
      case Reduce::kSumSquare: set(l.mutable_reducesumsquare()); break;
      case Reduce::kLogSumExp: set(l.mutable_reducelogsumexp()); break;
    }
  });
}

std::string emit_trunc(Context& cx, const std::string& hint, const std::string& in) {
  const std::string a = emit_unary(cx, hint + "/abs", in, spec::UnaryFunctionLayerParams::ABS);
  const std::string f =
      emit_layer(cx, hint + "/floor", {a}, [](spec::NeuralNetworkLayer& l) { l.mutable_floor(); });
  const std::string s =
      emit_layer(cx, hint + "/sign", {in}, [](spec::NeuralNetworkLayer& l) { l.mutable_sign(); });
  return emit_binary(cx, hint, Binary::kMul, f, s);
}

}  // namespace morel::onnxc
