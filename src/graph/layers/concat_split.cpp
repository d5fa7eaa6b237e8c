// Layer family: concat_split. Joining tensors along an axis and cutting one
// apart:
//   legacy: concat (axis -3, or -5 with sequenceConcat), split (axis -3);
//   N-d (spec >= 4): concatND (any axis, optional interleave), splitND,
//   stack (a new axis).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/concat_split.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using spec::NeuralNetworkLayer;

// Element counts a layer parameter may produce: far above any real tensor,
// far below int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

void require_nd(const LowerContext& ctx, const std::string& kind) {
  require(!ctx.rank5, kind +
                          " is an N-d layer (spec >= 4) and needs EXACT_ARRAY_MAPPING; this "
                          "network maps arrays to rank 5");
}

// Concatenating layers take two or more inputs.
void require_several(std::span<const Shape> inputs) {
  require(inputs.size() >= 2, "expects at least 2 inputs, got " + str(int64_t(inputs.size())));
}

ref::AxisSplit around(const Shape& s, int axis) {
  return {s.count(0, axis), s.count(axis + 1, s.rank())};
}

// `axis` of a tensor of shape `s` as stored: channels-last data (see
// graph/layout.h) is joined or cut along the stored position of the axis.
ref::AxisSplit stored_split(const Shape& s, int axis, bool channels_last) {
  if (!channels_last || s.rank() < 3) return around(s, axis);
  return around(channels_last_shape(s), channels_last_axis(axis, s.rank()));
}

void run_split(const RunContext& ctx, const ConstTensorView& in,
               std::span<const TensorView> outputs, int axis, bool channels_last) {
  std::vector<float*> data;
  std::vector<int64_t> sizes;
  for (const TensorView& t : outputs) {
    data.push_back(t.data);
    sizes.push_back(t.shape[axis]);
  }
  ref::split(stored_split(in.shape, axis, channels_last), in.data, sizes, data, ctx.threads);
}

// ---------------------------------------------------------------------------
// concat (legacy): two or more inputs of equal rank, joined along axis -3
// (rank >= 3), or along the sequence axis -5 (rank >= 5) with sequenceConcat.
// Either way Batch items stay apart.
class ConcatOp : public Op {
 public:
  explicit ConcatOp(const spec::ConcatLayerParams& p) : axis_(p.sequenceconcat() ? -5 : -3) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_several(inputs);
    const int min_rank = -axis_;
    for (size_t i = 0; i < inputs.size(); ++i)
      require_shape(inputs[i].rank() >= min_rank, "input " + str(int64_t(i)) + " has shape " +
                                                      inputs[i].str() + "; concat" +
                                                      (axis_ == -5 ? " with sequenceConcat" : "") +
                                                      " needs rank >= " + str(min_rank));
    return {concat_shape(inputs, inputs[0].rank() + axis_)};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    concat_values(inputs, outputs[0].shape.rank() + axis_, channels_last_, outputs[0].data,
                  ctx.threads);
  }

  std::optional<int64_t> as_concat() const override { return axis_; }

  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  int axis_;
  bool channels_last_ = false;
};

// ---------------------------------------------------------------------------
// split (legacy): axis -3 cut into nOutputs equal parts, one per layer output.
class SplitOp : public Op {
 public:
  SplitOp(const spec::SplitLayerParams& p, int layer_outputs) {
    require(p.noutputs() >= 1, "nOutputs = 0; expected at least 1");
    require(p.noutputs() == static_cast<uint64_t>(layer_outputs),
            "nOutputs = " + std::to_string(p.noutputs()) + " but the layer lists " +
                str(layer_outputs) + " outputs");
    parts_ = layer_outputs;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(in.rank() >= 3, "input has shape " + in.str() + "; split needs rank >= 3");
    const int64_t C = in.dim(-3);
    require_shape(C % parts_ == 0, "input " + in.str() + " has " + str(C) +
                                       " channels; not divisible into nOutputs = " + str(parts_) +
                                       " equal parts");
    Shape part = in;
    part.dim(-3) = C / parts_;
    return std::vector<Shape>(static_cast<size_t>(parts_), part);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    run_split(ctx, inputs[0], outputs, inputs[0].shape.rank() - 3, channels_last_);
  }

  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  int64_t parts_ = 1;
  bool channels_last_ = false;
};

