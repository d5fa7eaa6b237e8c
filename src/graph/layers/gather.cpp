// Layer family: gather. gather / scatter (along an axis, numpy.take and its
// inverse), gatherND / scatterND (by index tuples), gatherAlongAxis /
// scatterAlongAxis (numpy.take_along_axis / put_along_axis), with every
// ScatterMode.
//
// Index tensors are float blobs. Before any kernel runs, every index is
// checked to be an integer inside [-size, size) of the axis it addresses;
// negative indices count from the end. Anything else is an error: no kernel
// ever reads or writes outside its tensors.
#include <cmath>
#include <cstdio>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/gather.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

void require_io(const spec::NeuralNetworkLayer& layer, int inputs) {
  require(layer.output_size() == 1, "expects 1 output, got " + str(int64_t(layer.output_size())));
  require(layer.input_size() == inputs,
          "expects " + str(inputs) + " inputs, got " + str(int64_t(layer.input_size())));
}

// An integral float index as text (without a cast that could overflow).
std::string index_text(float v) {
  if (std::fabs(v) < 1e15f) return str(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", static_cast<double>(v));
  return buf;
}

// Throws unless indices[pos] is an integer in [-size, size).
void check_index(const float* indices, int64_t pos, int64_t size, const std::string& what) {
  const float v = indices[pos];
  if (!std::isfinite(v) || v != std::floor(v))
    throw Error(ErrorCode::kInvalidInput, "index " + std::to_string(v) + " (element " + str(pos) +
                                              " of the indices) is not an integer");
  if (v < -static_cast<double>(size) || v >= static_cast<double>(size))
    throw Error(ErrorCode::kInvalidInput, "index " + index_text(v) + " (element " + str(pos) +
                                              " of the indices) is out of range for " + what +
                                              " of size " + str(size));
}

void check_indices(const ConstTensorView& idx, int64_t size, const std::string& what) {
  for (int64_t i = 0; i < idx.count(); ++i) check_index(idx.data, i, size, what);
}

ref::AxisSplit split(const Shape& s, int axis) {
  return {s.count(0, axis), s[axis], s.count(axis + 1, s.rank())};
}

ref::ScatterMode scatter_mode(spec::ScatterMode m) {
  switch (m) {
    case spec::SCATTER_UPDATE: return ref::ScatterMode::kUpdate;
    case spec::SCATTER_ADD: return ref::ScatterMode::kAdd;
    case spec::SCATTER_SUB: return ref::ScatterMode::kSub;
    case spec::SCATTER_MUL: return ref::ScatterMode::kMul;
    case spec::SCATTER_DIV: return ref::ScatterMode::kDiv;
    case spec::SCATTER_MAX: return ref::ScatterMode::kMax;
    case spec::SCATTER_MIN: return ref::ScatterMode::kMin;
    default: break;
  }
  require(false, "mode = " + str(int64_t(m)) + " is not a ScatterMode value");
  return ref::ScatterMode::kUpdate;
}

// data.shape[:axis] + indices.shape + data.shape[axis+1:]: the output of
// gather, and the updates shape of scatter.
Shape take_shape(const Shape& data, int axis, const Shape& indices) {
  Shape s;
  for (int a = 0; a < axis; ++a) s.push_back(data[a]);
  for (int64_t d : indices) s.push_back(d);
  for (int a = axis + 1; a < data.rank(); ++a) s.push_back(data[a]);
  return s;
}

// indices.shape[:-1] + data.shape[k:] with k = indices.shape[-1]: the output
// of gatherND, and the updates shape of scatterND. Rank 0 becomes [1] (the
// format has no rank-0 tensors).
Shape nd_shape(const Shape& data, const Shape& indices) {
  require_shape(indices.rank() >= 1, "indices (input 1) must have rank >= 1");
  const int64_t k = indices.dim(-1);
  require_shape(k >= 1 && k <= data.rank(),
                "indices (input 1) have " + str(k) +
                    " coordinates per tuple (last axis); the data (input 0) has rank " +
                    str(data.rank()));
  Shape s;
  for (int a = 0; a + 1 < indices.rank(); ++a) s.push_back(indices[a]);
  for (int a = static_cast<int>(k); a < data.rank(); ++a) s.push_back(data[a]);
  if (s.empty()) s.push_back(1);
  return s;
}

// Indices of gatherAlongAxis / scatterAlongAxis: same rank as the data and the
// same size on every axis but `axis`.
void require_along_axis(const Shape& data, int axis, const Shape& indices) {
  bool ok = indices.rank() == data.rank();
  for (int a = 0; ok && a < data.rank(); ++a) ok = a == axis || indices[a] == data[a];
  require_shape(ok, "indices (input 1) have shape " + indices.str() + "; expected data shape " +
                        data.str() + " except along axis " + str(axis));
}

void check_nd_indices(const ConstTensorView& idx, const Shape& data) {
  const int64_t k = idx.shape.dim(-1);
  for (int64_t i = 0; i < idx.count(); ++i)
    check_index(idx.data, i, data[static_cast<int>(i % k)], "data axis " + str(i % k));
}

// ---------------------------------------------------------------------------
class GatherOp final : public Op {
 public:
  GatherOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_io(layer, 2);
    axis_ = layer.gather().axis();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const int a = normalize_axis(axis_, inputs[0].rank(), "axis");
    require_shape(inputs[0].rank() + inputs[1].rank() - 1 <= kMaxRank,
                  "gather output rank " + str(inputs[0].rank() + inputs[1].rank() - 1) +
                      " exceeds the maximum " + str(kMaxRank));
    Shape out = take_shape(inputs[0], a, inputs[1]);
    require_plannable(out);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int a = normalize_axis(axis_, x.rank(), "axis");
    check_indices(inputs[1], x[a], "axis " + str(a));
    ref::gather(inputs[0].data, split(x, a), inputs[1].data, inputs[1].count(), outputs[0].data,
                ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t axis_ = 0;
};

// Inputs: container, indices, updates. Output: the updated container.
class ScatterOp final : public Op {
 public:
  ScatterOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_io(layer, 3);
    axis_ = layer.scatter().axis();
    mode_ = scatter_mode(layer.scatter().mode());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 3, 3);
    const int a = normalize_axis(axis_, inputs[0].rank(), "axis");
    require_shape(inputs[0].rank() + inputs[1].rank() - 1 <= kMaxRank,
                  "updates rank would exceed the maximum " + str(kMaxRank));
    const Shape want = take_shape(inputs[0], a, inputs[1]);
    require_shape(inputs[2] == want,
                  "updates (input 2) have shape " + inputs[2].str() + "; expected " + want.str());
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int a = normalize_axis(axis_, x.rank(), "axis");
    check_indices(inputs[1], x[a], "axis " + str(a));
    ref::scatter(mode_, inputs[0].data, split(x, a), inputs[1].data, inputs[1].count(),
                 inputs[2].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t axis_ = 0;
  ref::ScatterMode mode_ = ref::ScatterMode::kUpdate;
};

// ---------------------------------------------------------------------------
class GatherNDOp final : public Op {
 public:
  GatherNDOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_io(layer, 2);
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    Shape out = nd_shape(inputs[0], inputs[1]);
    require_plannable(out);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ConstTensorView& idx = inputs[1];
    check_nd_indices(idx, inputs[0].shape);
    const int64_t k = idx.shape.dim(-1);
    ref::gather_nd(inputs[0].data, inputs[0].shape, idx.data, idx.count() / k, static_cast<int>(k),
                   outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
};

// Inputs: container, indices [..., k], updates. Output: the updated container.
// The format's comment says a negative coordinate selects "the entire slice"
// of its axis, unlike every other index here (negative = from the end). As
// the two readings disagree, a negative coordinate is refused, not guessed.
class ScatterNDOp final : public Op {
 public:
  ScatterNDOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_io(layer, 3);
    mode_ = scatter_mode(layer.scatternd().mode());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 3, 3);
    const Shape want = nd_shape(inputs[0], inputs[1]);
    require_shape(inputs[2] == want,
                  "updates (input 2) have shape " + inputs[2].str() + "; expected " + want.str());
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ConstTensorView& idx = inputs[1];
    check_nd_indices(idx, inputs[0].shape);
    for (int64_t i = 0; i < idx.count(); ++i)
      if (idx.data[i] < 0)
        unsupported("scatterND index " + str(static_cast<int64_t>(idx.data[i])) +
                    ": negative coordinates (\"the entire slice\" in the format's comment) "
                    "are not run");
    const int64_t k = idx.shape.dim(-1);
    ref::scatter_nd(mode_, inputs[0].data, inputs[0].shape, idx.data, idx.count() / k,
                    static_cast<int>(k), inputs[2].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  ref::ScatterMode mode_ = ref::ScatterMode::kUpdate;
};

// ---------------------------------------------------------------------------
class GatherAlongAxisOp final : public Op {
 public:
  GatherAlongAxisOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_io(layer, 2);
    axis_ = layer.gatheralongaxis().axis();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const int a = normalize_axis(axis_, inputs[0].rank(), "axis");
    require_along_axis(inputs[0], a, inputs[1]);
    return {inputs[1]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int a = normalize_axis(axis_, x.rank(), "axis");
    check_indices(inputs[1], x[a], "axis " + str(a));
    ref::gather_along_axis(inputs[0].data, split(x, a), inputs[1].data, inputs[1].shape[a],
                           outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t axis_ = 0;
};

// Inputs: container, indices, updates (the shape of indices).
class ScatterAlongAxisOp final : public Op {
 public:
  ScatterAlongAxisOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_io(layer, 3);
    axis_ = layer.scatteralongaxis().axis();
    mode_ = scatter_mode(layer.scatteralongaxis().mode());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 3, 3);
    const int a = normalize_axis(axis_, inputs[0].rank(), "axis");
    require_along_axis(inputs[0], a, inputs[1]);
    require_shape(inputs[2] == inputs[1], "updates (input 2) have shape " + inputs[2].str() +
                                              "; expected the indices shape " + inputs[1].str());
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int a = normalize_axis(axis_, x.rank(), "axis");
    check_indices(inputs[1], x[a], "axis " + str(a));
    ref::scatter_along_axis(mode_, inputs[0].data, split(x, a), inputs[1].data, inputs[1].shape[a],
                            inputs[2].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t axis_ = 0;
  ref::ScatterMode mode_ = ref::ScatterMode::kUpdate;
};

}  // namespace

void register_gather_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kGather, &make_op<GatherOp>);
  r.add(spec::NeuralNetworkLayer::kScatter, &make_op<ScatterOp>);
  r.add(spec::NeuralNetworkLayer::kGatherND, &make_op<GatherNDOp>);
  r.add(spec::NeuralNetworkLayer::kScatterND, &make_op<ScatterNDOp>);
  r.add(spec::NeuralNetworkLayer::kGatherAlongAxis, &make_op<GatherAlongAxisOp>);
  r.add(spec::NeuralNetworkLayer::kScatterAlongAxis, &make_op<ScatterAlongAxisOp>);
}

}  // namespace morel::graph
