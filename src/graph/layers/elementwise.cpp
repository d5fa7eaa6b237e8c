// Layer family: elementwise.
//
// Legacy (spec 1-3) multi-input maps with limited broadcasting: add,
// multiply, average, max, min; the dot product; scale and bias with their
// own weights. N-d (spec >= 4) maps with NumPy broadcasting: the arithmetic
// *Broadcastable layers, the comparisons, the logical layers and
// whereBroadcastable.
#include <memory>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/elementwise.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/binary.h"
#endif

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using ref::BinaryOp;

// Fails lowering unless the layer names between min and max inputs
// (max < 0: no upper bound).
void check_input_names(const spec::NeuralNetworkLayer& layer, int min, int max) {
  const int n = layer.input_size();
  if (n >= min && (max < 0 || n <= max)) return;
  std::string want = max < 0      ? str(min) + " or more"
                     : min == max ? str(min)
                                  : str(min) + " to " + str(max);
  require(false, "expects " + want + " input(s), got " + str(n));
}

// Dimension `from_end` places from the end of `s` (1 = last); 1 where `s`
// has fewer axes.
int64_t dim_from_end(const Shape& s, int from_end) {
  const int i = s.rank() - from_end;
  return i >= 0 ? s[i] : 1;
}

// NumPy broadcast of all the shapes (throws kInvalidInput naming the pair).
Shape broadcast_all(std::span<const Shape> shapes) {
  Shape out = shapes[0];
  for (size_t k = 1; k < shapes.size(); ++k) out = broadcast_shapes(out, shapes[k]);
  return out;
}

// The optimized kernel of out = a op b (or a op scalar), over the shapes as
// stored (channels-last ones permuted), when the op and the broadcast are
// ones it has a fast loop for.
std::unique_ptr<OpPlan> prepare_binary(BinaryOp op, std::span<const Shape> inputs, const Shape& out,
                                       bool channels_last, std::optional<float> scalar) {
#if defined(MOREL_WITH_DNNL)
  auto stored = [&](const Shape& s) { return channels_last ? channels_last_shape(s) : s; };
  if (scalar) return kernels::cpu::prepare_binary_scalar(op, *scalar, out.count());
  if (inputs.size() != 2) return nullptr;
  return kernels::cpu::prepare_binary(op, stored(inputs[0]), stored(inputs[1]), stored(out));
#else
  (void)op, (void)inputs, (void)out, (void)channels_last, (void)scalar;
  return nullptr;
#endif
}

bool run_prepared(const RunContext& ctx, std::span<const ConstTensorView> inputs,
                  std::span<const TensorView> outputs) {
#if defined(MOREL_WITH_DNNL)
  return kernels::cpu::run_prepared(ctx, inputs, outputs);
#else
  (void)ctx, (void)inputs, (void)outputs;
  return false;
#endif
}

// ---------------------------------------------------------------------------
// Legacy add / multiply / average / max / min.
//
// The format allows "only certain shapes" to broadcast and lists, by way of
// example, [B,1,1,1], [B,C,1,1], [B,1,H,W] and [B,C,H,W]. We read that as:
// over the last three axes (C, H, W) each input is [1,1,1], [C,1,1], [1,H,W]
// or [C,H,W] of the output, and every leading (batch / sequence) axis either
// matches or is 1 (a constant shared by all items). Anything else -- e.g. a
// [C,H,1] or [1,1,W] operand -- is rejected; those need the N-d
// *Broadcastable layers. Max and min list fewer examples; we apply the same
// rule to all five. The output is the broadcast of all inputs (the doc's
// "shape of the (first) input" when, as usual, that input is the full one).
// Inputs of rank < 3 (N-d networks) count as having leading 1s.
enum class LegacyKind { kAdd, kMultiply, kAverage, kMax, kMin };