// ---------------------------------------------------------------------------
// concatND: two or more inputs of equal rank joined along `axis` (negative
// counts from the end). With interleave (spec >= 5) the inputs must have
// equal shapes and their slices alternate: output slice k*n + i along the
// axis is slice k of input i (n inputs).
class ConcatNDOp : public Op {
 public:
  explicit ConcatNDOp(const spec::ConcatNDLayerParams& p)
      : axis_(p.axis()), interleave_(p.interleave()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_several(inputs);
    const int axis = normalize_axis(axis_, inputs[0].rank(), "axis");
    if (interleave_)
      for (size_t i = 1; i < inputs.size(); ++i)
        require_shape(inputs[i] == inputs[0], "input " + str(int64_t(i)) + " has shape " +
                                                  inputs[i].str() + "; input 0 has shape " +
                                                  inputs[0].str() +
                                                  " (interleave needs equal shapes)");
    return {concat_shape(inputs, axis)};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const int axis = normalize_axis(axis_, inputs[0].shape.rank(), "axis");
    if (!interleave_) {
      concat_values(inputs, axis, channels_last_, outputs[0].data, ctx.threads);
      return;
    }
    std::vector<const float*> data;
    for (const ConstTensorView& t : inputs) data.push_back(t.data);
    ref::concat_interleave(stored_split(inputs[0].shape, axis, channels_last_), data,
                           inputs[0].shape[axis], outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

  std::optional<int64_t> as_concat() const override {
    return interleave_ ? std::nullopt : std::optional<int64_t>(axis_);
  }

  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  int64_t axis_;
  bool interleave_;
  bool channels_last_ = false;
};

// ---------------------------------------------------------------------------
// splitND: `axis` cut into one part per layer output: sizes splitSizes when
// given (they take precedence), else numSplits equal parts.
class SplitNDOp : public Op {
 public:
  SplitNDOp(const spec::SplitNDLayerParams& p, int layer_outputs)
      : axis_(p.axis()), sizes_(p.splitsizes().begin(), p.splitsizes().end()) {
    const std::string outs = str(layer_outputs);
    if (!sizes_.empty()) {
      require(sizes_.size() == static_cast<size_t>(layer_outputs),
              "splitSizes has " + str(int64_t(sizes_.size())) + " values but the layer lists " +
                  outs + " outputs");
      for (size_t i = 0; i < sizes_.size(); ++i)
        require(sizes_[i] >= 1 && sizes_[i] <= static_cast<uint64_t>(kMaxElements),
                "splitSizes[" + str(int64_t(i)) + "] = " + std::to_string(sizes_[i]) +
                    "; expected a positive size");
    } else {
      require(p.numsplits() >= 1, "numSplits = 0 and splitSizes is empty; expected one of them");
      require(p.numsplits() == static_cast<uint64_t>(layer_outputs),
              "numSplits = " + std::to_string(p.numsplits()) + " but the layer lists " + outs +
                  " outputs");
    }
    parts_ = layer_outputs;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    const int axis = normalize_axis(axis_, in.rank(), "axis");
    const int64_t d = in[axis];
    std::vector<Shape> out(static_cast<size_t>(parts_), in);
    if (!sizes_.empty()) {
      int64_t total = 0;  // each size <= kMaxElements, so the sum cannot overflow early
      for (uint64_t s : sizes_)
        if (total <= kMaxElements) total += static_cast<int64_t>(s);
      require_shape(total == d, "splitSizes add up to " + str(total) + "; input " + in.str() +
                                    " has " + str(d) + " along axis " + str(axis));
      for (size_t i = 0; i < sizes_.size(); ++i) out[i][axis] = static_cast<int64_t>(sizes_[i]);
    } else {
      require_shape(d % parts_ == 0,
                    "input " + in.str() + " has " + str(d) + " along axis " + str(axis) +
                        "; not divisible into numSplits = " + str(parts_) + " equal parts");
      for (Shape& s : out) s[axis] = d / parts_;
    }
    return out;
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    run_split(ctx, inputs[0], outputs, normalize_axis(axis_, inputs[0].shape.rank(), "axis"),
              channels_last_);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  int64_t axis_;
  std::vector<uint64_t> sizes_;
  int64_t parts_ = 1;
  bool channels_last_ = false;
};

// ---------------------------------------------------------------------------
// stack: two or more equally shaped inputs joined along a new axis, which
// sits at `axis` of the output (rank + 1; negative counts from its end).
class StackOp : public Op {
 public:
  explicit StackOp(const spec::StackLayerParams& p) : axis_(p.axis()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_several(inputs);
    for (size_t i = 1; i < inputs.size(); ++i)
      require_shape(inputs[i] == inputs[0], "input " + str(int64_t(i)) + " has shape " +
                                                inputs[i].str() + "; input 0 has shape " +
                                                inputs[0].str() + " (stack needs equal shapes)");
    const int axis = normalize_axis(axis_, inputs[0].rank() + 1, "axis");
    Shape out = inputs[0];
    out.insert(axis, static_cast<int64_t>(inputs.size()));
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    // Stacking is concatenation along the new axis, each input contributing size 1.
    const int axis = normalize_axis(axis_, inputs[0].shape.rank() + 1, "axis");
    std::vector<const float*> data;
    for (const ConstTensorView& t : inputs) data.push_back(t.data);
    const std::vector<int64_t> sizes(inputs.size(), 1);
    ref::concat(around(outputs[0].shape, axis), data, sizes, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

 private:
  int64_t axis_;
};

// ---------------------------------------------------------------------------
std::unique_ptr<Op> lower_concat(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<ConcatOp>(layer.concat());
}
std::unique_ptr<Op> lower_split(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<SplitOp>(layer.split(), layer.output_size());
}
std::unique_ptr<Op> lower_concat_nd(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "concatND");
  return std::make_unique<ConcatNDOp>(layer.concatnd());
}
std::unique_ptr<Op> lower_split_nd(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "splitND");
  return std::make_unique<SplitNDOp>(layer.splitnd(), layer.output_size());
}
std::unique_ptr<Op> lower_stack(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "stack");
  return std::make_unique<StackOp>(layer.stack());
}

}  // namespace

void register_concat_split_layers(LayerRegistry& r) {
  r.add(NeuralNetworkLayer::kConcat, &lower_concat);
  r.add(NeuralNetworkLayer::kSplit, &lower_split);
  r.add(NeuralNetworkLayer::kConcatND, &lower_concat_nd);
  r.add(NeuralNetworkLayer::kSplitND, &lower_split_nd);
  r.add(NeuralNetworkLayer::kStack, &lower_stack);
}

}  // namespace morel::graph
