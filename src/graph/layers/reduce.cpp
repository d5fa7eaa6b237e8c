// Layer family: reduce.
//
// The legacy reduce layer (spec 1-3: a mode over the fixed axis sets CHW,
// HW, C, H or W, reduced axes kept as 1), the N-d reductions reduceSum ..
// reduceLogSumExp (axes, keepDims, reduceAll), argMax / argMin, and cumSum.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/reduce.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/reduce.h"
#endif

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using ref::ReduceOp;

void check_input_names(const spec::NeuralNetworkLayer& layer, int min, int max) {
  const int n = layer.input_size();
  if (n >= min && n <= max) return;
  require(false, "expects " + (min == max ? str(min) : str(min) + " to " + str(max)) +
                     " input(s), got " + str(n));
}

// Throws unless every reduced axis of `s` is non-empty: an empty max, min or
// mean has no value.
void check_not_empty(const Shape& s, uint32_t mask) {
  for (int axis = 0; axis < s.rank(); ++axis)
    if ((mask & (1u << axis)) && s[axis] == 0)
      require_shape(false,
                    "input has shape " + s.str() + "; cannot reduce the empty axis " + str(axis));
}

// `s` with the axes in `mask` set to 1.
Shape keep_reduced(Shape s, uint32_t mask) {
  for (int axis = 0; axis < s.rank(); ++axis)
    if (mask & (1u << axis)) s[axis] = 1;
  return s;
}

// ---------------------------------------------------------------------------
// Legacy reduce. Axis sets count from the end: CHW = [-3, -2, -1],
// HW = [-2, -1], C = -3, H = -2, W = -1; the output keeps the input's rank
// with 1 on the reduced axes. LOGSUM is sum(log(x + epsilon)), epsilon
// defaulting to 1e-6 when 0. ARGMAX gives the index along C, H or W.
class LegacyReduce final : public Op {
 public:
  explicit LegacyReduce(const spec::NeuralNetworkLayer& layer) {
    check_input_names(layer, 1, 1);
    const auto& p = layer.reduce();
    using R = spec::ReduceLayerParams;
    switch (p.mode()) {
      case R::SUM: params_.op = ReduceOp::kSum; break;
      case R::AVG: params_.op = ReduceOp::kMean; break;
      case R::PROD: params_.op = ReduceOp::kProd; break;
      case R::LOGSUM: params_.op = ReduceOp::kSumLog; break;
      case R::SUMSQUARE: params_.op = ReduceOp::kSumSquare; break;
      case R::L1: params_.op = ReduceOp::kL1; break;
      case R::L2: params_.op = ReduceOp::kL2; break;
      case R::MAX: params_.op = ReduceOp::kMax; break;
      case R::MIN: params_.op = ReduceOp::kMin; break;
      case R::ARGMAX: arg_max_ = true; break;
      default:
        require(false, "mode = " + str(p.mode()) + " is not a ReduceOperation (SUM .. ARGMAX)");
    }
    switch (p.axis()) {
      case R::CHW: first_ = -3, last_ = -1; break;
      case R::HW: first_ = -2, last_ = -1; break;
      case R::C: first_ = last_ = -3; break;
      case R::H: first_ = last_ = -2; break;
      case R::W: first_ = last_ = -1; break;
      default:
        require(false, "axis = " + str(p.axis()) + " is not a ReduceAxis (CHW, HW, C, H or W)");
    }
    require(!arg_max_ || first_ == last_,
            "mode ARGMAX needs axis C, H or W; got " + R::ReduceAxis_Name(p.axis()));
    params_.epsilon = p.epsilon() != 0 ? p.epsilon() : 1e-6f;
    axis_name_ = R::ReduceAxis_Name(p.axis());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    require_shape(s.rank() >= -first_, "input has shape " + s.str() + "; axis " + axis_name_ +
                                           " needs rank >= " + str(-first_));
    const uint32_t m = mask(s.rank());
    check_not_empty(s, m);
    return {keep_reduced(s, m)};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    if (arg_max_)
      ref::arg_reduce(ctx.threads, true, inputs[0].data, s, s.rank() + first_, outputs[0].data);
    else
      ref::reduce(ctx.threads, params_, inputs[0].data, s, mask(s.rank()), outputs[0].data);
  }

 private:
  uint32_t mask(int rank) const {
    uint32_t m = 0;
    for (int axis = rank + first_; axis <= rank + last_; ++axis) m |= 1u << axis;
    return m;
  }
  ref::ReduceParams params_;
  bool arg_max_ = false;
  int first_ = -1, last_ = -1;  // reduced axes, counted from the end
  std::string axis_name_;
};

std::unique_ptr<Op> lower_reduce(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyReduce>(l);
}