class LegacyElementwise final : public Op {
 public:
  LegacyElementwise(const spec::NeuralNetworkLayer& layer, LegacyKind kind) : kind_(kind) {
    const bool scalar_form = kind == LegacyKind::kAdd || kind == LegacyKind::kMultiply;
    // add and multiply take one input (then alpha is the other operand);
    // average, max and min need at least two.
    check_input_names(layer, scalar_form ? 1 : 2, -1);
    if (kind == LegacyKind::kAdd) alpha_ = layer.add().alpha();
    if (kind == LegacyKind::kMultiply) alpha_ = layer.multiply().alpha();
    single_ = layer.input_size() == 1;
    inputs_ = layer.input_size();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, single_ ? 1 : 2, single_ ? 1 : 1024);
    if (single_) return {inputs[0]};
    Shape out = broadcast_all(inputs);
    for (size_t k = 0; k < inputs.size(); ++k) {
      const Shape& in = inputs[k];
      const int64_t c = dim_from_end(in, 3), h = dim_from_end(in, 2), w = dim_from_end(in, 1);
      const int64_t C = dim_from_end(out, 3), H = dim_from_end(out, 2), W = dim_from_end(out, 1);
      const bool c_ok = c == C || c == 1;
      const bool hw_ok = (h == H && w == W) || (h == 1 && w == 1);
      require_shape(c_ok && hw_ok, "input " + str(int64_t(k)) + " has shape " + in.str() +
                                       ", which this layer cannot broadcast to " + out.str() +
                                       ": over [C, H, W] an input must be [1, 1, 1], [C, 1, "
                                       "1], [1, H, W] or [C, H, W]");
    }
    return {out};
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
    if (single_)
      return prepare_binary(kind_ == LegacyKind::kAdd ? BinaryOp::kAdd : BinaryOp::kMultiply,
                            inputs, outputs[0], channels_last_, alpha_);
    if (inputs.size() != 2 || kind_ == LegacyKind::kAverage) return nullptr;
    return prepare_binary(binary_op(), inputs, outputs[0], channels_last_, std::nullopt);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    if (run_prepared(ctx, inputs, outputs)) return;
    const TensorView& out = outputs[0];
    if (single_) {
      ref::binary_scalar(ctx.threads,
                         kind_ == LegacyKind::kAdd ? BinaryOp::kAdd : BinaryOp::kMultiply,
                         inputs[0].data, alpha_, out.data, out.count());
      return;
    }
    const BinaryOp op = binary_op();
    // Fold the inputs into the output, left to right.
    ref::broadcast_copy(ctx.threads, inputs[0].data, inputs[0].shape, out.data, out.shape);
    for (size_t k = 1; k < inputs.size(); ++k)
      ref::binary_broadcast(ctx.threads, op, out.data, out.shape, inputs[k].data, inputs[k].shape,
                            out.data, out.shape);
    if (kind_ == LegacyKind::kAverage)
      ref::binary_scalar(ctx.threads, BinaryOp::kDivide, out.data, float(inputs.size()), out.data,
                         out.count());
  }

  bool in_place() const override { return single_; }

  BinaryKind as_binary() const override {
    if (inputs_ != 2) return BinaryKind::kNone;
    if (kind_ == LegacyKind::kAdd) return BinaryKind::kAdd;
    if (kind_ == LegacyKind::kMultiply) return BinaryKind::kMultiply;
    return BinaryKind::kNone;
  }
  // Element-wise over broadcast shapes: the same on the channels-last order.
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  // The map folding the inputs together (average: add, then divide).
  BinaryOp binary_op() const {
    if (kind_ == LegacyKind::kMultiply) return BinaryOp::kMultiply;
    if (kind_ == LegacyKind::kMax) return BinaryOp::kMax;
    if (kind_ == LegacyKind::kMin) return BinaryOp::kMin;
    return BinaryOp::kAdd;
  }

  bool channels_last_ = false;  // only for prepare(): run() gets the stored shapes
  LegacyKind kind_;
  float alpha_ = 0;
  bool single_ = false;
  int inputs_ = 0;
};

std::unique_ptr<Op> lower_add(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyElementwise>(l, LegacyKind::kAdd);
}
std::unique_ptr<Op> lower_multiply(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyElementwise>(l, LegacyKind::kMultiply);
}
std::unique_ptr<Op> lower_average(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyElementwise>(l, LegacyKind::kAverage);
}
std::unique_ptr<Op> lower_max(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyElementwise>(l, LegacyKind::kMax);
}
std::unique_ptr<Op> lower_min(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LegacyElementwise>(l, LegacyKind::kMin);
}

