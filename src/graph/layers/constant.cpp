// Layer family: constant. loadConstant (legacy rank 5), loadConstantND,
// fillLike, fillStatic, rangeStatic, broadcastToStatic, broadcastToLike and
// oneHot (its one-input form).
#include <algorithm>
#include <cmath>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/constant.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// A shape from a repeated uint64 field: 1 to `max_rank` dimensions, each
// positive, at most kMaxElements elements in all.
template <class Repeated>
Shape shape_param(const Repeated& dims, const std::string& field, int max_rank) {
  require(dims.size() >= 1 && dims.size() <= max_rank,
          field + " has " + str(dims.size()) + " values; expected 1 to " + str(max_rank));
  Shape s;
  int64_t n = 1;
  for (int i = 0; i < dims.size(); ++i) {
    const uint64_t d = dims.Get(i);
    require(d >= 1, field + "[" + str(i) + "] = 0; dimensions must be positive");
    require(d <= static_cast<uint64_t>(kMaxElements / n),
            field + " describes more than " + str(kMaxElements) + " elements");
    n *= static_cast<int64_t>(d);
    s.push_back(static_cast<int64_t>(d));
  }
  return s;
}

// ---------------------------------------------------------------------------
// loadConstant / loadConstantND: no input; the decoded data, of a fixed shape.
class LoadConstantOp final : public Op {
 public:
  LoadConstantOp(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
    require_one_output(layer);
    require_input_count(layer, 0);
    if (layer.has_loadconstant()) {
      const auto& p = layer.loadconstant();
      require(p.shape_size() == 3,
              "shape has " + str(p.shape_size()) + " values; expected 3 ([C, H, W])");
      const Shape chw = shape_param(p.shape(), "shape", 3);
      // The format defines the output as rank 5 [1, 1, C, H, W] in any
      // network (loadConstantND is the layer for other ranks).
      shape_ = Shape{1, 1, chw[0], chw[1], chw[2]};
      data_ = weights(p.data(), shape_.count(), "data");
    } else {
      const auto& p = layer.loadconstantnd();
      shape_ = shape_param(p.shape(), "shape", kMaxRank);
      data_ = weights(p.data(), shape_.count(), "data");
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 0, 0);
    return {shape_};
  }

  void run(const RunContext&, std::span<const ConstTensorView>,
           std::span<const TensorView> outputs) const override {
    std::copy(data_.begin(), data_.end(), outputs[0].data);
  }

 private:
  Shape shape_;
  std::vector<float> data_;
};