// ---------------------------------------------------------------------------
// N-d reductions: axes (negative counts from the end), keepDims, reduceAll.
//
// Choices where the format is silent: empty axes without reduceAll is an
// error (nothing to reduce); reducing every axis without keepDims gives
// shape [1] (N-d blobs have rank >= 1); repeated axes are an error. In a
// rank-5 network the output must stay rank 5, so keepDims = false is not run
// there, and reducing axis 1 (Batch) makes the op batch-dependent.
class ReduceNd final : public Op {
 public:
  template <class Params>
  ReduceNd(const spec::NeuralNetworkLayer& layer, const Params& p, ReduceOp op,
           const LowerContext& ctx)
      : keep_dims_(p.keepdims()), reduce_all_(p.reduceall()), rank5_(ctx.rank5) {
    params_.op = op;
    check_input_names(layer, 1, 1);
    axes_.assign(p.axes().begin(), p.axes().end());
    require(reduce_all_ || !axes_.empty(),
            "axes is empty and reduceAll is false; expected "
            "at least one axis");
    if (rank5_) {
      if (!keep_dims_) unsupported("keepDims = false in a rank-5 network (blobs stay rank 5)");
      batch_independent_ = !(mask(5) & (1u << 1));
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    const uint32_t m = mask(s.rank());
    check_not_empty(s, m);
    if (keep_dims_) return {keep_reduced(s, m)};
    Shape out;
    for (int axis = 0; axis < s.rank(); ++axis)
      if (!(m & (1u << axis))) out.push_back(s[axis]);
    if (out.rank() == 0) out.push_back(1);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
#if defined(MOREL_WITH_DNNL)
    if (kernels::cpu::run_prepared(ctx, inputs, outputs)) return;
#endif
    const Shape& s = inputs[0].shape;
    ref::reduce(ctx.threads, params_, inputs[0].data, s, mask(s.rank()), outputs[0].data);
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape>,
                                  const PrepareContext&) const override {
#if defined(MOREL_WITH_DNNL)
    return kernels::cpu::prepare_reduce(params_.op, inputs[0], mask(inputs[0].rank()));
#else
    (void)inputs;
    return nullptr;
#endif
  }

  bool batch_independent() const override {
    return batch_independent_;
  }

 private:
  // The reduced axes of a rank-`rank` input as a bit mask.
  uint32_t mask(int rank) const {
    if (reduce_all_) return rank >= 32 ? ~0u : (1u << rank) - 1;
    uint32_t m = 0;
    for (int64_t a : axes_) {
      const int axis = normalize_axis(a, rank, "axes");
      require(!(m & (1u << axis)), "axes names axis " + str(axis) + " more than once");
      m |= 1u << axis;
    }
    return m;
  }

  ref::ReduceParams params_;
  std::vector<int64_t> axes_;
  bool keep_dims_, reduce_all_, rank5_;
  bool batch_independent_ = true;
};

std::unique_ptr<Op> lower_reduce_nd(const spec::NeuralNetworkLayer& l, const LowerContext& ctx) {
  using L = spec::NeuralNetworkLayer;
  switch (l.layer_case()) {
    case L::kReduceSum: return std::make_unique<ReduceNd>(l, l.reducesum(), ReduceOp::kSum, ctx);
    case L::kReduceMean: return std::make_unique<ReduceNd>(l, l.reducemean(), ReduceOp::kMean, ctx);
    case L::kReduceProd: return std::make_unique<ReduceNd>(l, l.reduceprod(), ReduceOp::kProd, ctx);
    case L::kReduceMax: return std::make_unique<ReduceNd>(l, l.reducemax(), ReduceOp::kMax, ctx);
    case L::kReduceMin: return std::make_unique<ReduceNd>(l, l.reducemin(), ReduceOp::kMin, ctx);
    case L::kReduceL1: return std::make_unique<ReduceNd>(l, l.reducel1(), ReduceOp::kL1, ctx);
    case L::kReduceL2: return std::make_unique<ReduceNd>(l, l.reducel2(), ReduceOp::kL2, ctx);
    case L::kReduceLogSum:
      return std::make_unique<ReduceNd>(l, l.reducelogsum(), ReduceOp::kLogSum, ctx);
    case L::kReduceSumSquare:
      return std::make_unique<ReduceNd>(l, l.reducesumsquare(), ReduceOp::kSumSquare, ctx);
    case L::kReduceLogSumExp:
      return std::make_unique<ReduceNd>(l, l.reducelogsumexp(), ReduceOp::kLogSumExp, ctx);
    default: unsupported("not an N-d reduce layer");
  }
}

// ---------------------------------------------------------------------------
// argMax / argMin along one axis; removeDim drops it, except that a rank-1
// input gives shape [1] either way (as the format's example says). Indices
// come out as float32 values, the first index on ties.
class ArgReduce final : public Op {
 public:
  ArgReduce(const spec::NeuralNetworkLayer& layer, bool arg_max, int64_t axis, bool remove_dim,
            const LowerContext& ctx)
      : arg_max_(arg_max), axis_(axis), remove_dim_(remove_dim) {
    check_input_names(layer, 1, 1);
    if (ctx.rank5) {
      if (remove_dim_) unsupported("removeDim = true in a rank-5 network (blobs stay rank 5)");
      batch_independent_ = normalize_axis(axis_, 5, "axis") != 1;
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    Shape s = inputs[0];
    const int axis = normalize_axis(axis_, s.rank(), "axis");
    require_shape(s[axis] > 0, "input has shape " + s.str() +
                                   "; cannot take the index along "
                                   "the empty axis " +
                                   str(axis));
    if (remove_dim_ && s.rank() > 1)
      s.erase(axis);
    else
      s[axis] = 1;
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    ref::arg_reduce(ctx.threads, arg_max_, inputs[0].data, s,
                    normalize_axis(axis_, s.rank(), "axis"), outputs[0].data);
  }

  bool batch_independent() const override { return batch_independent_; }

 private:
  bool arg_max_;
  int64_t axis_;
  bool remove_dim_;
  bool batch_independent_ = true;
};

std::unique_ptr<Op> lower_arg_max(const spec::NeuralNetworkLayer& l, const LowerContext& ctx) {
  return std::make_unique<ArgReduce>(l, true, l.argmax().axis(), l.argmax().removedim(), ctx);
}
std::unique_ptr<Op> lower_arg_min(const spec::NeuralNetworkLayer& l, const LowerContext& ctx) {
  return std::make_unique<ArgReduce>(l, false, l.argmin().axis(), l.argmin().removedim(), ctx);
}

// ---------------------------------------------------------------------------
// cumSum along `axis`, or along the axis a second input holds (a single
// value, which then takes the place of the parameter). excludeFinalSum gives
// the exclusive scan; reverse runs it from the end.
class CumSum final : public Op {
 public:
  CumSum(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
    check_input_names(layer, 1, 2);
    const auto& p = layer.cumsum();
    axis_ = p.axis();
    params_.exclusive = p.excludefinalsum();
    params_.reverse = p.reverse();
    axis_input_ = layer.input_size() == 2;
    // A rank-5 network's Batch axis is 1; an axis known only at run time may be it.
    if (ctx.rank5) batch_independent_ = !axis_input_ && normalize_axis(axis_, 5, "axis") != 1;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, axis_input_ ? 2 : 1, axis_input_ ? 2 : 1);
    const Shape& s = inputs[0];
    require_shape(s.rank() >= 1, "input is a scalar; expected rank >= 1");
    if (axis_input_)
      require_shape(inputs[1].count() == 1, "input 1 (the axis) has shape " + inputs[1].str() +
                                                "; expected a single value");
    else
      normalize_axis(axis_, s.rank(), "axis");
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    ref::CumSumParams p = params_;
    if (axis_input_) {
      const float v = inputs[1].data[0];
      const int rank = s.rank();
      if (!(v == std::floor(v) && v >= -rank && v < rank))  // also false for NaN
        throw Error(ErrorCode::kInvalidInput, "input 1 gives axis " + std::to_string(v) +
                                                  "; expected an integer in [" + str(-rank) + ", " +
                                                  str(rank) + ")");
      p.axis = normalize_axis(static_cast<int64_t>(v), rank, "input 1 (axis)");
    } else {
      p.axis = normalize_axis(axis_, s.rank(), "axis");
    }
    ref::cum_sum(ctx.threads, p, inputs[0].data, s, outputs[0].data);
  }

  bool batch_independent() const override { return batch_independent_; }

 private:
  int64_t axis_ = 0;
  ref::CumSumParams params_;
  bool axis_input_ = false;
  bool batch_independent_ = true;
};

std::unique_ptr<Op> lower_cum_sum(const spec::NeuralNetworkLayer& l, const LowerContext& ctx) {
  return std::make_unique<CumSum>(l, ctx);
}

}  // namespace

void register_reduce_layers(LayerRegistry& r) {
  using L = spec::NeuralNetworkLayer;
  r.add(L::kReduce, &lower_reduce);
  for (auto kind :
       {L::kReduceSum, L::kReduceMean, L::kReduceProd, L::kReduceMax, L::kReduceMin, L::kReduceL1,
        L::kReduceL2, L::kReduceLogSum, L::kReduceSumSquare, L::kReduceLogSumExp})
    r.add(kind, &lower_reduce_nd);
  r.add(L::kArgMax, &lower_arg_max);
  r.add(L::kArgMin, &lower_arg_min);
  r.add(L::kCumSum, &lower_cum_sum);
}

}  // namespace morel::graph