// ---------------------------------------------------------------------------
// Legacy dot product: two [.., C, 1, 1] inputs give [.., 1, 1, 1].
// Leading axes broadcast like the other legacy layers (equal or 1).
class DotProduct final : public Op {
 public:
  explicit DotProduct(const spec::NeuralNetworkLayer& layer)
      : cosine_(layer.dot().cosinesimilarity()) {
    check_input_names(layer, 2, 2);
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    for (int k = 0; k < 2; ++k) {
      const Shape& s = inputs[k];
      require_shape(s.rank() >= 3 && s.dim(-1) == 1 && s.dim(-2) == 1,
                    "input " + str(k) + " has shape " + s.str() +
                        "; expected rank >= 3 with the last two dimensions 1 ([.., C, 1, 1])");
    }
    require_shape(inputs[0].dim(-3) == inputs[1].dim(-3),
                  "inputs have " + str(inputs[0].dim(-3)) + " and " + str(inputs[1].dim(-3)) +
                      " channels; expected equal vector lengths");
    Shape out = broadcast_shapes(lead(inputs[0]), lead(inputs[1]));
    for (int i = 0; i < 3; ++i) out.push_back(1);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    Shape out_lead = outputs[0].shape;
    out_lead.resize(out_lead.rank() - 3);
    ref::dot(ctx.threads, cosine_, inputs[0].shape.dim(-3), inputs[0].data, lead(inputs[0].shape),
             inputs[1].data, lead(inputs[1].shape), outputs[0].data, out_lead);
  }

 private:
  // The leading (batch) axes: all but the last three.
  static Shape lead(Shape s) {
    s.resize(s.rank() - 3);
    return s;
  }
  bool cosine_;
};

std::unique_ptr<Op> lower_dot(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<DotProduct>(l);
}

// ---------------------------------------------------------------------------
// Legacy scale and bias: weights of shape [1], [C], [1, H, W] or [C, H, W]
// against inputs of rank >= 3 whose last three axes are [C, H, W] (the
// leading axes are independent items).

// One such weight array.
struct ChannelWeights {
  std::vector<int64_t> dims;  // as declared: length 1 or 3
  std::vector<float> values;
  ref::ChannelBroadcast layout;
  std::string field;  // "shapeScale", "shapeBias", "shape"

  bool empty() const { return values.empty(); }

  // Parses the declared shape and decodes the weights.
  ChannelWeights(const google::protobuf::RepeatedField<uint64_t>& shape,
                 const spec::WeightParams& w, const std::string& shape_field,
                 const std::string& weights_field)
      : field(shape_field) {
    require(shape.size() == 1 || shape.size() == 3,
            shape_field + " has " + str(shape.size()) +
                " values; expected 1 ([1] or [C]) or 3 ([1, H, W] or [C, H, W])");
    int64_t count = 1;
    for (uint64_t d : shape) {
      // Weights beyond 2^31 values cannot be real; the cap also keeps the
      // product from overflowing.
      require(d >= 1 && d <= (uint64_t(1) << 31),
              shape_field + " has a dimension of " + std::to_string(d) + "; expected 1 to 2^31");
      count *= int64_t(d);
      require(count <= (int64_t(1) << 31), shape_field + " holds more than 2^31 values");
      dims.push_back(int64_t(d));
    }
    values = weights(w, count, weights_field);
    layout.per_channel = dims[0] != 1;
    layout.per_spatial = dims.size() == 3;
  }

  // Throws unless the declared shape fits an input whose last axes are C, H, W.
  void check_fits(int64_t C, int64_t H, int64_t W) const {
    if (dims.size() == 1) {
      require_shape(dims[0] == 1 || dims[0] == C,
                    field + " is [" + str(dims[0]) + "] but the input has " + str(C) +
                        " channels; expected [1] or [" + str(C) + "]");
    } else {
      require_shape((dims[0] == 1 || dims[0] == C) && dims[1] == H && dims[2] == W,
                    field + " is [" + str(dims[0]) + ", " + str(dims[1]) + ", " + str(dims[2]) +
                        "] but the input's [C, H, W] is [" + str(C) + ", " + str(H) + ", " +
                        str(W) + "]; expected [1, H, W] or [C, H, W]");
    }
  }
};

