// Softmax, LogSoftmax and Hardmax. Before opset 13 they act on the input
// flattened to 2-D at `axis` (every axis from `axis` on at once); from 13 on
// a single axis. Softmax is softmaxND; LogSoftmax is x - logsumexp(x), which
// stays finite where log(softmax(x)) would underflow.
#include <algorithm>
#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

struct Layout {
  int64_t axis;     // the axis to normalize over, of the (maybe) reshaped input
  Dims work_shape;  // the shape to work on (the input's, or its 2-D flattening)
};

Layout layout(const Node& node, const Dims& shape) {
  const int64_t r = static_cast<int64_t>(shape.size());
  if (r == 0) node.invalid("input is a scalar");
  const int64_t axis = norm_axis(node, node.attr_int("axis", node.opset() >= 13 ? -1 : 1), r);
  if (node.opset() >= 13 || axis == r - 1) return {axis, shape};
  const int64_t outer = element_count(Dims(shape.begin(), shape.begin() + axis));
  const int64_t inner = element_count(Dims(shape.begin() + axis, shape.end()));
  return {1, {outer, inner}};
}

void convert_softmax(Context& cx, const Node& node, bool log) {
  const Value& x = cx.input(node, 0);
  const Layout lay = layout(node, x.shape);
  std::string in = emit_reshape(cx, hint(node, "2d"), cx.input_blob(node, 0), lay.work_shape);
  std::string out;
  if (log) {
    const std::string lse =
        emit_reduce(cx, hint(node, "logsumexp"), in, Reduce::kLogSumExp, {lay.axis}, true);
    out = emit_binary(cx, node.output(0), Binary::kSub, in, lse);
  } else {
    out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
      l.mutable_softmaxnd()->set_axis(lay.axis);
    });
  }
  out = emit_reshape(cx, node.output(0), out, x.shape);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

// 1 at the first maximum along the axis, 0 elsewhere: argMax, then oneHot
// putting the axis back.
void convert_hardmax(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Layout lay = layout(node, x.shape);
  std::string in = emit_reshape(cx, hint(node, "2d"), cx.input_blob(node, 0), lay.work_shape);
  const int64_t depth = lay.work_shape[lay.axis];
  Dims index_shape = lay.work_shape;
  index_shape.erase(index_shape.begin() + lay.axis);
  std::string idx = emit_layer(cx, hint(node, "index"), {in}, [&](spec::NeuralNetworkLayer& l) {
    l.mutable_argmax()->set_axis(lay.axis);
    l.mutable_argmax()->set_removedim(true);
  });
  // A rank-1 input leaves a scalar index, which runs as [1]: drop that axis.
  if (index_shape.empty()) idx = emit_reshape(cx, hint(node, "index1"), idx, {1});
  std::string out = emit_layer(cx, node.output(0), {idx}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_onehot();
    p->set_onehotvectorsize(static_cast<uint64_t>(depth));
    p->set_axis(index_shape.empty() ? 0 : lay.axis);
    p->set_onvalue(1.f);
    p->set_offvalue(0.f);
  });
  out = emit_reshape(cx, node.output(0), out, x.shape);
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

}  // namespace

void register_softmax_ops(OpTable& t) {
  t["Softmax"] = [](Context& cx, const Node& n) { convert_softmax(cx, n, false); };
  t["LogSoftmax"] = [](Context& cx, const Node& n) { convert_softmax(cx, n, true); };
  t["Hardmax"] = &convert_hardmax;
}

}  // namespace morel::onnxc