// ---------------------------------------------------------------------------
// fillLike: `value` in the shape of the input. fillStatic: in targetShape.
class FillOp final : public Op {
 public:
  FillOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_one_output(layer);
    if (layer.has_filllike()) {
      require_input_count(layer, 1);
      value_ = layer.filllike().value();
    } else {
      require_input_count(layer, 0);
      value_ = layer.fillstatic().value();
      target_ = shape_param(layer.fillstatic().targetshape(), "targetShape", kMaxRank);
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    if (target_.empty()) {
      require_inputs(inputs, 1, 1);
      return {inputs[0]};
    }
    require_inputs(inputs, 0, 0);
    return {target_};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView>,
           std::span<const TensorView> outputs) const override {
    ref::fill(value_, outputs[0].count(), outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  float value_ = 0.f;
  Shape target_;  // empty for fillLike
};

// ---------------------------------------------------------------------------
// rangeStatic: numpy.arange(startValue, endValue, stepSizeValue), rank 1.
class RangeStaticOp final : public Op {
 public:
  RangeStaticOp(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
    require_one_output(layer);
    require_input_count(layer, 0);
    const auto& p = layer.rangestatic();
    start_ = p.startvalue();
    step_ = p.stepsizevalue();
    const double end = p.endvalue();
    require(std::isfinite(start_) && std::isfinite(end) && std::isfinite(step_),
            "startValue, endValue and stepSizeValue must be finite");
    require(step_ != 0, "stepSizeValue = 0; must be nonzero");
    // numpy's length rule: ceil((end - start) / step), evaluated in double
    // from the float32 parameters.
    const double n = std::ceil((end - start_) / step_);
    require(n >= 1, "the range from startValue " + std::to_string(start_) + " to endValue " +
                        std::to_string(end) + " by " + std::to_string(step_) + " is empty");
    require(n <= double(kMaxElements), "the range has more than " + str(kMaxElements) + " values");
    count_ = static_cast<int64_t>(n);
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 0, 0);
    return {Shape{count_}};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView>,
           std::span<const TensorView> outputs) const override {
    ref::arange(start_, step_, count_, outputs[0].data, ctx.threads);
  }

 private:
  double start_ = 0, step_ = 1;
  int64_t count_ = 1;
};

// ---------------------------------------------------------------------------
// broadcastToStatic (to targetShape) / broadcastToLike (to input 1's shape).
// The format says only "broadcast to a new shape". We apply NumPy's rule to
// both shapes, so the output is their common broadcast shape: for every case
// where a one-way broadcast to the target is defined this is exactly the
// target, and other cases get the two-way result instead of an error.
class BroadcastToOp final : public Op {
 public:
  BroadcastToOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_one_output(layer);
    if (layer.has_broadcasttolike()) {
      require_input_count(layer, 2);
    } else {
      require_input_count(layer, 1);
      target_ = shape_param(layer.broadcasttostatic().targetshape(), "targetShape", kMaxRank);
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    const bool like = target_.empty();
    require_inputs(inputs, like ? 2 : 1, like ? 2 : 1);
    Shape out = broadcast_shapes(inputs[0], like ? inputs[1] : target_);
    require_plannable(out);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::broadcast_to(inputs[0].data, inputs[0].shape, outputs[0].shape, outputs[0].data,
                      ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  Shape target_;  // empty for broadcastToLike
};

// ---------------------------------------------------------------------------
// oneHot: a new axis of oneHotVectorSize entries is inserted at `axis` of the
// output (rank = input rank + 1; -1 is the new last axis). Entry k is onValue
// where the input index equals k, offValue elsewhere. An index outside
// [0, oneHotVectorSize), negative ones included, gives an all-offValue vector
// (the format does not say that negative indices count from the end).
class OneHotOp final : public Op {
 public:
  OneHotOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    require_one_output(layer);
    const int n = layer.input_size();
    require(n == 1 || n == 2, "expects 1 or 2 inputs, got " + str(n));
    if (n == 2)
      unsupported(
          "oneHot with the vector size in a second input: the output shape would "
          "depend on input values");
    const auto& p = layer.onehot();
    require(p.onehotvectorsize() >= 1, "oneHotVectorSize = 0; must be positive");
    require(p.onehotvectorsize() <= static_cast<uint64_t>(kMaxElements),
            "oneHotVectorSize = " + std::to_string(p.onehotvectorsize()) + " is too large");
    depth_ = static_cast<int64_t>(p.onehotvectorsize());
    axis_ = p.axis();
    on_ = p.onvalue();
    off_ = p.offvalue();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_shape(x.rank() < kMaxRank, "input rank " + str(x.rank()) +
                                           " leaves no room for the one-hot axis (max rank " +
                                           str(kMaxRank) + ")");
    Shape out = x;
    out.insert(normalize_axis(axis_, x.rank() + 1, "axis"), depth_);
    require_plannable(out);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ConstTensorView& x = inputs[0];
    for (int64_t i = 0; i < x.count(); ++i) {
      const float v = x.data[i];
      if (!std::isfinite(v) || v != std::floor(v))
        throw Error(ErrorCode::kInvalidInput,
                    "oneHot index " + std::to_string(v) + " is not an integer");
    }
    const int a = normalize_axis(axis_, x.shape.rank() + 1, "axis");
    ref::OneHot p;
    p.outer = x.shape.count(0, a);
    p.depth = depth_;
    p.inner = x.shape.count(a, x.shape.rank());
    p.on = on_;
    p.off = off_;
    ref::one_hot(p, x.data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t depth_ = 1;
  int64_t axis_ = -1;
  float on_ = 1.f, off_ = 0.f;
};

}  // namespace

void register_constant_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kLoadConstant, &make_op<LoadConstantOp>);
  r.add(spec::NeuralNetworkLayer::kLoadConstantND, &make_op<LoadConstantOp>);
  r.add(spec::NeuralNetworkLayer::kFillLike, &make_op<FillOp>);
  r.add(spec::NeuralNetworkLayer::kFillStatic, &make_op<FillOp>);
  r.add(spec::NeuralNetworkLayer::kRangeStatic, &make_op<RangeStaticOp>);
  r.add(spec::NeuralNetworkLayer::kBroadcastToStatic, &make_op<BroadcastToOp>);
  r.add(spec::NeuralNetworkLayer::kBroadcastToLike, &make_op<BroadcastToOp>);
  r.add(spec::NeuralNetworkLayer::kOneHot, &make_op<OneHotOp>);
}

}  // namespace morel::graph