class ScaleBias final : public Op {
 public:
  // The scale layer: scale, and a bias when hasBias.
  static std::unique_ptr<Op> scale(const spec::NeuralNetworkLayer& layer) {
    const auto& p = layer.scale();
    auto op = std::unique_ptr<ScaleBias>(new ScaleBias(layer));
    op->scale_ = std::make_unique<ChannelWeights>(p.shapescale(), p.scale(), "shapeScale", "scale");
    if (p.hasbias())
      op->bias_ = std::make_unique<ChannelWeights>(p.shapebias(), p.bias(), "shapeBias", "bias");
    return op;
  }
  // The bias layer.
  static std::unique_ptr<Op> bias(const spec::NeuralNetworkLayer& layer) {
    const auto& p = layer.bias();
    auto op = std::unique_ptr<ScaleBias>(new ScaleBias(layer));
    op->bias_ = std::make_unique<ChannelWeights>(p.shape(), p.bias(), "shape", "bias");
    return op;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    require_shape(s.rank() >= 3,
                  "input has shape " + s.str() + "; expected rank >= 3 ([.., C, H, W])");
    if (scale_) scale_->check_fits(s.dim(-3), s.dim(-2), s.dim(-1));
    if (bias_) bias_->check_fits(s.dim(-3), s.dim(-2), s.dim(-1));
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    ref::ScaleBiasParams p;
    p.items = s.count(0, s.rank() - 3);
    p.channels = s.dim(-3);
    p.spatial = s.dim(-2) * s.dim(-1);
    if (channels_last_) {  // [items, H*W, C] with per-channel weights only
      p.items *= p.spatial;
      p.spatial = 1;
    }
    if (scale_) p.scale = scale_->values.data(), p.scale_layout = scale_->layout;
    if (bias_) p.bias = bias_->values.data(), p.bias_layout = bias_->layout;
    ref::scale_bias(ctx.threads, p, inputs[0].data, outputs[0].data);
  }

  bool in_place() const override { return true; }

  // Weights of shape [1] or [C] make a per-channel affine map.
  std::optional<ChannelAffine> as_channel_affine() const override {
    if (!per_channel_only()) return std::nullopt;
    ChannelAffine a;
    a.scale = scale_ ? scale_->values : std::vector<float>{1.f};
    a.shift = bias_ ? bias_->values : std::vector<float>{0.f};
    return a;
  }
  LayoutSupport layout_support() const override {
    return per_channel_only() ? LayoutSupport::kNative : LayoutSupport::kNone;
  }
  void set_channels_last() override { channels_last_ = true; }

 private:
  explicit ScaleBias(const spec::NeuralNetworkLayer& layer) { check_input_names(layer, 1, 1); }
  bool per_channel_only() const {
    return (!scale_ || !scale_->layout.per_spatial) && (!bias_ || !bias_->layout.per_spatial);
  }
  std::unique_ptr<ChannelWeights> scale_, bias_;
  bool channels_last_ = false;  // only without per-spatial weights
};

std::unique_ptr<Op> lower_scale(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return ScaleBias::scale(l);
}
std::unique_ptr<Op> lower_bias(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return ScaleBias::bias(l);
}

// ---------------------------------------------------------------------------
// N-d binary maps with NumPy broadcasting. The comparisons also take a
// single input, compared against the scalar alpha.
class BroadcastBinary final : public Op {
 public:
  BroadcastBinary(const spec::NeuralNetworkLayer& layer, BinaryOp op, bool alpha_form, float alpha)
      : op_(op), alpha_(alpha) {
    check_input_names(layer, alpha_form ? 1 : 2, 2);
    single_ = layer.input_size() == 1;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, single_ ? 1 : 2, single_ ? 1 : 2);
    if (single_) return {inputs[0]};
    return {broadcast_shapes(inputs[0], inputs[1])};
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
    return prepare_binary(op_, inputs, outputs[0], channels_last_,
                          single_ ? std::optional<float>(alpha_) : std::nullopt);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    if (run_prepared(ctx, inputs, outputs)) return;
    const TensorView& out = outputs[0];
    if (single_) {
      ref::binary_scalar(ctx.threads, op_, inputs[0].data, alpha_, out.data, out.count());
      return;
    }
    ref::binary_broadcast(ctx.threads, op_, inputs[0].data, inputs[0].shape, inputs[1].data,
                          inputs[1].shape, out.data, out.shape);
  }

  bool in_place() const override { return single_; }

  BinaryKind as_binary() const override {
    if (single_) return BinaryKind::kNone;
    if (op_ == BinaryOp::kAdd) return BinaryKind::kAdd;
    if (op_ == BinaryOp::kMultiply) return BinaryKind::kMultiply;
    return BinaryKind::kNone;
  }
  // Element-wise over broadcast shapes: the same on the channels-last order.
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  bool channels_last_ = false;  // only for prepare(): run() gets the stored shapes
  BinaryOp op_;
  float alpha_;
  bool single_ = false;
};

