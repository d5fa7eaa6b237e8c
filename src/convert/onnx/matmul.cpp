// Gemm and MatMul as batchedMatmul: with a constant right operand, the
// one-input form that stores it as weights (row-major [N, K]) with an
// optional bias; otherwise the two-input form.
#include <algorithm>
#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

// The batchedMatmul layer with constant weights: x [..., K] -> [..., N].
std::string emit_weights_matmul(Context& cx, const std::string& out_hint, const std::string& in,
                                int64_t k, int64_t n, const std::vector<float>& w_nk,
                                const std::vector<float>& bias) {
  return emit_layer(cx, out_hint, {in}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_batchedmatmul();
    p->set_weightmatrixfirstdimension(static_cast<uint64_t>(k));
    p->set_weightmatrixseconddimension(static_cast<uint64_t>(n));
    p->mutable_weights()->mutable_floatvalue()->Add(w_nk.begin(), w_nk.end());
    p->set_hasbias(!bias.empty());
    if (!bias.empty()) p->mutable_bias()->mutable_floatvalue()->Add(bias.begin(), bias.end());
  });
}

std::string emit_two_input_matmul(Context& cx, const std::string& out_hint, const std::string& a,
                                  const std::string& b, bool ta, bool tb) {
  return emit_layer(cx, out_hint, {a, b}, [&](spec::NeuralNetworkLayer& l) {
    l.mutable_batchedmatmul()->set_transposea(ta);
    l.mutable_batchedmatmul()->set_transposeb(tb);
  });
}

void convert_gemm(Context& cx, const Node& node) {
  const Value& a = cx.input(node, 0);
  const Value& b = cx.input(node, 1);
  if (a.shape.size() != 2 || b.shape.size() != 2)
    node.invalid("A " + shape_str(a.shape) + " and B " + shape_str(b.shape) + " must be matrices");
  const bool ta = node.attr_int("transA", 0) != 0, tb = node.attr_int("transB", 0) != 0;
  const float alpha = node.attr_float("alpha", 1.f), beta = node.attr_float("beta", 1.f);
  const int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    node.invalid("A " + shape_str(a.shape) + " and B " + shape_str(b.shape) + " do not multiply");
  const Dims out_shape = {m, n};
  const bool has_c = node.has_input(2) && beta != 0.f;
  const Tensor* c = has_c ? cx.constant_input(node, 2) : nullptr;
  if (has_c) {
    const Dims cs = broadcast(node, cx.input(node, 2).shape, out_shape);
    if (cs != out_shape) node.invalid("C does not broadcast to " + shape_str(out_shape));
  }
  // C folds into the layer's bias when it varies along N only.
  const bool c_is_bias = c && (c->rank() <= 1 || (c->rank() == 2 && c->shape()[0] == 1));
  std::string out;
  if (const Tensor* bw = cx.constant_input(node, 1)) {
    std::vector<float> w(static_cast<size_t>(n * k));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        w[i * k + j] = alpha * static_cast<float>(tb ? bw->get(i * k + j) : bw->get(j * n + i));
    std::vector<float> bias;
    if (c_is_bias) {
      bias.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        bias[i] = beta * static_cast<float>(c->get(c->count() == 1 ? 0 : i));
    }
    std::string in = cx.input_blob(node, 0);
    if (ta) in = emit_transpose(cx, hint(node, "At"), in, {1, 0});
    out = emit_weights_matmul(cx, has_c && !c_is_bias ? hint(node, "AB") : node.output(0), in, k, n,
                              w, bias);
  } else {
    out = emit_two_input_matmul(cx, hint(node, "AB"), cx.input_blob(node, 0),
                                cx.input_blob(node, 1), ta, tb);
    if (alpha != 1.f || !has_c)
      out = emit_linear(cx, has_c ? hint(node, "alphaAB") : node.output(0), out, alpha, 0.f);
  }
  if (has_c && !(c_is_bias && cx.constant_input(node, 1))) {
    std::string cb = cx.input_blob(node, 2);
    if (beta != 1.f) cb = emit_linear(cx, hint(node, "betaC"), cb, beta, 0.f);
    out = emit_binary(cx, node.output(0), Binary::kAdd, out, cb);
  }
  define_output(cx, node, 0, out, a.dtype, out_shape);
}

void convert_matmul(Context& cx, const Node& node) {
  const Value& a = cx.input(node, 0);
  const Value& b = cx.input(node, 1);
  if (a.shape.empty() || b.shape.empty()) node.invalid("MatMul inputs must have rank >= 1");
  // Output shape by numpy.matmul's rules.
  Dims as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    node.invalid("A " + shape_str(a.shape) + " and B " + shape_str(b.shape) + " do not multiply");
  Dims batch = broadcast(node, Dims(as.begin(), as.end() - 2), Dims(bs.begin(), bs.end() - 2));
  Dims out_shape = batch;
  if (a.shape.size() > 1) out_shape.push_back(as[as.size() - 2]);
  if (b.shape.size() > 1) out_shape.push_back(bs.back());
  const int64_t k = as.back(), n = bs.back();
  std::string out;
  const Tensor* bw = cx.constant_input(node, 1);
  if (bw && b.shape.size() == 2) {
    std::vector<float> w(static_cast<size_t>(n * k));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) w[i * k + j] = static_cast<float>(bw->get(j * n + i));
    out = emit_weights_matmul(cx, node.output(0), cx.input_blob(node, 0), k, n, w, {});
  } else {
    out = emit_two_input_matmul(cx, node.output(0), cx.input_blob(node, 0), cx.input_blob(node, 1),
                                false, false);
  }
  define_output(cx, node, 0, out, a.dtype, out_shape);
}

}  // namespace

void register_matmul_ops(OpTable& t) {
  t["Gemm"] = &convert_gemm;
  t["MatMul"] = &convert_matmul;
}

}  // namespace morel::onnxc
