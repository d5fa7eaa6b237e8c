// Layer family: padding. padding (legacy: the last two axes, constant /
// reflection / replication) and constantPad (N-d, constant).
#include "kernels/reference/padding.h"
#include "graph/layer_registry.h"
#include "graph/layer_util.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// ---------------------------------------------------------------------------
// padding: pads axes -2 (H) and -1 (W) by paddingAmounts [H, W].
class PaddingOp final : public Op {
 public:
  PaddingOp(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
    require_one_output(layer);
    require(layer.input_size() == 1, "expects 1 input, got " + str(layer.input_size()));
    const auto& p = layer.padding();
    switch (p.PaddingType_case()) {
      case spec::PaddingLayerParams::kConstant:
        pad_.mode = ref::PadMode::kConstant;
        pad_.value = p.constant().value();
        break;
      case spec::PaddingLayerParams::kReflection: pad_.mode = ref::PadMode::kReflect; break;
      case spec::PaddingLayerParams::kReplication: pad_.mode = ref::PadMode::kReplicate; break;
      default: require(false, "padding type (constant, reflection or replication) is not set");
    }
    const auto& b = p.paddingamounts().borderamounts();
    require(b.size() == 2,
            "paddingAmounts.borderAmounts has " + str(b.size()) + " entries; expected 2 ([H, W])");
    pad_.top = param_size(b[0].startedgesize(), "paddingAmounts[H].startEdgeSize");
    pad_.bottom = param_size(b[0].endedgesize(), "paddingAmounts[H].endEdgeSize");
    pad_.left = param_size(b[1].startedgesize(), "paddingAmounts[W].startEdgeSize");
    pad_.right = param_size(b[1].endedgesize(), "paddingAmounts[W].endEdgeSize");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_shape(x.rank() >= 3, "input has rank " + str(x.rank()) +
                                     "; padding needs rank >= 3 (axes -3, -2, -1 = C, H, W)");
    const int64_t h = x.dim(-2), w = x.dim(-1);
    if (pad_.mode == ref::PadMode::kReflect) {
      // Reflection mirrors interior elements, so each amount must leave one
      // to mirror around: at most size - 1.
      require_shape(pad_.top < h && pad_.bottom < h,
                    "reflection padding of " + str(std::max(pad_.top, pad_.bottom)) +
                        " rows needs input height > the amount; height is " + str(h));
      require_shape(pad_.left < w && pad_.right < w,
                    "reflection padding of " + str(std::max(pad_.left, pad_.right)) +
                        " columns needs input width > the amount; width is " + str(w));
    }
    Shape out = x;
    out.dim(-2) = h + pad_.top + pad_.bottom;
    out.dim(-1) = w + pad_.left + pad_.right;
    require_plannable(out);
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int64_t h = x.dim(-2), w = x.dim(-1);
    ref::pad_2d(pad_, inputs[0].data, x.count(0, x.rank() - 2), h, w, outputs[0].data, ctx.threads);
  }

 private:
  ref::Pad2d pad_;
};

// ---------------------------------------------------------------------------
// constantPad: padAmounts holds (before, after) pairs, one per axis. With
// padToGivenOutputSizeMode, the nonzero entry of a pair is instead the size
// that axis should reach (no padding if it is already that large).
class ConstantPadOp final : public Op {
 public:
  ConstantPadOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_one_output(layer);
    const int n = layer.input_size();
    require(n == 1 || n == 2, "expects 1 or 2 inputs, got " + str(n));
    if (n == 2)
      unsupported(
          "constantPad with the padding amounts in a second input: the output shape "
          "would depend on input values");
    const auto& p = layer.constantpad();
    value_ = p.value();
    to_size_ = p.padtogivenoutputsizemode();
    const int len = p.padamounts_size();
    require(len > 0 && len % 2 == 0 && len <= 2 * kMaxRank,
            "padAmounts has " + str(len) + " values; expected 2 per input axis");
    for (int i = 0; i < len; ++i)
      amounts_.push_back(param_size(p.padamounts(i), "padAmounts[" + str(i) + "]"));
    if (to_size_)
      for (int i = 0; i < len; i += 2)
        require(amounts_[i] == 0 || amounts_[i + 1] == 0,
                "padToGivenOutputSizeMode: padAmounts[" + str(i) + "] and padAmounts[" +
                    str(i + 1) + "] are both nonzero; at most one of a pair may give the size");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    ref::ConstantPadNd p = plan(inputs[0]);
    require_plannable(p.output);
    return {p.output};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::constant_pad_nd(plan(inputs[0].shape), inputs[0].data, outputs[0].data, ctx.threads);
  }

  // An N-d layer; in a rank-5 network it may pad the Batch axis.
  bool batch_independent() const override { return !rank5_; }

 private:
  ref::ConstantPadNd plan(const Shape& x) const {
    const int r = x.rank();
    require_shape(int64_t(amounts_.size()) == 2 * int64_t(r),
                  "padAmounts has " + str(int64_t(amounts_.size())) +
                      " values; expected 2 x rank " + str(r) + " = " + str(2 * r));
    ref::ConstantPadNd p;
    p.input = x;
    p.output = x;
    p.value = value_;
    for (int a = 0; a < r; ++a) {
      int64_t before = amounts_[2 * a], after = amounts_[2 * a + 1];
      if (to_size_) {
        // The nonzero entry is the target size; its position says on which
        // side the padding goes (first entry: before the data, second: after).
        before = before > x[a] ? before - x[a] : 0;
        after = after > x[a] ? after - x[a] : 0;
      }
      p.before[a] = before;
      p.output[a] = x[a] + before + after;
    }
    return p;
  }

  bool rank5_;
  float value_ = 0.f;
  bool to_size_ = false;
  std::vector<int64_t> amounts_;
};

}  // namespace

void register_padding_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kPadding, &make_op<PaddingOp>);
  r.add(spec::NeuralNetworkLayer::kConstantPad, &make_op<ConstantPadOp>);
}

}  // namespace morel::graph