template <BinaryOp kOp>
std::unique_ptr<Op> lower_arithmetic(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, kOp, false, 0.f);
}

std::unique_ptr<Op> lower_equal(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kEqual, true, l.equal().alpha());
}
std::unique_ptr<Op> lower_not_equal(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kNotEqual, true, l.notequal().alpha());
}
std::unique_ptr<Op> lower_less_than(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kLess, true, l.lessthan().alpha());
}
std::unique_ptr<Op> lower_less_equal(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kLessEqual, true, l.lessequal().alpha());
}
std::unique_ptr<Op> lower_greater_than(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kGreater, true, l.greaterthan().alpha());
}
std::unique_ptr<Op> lower_greater_equal(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<BroadcastBinary>(l, BinaryOp::kGreaterEqual, true,
                                           l.greaterequal().alpha());
}

// ---------------------------------------------------------------------------
// logicalNot: one input.
class LogicalNot final : public Op {
 public:
  explicit LogicalNot(const spec::NeuralNetworkLayer& layer) { check_input_names(layer, 1, 1); }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {inputs[0]};
  }
  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::logical_not(ctx.threads, inputs[0].data, outputs[0].data, outputs[0].count());
  }
  bool in_place() const override { return true; }
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }
};

std::unique_ptr<Op> lower_logical_not(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<LogicalNot>(l);
}

// ---------------------------------------------------------------------------
// whereBroadcastable: (condition, x, y), all three broadcast together;
// x where condition is nonzero, else y.
class Where final : public Op {
 public:
  explicit Where(const spec::NeuralNetworkLayer& layer) { check_input_names(layer, 3, 3); }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 3, 3);
    return {broadcast_all(inputs)};
  }
  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::where_broadcast(ctx.threads, inputs[0].data, inputs[0].shape, inputs[1].data,
                         inputs[1].shape, inputs[2].data, inputs[2].shape, outputs[0].data,
                         outputs[0].shape);
  }
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }
};

std::unique_ptr<Op> lower_where(const spec::NeuralNetworkLayer& l, const LowerContext&) {
  return std::make_unique<Where>(l);
}

}  // namespace

void register_elementwise_layers(LayerRegistry& r) {
  using L = spec::NeuralNetworkLayer;
  // Legacy.
  r.add(L::kAdd, &lower_add);
  r.add(L::kMultiply, &lower_multiply);
  r.add(L::kAverage, &lower_average);
  r.add(L::kMax, &lower_max);
  r.add(L::kMin, &lower_min);
  r.add(L::kDot, &lower_dot);
  r.add(L::kScale, &lower_scale);
  r.add(L::kBias, &lower_bias);
  // N-d arithmetic.
  r.add(L::kAddBroadcastable, &lower_arithmetic<BinaryOp::kAdd>);
  r.add(L::kSubtractBroadcastable, &lower_arithmetic<BinaryOp::kSubtract>);
  r.add(L::kMultiplyBroadcastable, &lower_arithmetic<BinaryOp::kMultiply>);
  r.add(L::kDivideBroadcastable, &lower_arithmetic<BinaryOp::kDivide>);
  r.add(L::kMaxBroadcastable, &lower_arithmetic<BinaryOp::kMax>);
  r.add(L::kMinBroadcastable, &lower_arithmetic<BinaryOp::kMin>);
  r.add(L::kPowBroadcastable, &lower_arithmetic<BinaryOp::kPow>);
  r.add(L::kModBroadcastable, &lower_arithmetic<BinaryOp::kMod>);
  r.add(L::kFloorDivBroadcastable, &lower_arithmetic<BinaryOp::kFloorDiv>);
  // Comparisons.
  r.add(L::kEqual, &lower_equal);
  r.add(L::kNotEqual, &lower_not_equal);
  r.add(L::kLessThan, &lower_less_than);
  r.add(L::kLessEqual, &lower_less_equal);
  r.add(L::kGreaterThan, &lower_greater_than);
  r.add(L::kGreaterEqual, &lower_greater_equal);
  // Logical.
  r.add(L::kLogicalAnd, &lower_arithmetic<BinaryOp::kAnd>);
  r.add(L::kLogicalOr, &lower_arithmetic<BinaryOp::kOr>);
  r.add(L::kLogicalXor, &lower_arithmetic<BinaryOp::kXor>);
  r.add(L::kLogicalNot, &lower_logical_not);
  r.add(L::kWhereBroadcastable, &lower_where);
}

}  // namespace morel::graph
