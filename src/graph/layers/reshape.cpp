// Layer family: reshape. Layers that give a tensor a new shape:
//   legacy (rank-5 era): reshape, flatten;
//   N-d (spec >= 4): copy, reshapeStatic, reshapeLike, rankPreservingReshape,
//   flattenTo2D, squeeze, expandDims, getShape.
// Apart from the legacy channel-last modes, none of them reorders the data:
// the output is the input's row-major values under a new shape.
#include <array>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/reshape.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using spec::NeuralNetworkLayer;

// Element counts a layer parameter may produce: far above any real tensor,
// far below int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

// a * b for sizes a, b >= 0, or -1 when it would exceed kMaxElements.
int64_t mul_sizes(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  if (a != 0 && b > kMaxElements / a) return -1;
  return a * b;
}

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + str(v[i]);
  return s + "]";
}

// The N-d layers (spec >= 4) cannot appear in a rank-5 network (the format's
// validator rejects RANK5_ARRAY_MAPPING when any of them is used).
void require_nd(const LowerContext& ctx, const std::string& kind) {
  require(!ctx.rank5, kind +
                          " is an N-d layer (spec >= 4) and needs EXACT_ARRAY_MAPPING; this "
                          "network maps arrays to rank 5");
}

// Shared by the layers that only relabel the shape: the output holds the
// input's values in the same row-major order, so output 0 may reuse input 0.
class ViewOp : public Op {
 public:
  void run(const RunContext&, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::copy(inputs[0].data, outputs[0].count(), outputs[0].data);
  }
  bool in_place() const override { return true; }
  bool is_reshape() const override { return true; }
};

// Resolves a reshape target against the input shape. Entries are positive
// sizes, at most one -1 (inferred from the element count) and, where
// `zero_keeps_dim`, 0 (keeps the input dimension at the same position).
// Entries are checked when the layer is lowered (check_target).
Shape resolve_target(const std::vector<int64_t>& target, const Shape& in, bool zero_keeps_dim) {
  Shape out;
  out.resize(static_cast<int>(target.size()));
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && zero_keeps_dim) d = in[static_cast<int>(i)];
    if (d == -1) {
      inferred = static_cast<int>(i);
      continue;
    }
    out[static_cast<int>(i)] = d;
    known = mul_sizes(known, d);
    require_shape(known >= 0, "targetShape " + list_str(target) + " has too many elements");
  }
  const int64_t count = in.count();
  if (inferred >= 0) {
    require_shape(known > 0 && count % known == 0, "targetShape " + list_str(target) +
                                                       " cannot hold the input's " + str(count) +
                                                       " elements (input shape " + in.str() + ")");
    out[inferred] = count / known;
  } else {
    require_shape(known == count, "targetShape " + list_str(target) + " has " + str(known) +
                                      " elements; the input (" + in.str() + ") has " + str(count));
  }
  return out;
}

// Lowering-time check of targetShape entries (see resolve_target).
std::vector<int64_t> check_target(const google::protobuf::RepeatedField<int64_t>& field,
                                  bool zero_keeps_dim, const std::string& kind) {
  std::vector<int64_t> target(field.begin(), field.end());
  require(!target.empty(), "targetShape is empty");
  require(static_cast<int>(target.size()) <= kMaxRank,
          "targetShape has " + str(int64_t(target.size())) + " values; at most " + str(kMaxRank) +
              " are supported");
  int minus_ones = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    const int64_t d = target[i];
    const std::string at = "targetShape[" + str(int64_t(i)) + "] = " + str(d);
    if (d == 0 && !zero_keeps_dim)
      // The format gives 0 no meaning here (coremltools never writes one):
      // refuse rather than guess between "keep the input dim" and "empty".
      unsupported(at + ": a 0 entry is not supported by " + kind);
    require(d >= -1, at + "; expected a positive size or -1");
    require(d <= kMaxElements, at + " is too large");
    if (d == -1) ++minus_ones;
  }
  require(minus_ones <= 1, "targetShape " + list_str(target) + " has " + str(minus_ones) +
                               " entries of -1; at most one can be inferred");
  return target;
}

// ---------------------------------------------------------------------------
// reshape (legacy): rank 5 [Seq, Batch, C, H, W] in and out. targetShape is
// [C, H, W] (sequence length kept) or [Seq, C, H, W]. Each Batch item is
// reshaped on its own, so stacking items along Batch stays valid.
class ReshapeOp : public Op {
 public:
  explicit ReshapeOp(const spec::ReshapeLayerParams& p) {
    const int n = p.targetshape_size();
    require(n == 3 || n == 4,
            "targetShape has " + str(n) + " values; expected 3 ([C, H, W]) or 4 ([Seq, C, H, W])");
    int64_t total = 1;
    for (int i = 0; i < n; ++i) {
      const int64_t d = p.targetshape(i);
      require(d > 0, "targetShape[" + str(i) + "] = " + str(d) + "; expected a positive size");
      total = mul_sizes(total, d);
      require(total >= 0, "targetShape has too many elements");
    }
    keep_seq_ = n == 3;
    out_seq_ = keep_seq_ ? 1 : p.targetshape(0);
    out_c_ = p.targetshape(n - 3);
    out_h_ = p.targetshape(n - 2);
    out_w_ = p.targetshape(n - 1);
    switch (p.mode()) {
      case spec::ReshapeLayerParams::CHANNEL_FIRST: channel_last_ = false; break;
      case spec::ReshapeLayerParams::CHANNEL_LAST: channel_last_ = true; break;
      default: unsupported("reshape mode " + str(p.mode()));
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(in.rank() == 5,
                  "input has shape " + in.str() + "; reshape needs rank 5 [Seq, Batch, C, H, W]");
    const int64_t seq = keep_seq_ ? in[0] : out_seq_;
    const Shape out{seq, in[1], out_c_, out_h_, out_w_};
    const int64_t out_step = out_c_ * out_h_ * out_w_;  // fits: checked when lowered
    if (keep_seq_) {
      require_shape(in.count(2, 5) == out_step,
                    "targetShape [C, H, W] holds " + str(out_step) + " values; input " + in.str() +
                        " has " + str(in.count(2, 5)) + " per sequence step (C*H*W)");
    } else {
      // Per Batch item: Seq*C*H*W values must fill Seq_out*C_out*H_out*W_out.
      const int64_t in_item = in[0] * in.count(2, 5);
      require_shape(in_item == mul_sizes(out_seq_, out_step),
                    "targetShape [Seq, C, H, W] holds " + str(out_seq_ * out_step) +
                        " values per Batch item; input " + in.str() + " has " + str(in_item) +
                        " (Seq*C*H*W)");
    }
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    ref::Rank5Reshape p;
    p.seq = in[0];
    p.batch = in[1];
    p.c = in[2];
    p.h = in[3];
    p.w = in[4];
    p.out_seq = outputs[0].shape[0];
    p.out_c = out_c_;
    p.out_h = out_h_;
    p.out_w = out_w_;
    p.channel_last = channel_last_;
    ref::reshape_rank5(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  bool keep_seq_ = true;
  bool channel_last_ = false;
  int64_t out_seq_ = 1, out_c_ = 1, out_h_ = 1, out_w_ = 1;
};

// ---------------------------------------------------------------------------
// flatten (legacy): rank >= 3, [..., C, H, W] -> [..., C*H*W, 1, 1]; the
// leading axes are independent items. CHANNEL_LAST takes each item in HWC order.
class FlattenOp : public Op {
 public:
  explicit FlattenOp(const spec::FlattenLayerParams& p) {
    switch (p.mode()) {
      case spec::FlattenLayerParams::CHANNEL_FIRST: channel_last_ = false; break;
      case spec::FlattenLayerParams::CHANNEL_LAST: channel_last_ = true; break;
      default: unsupported("flatten mode " + str(p.mode()));
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(in.rank() >= 3, "input has shape " + in.str() + "; flatten needs rank >= 3");
    Shape out = in;
    out.dim(-3) = in.count(in.rank() - 3, in.rank());
    out.dim(-2) = 1;
    out.dim(-1) = 1;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    if (!channel_last_) {
      ref::copy(inputs[0].data, in.count(), outputs[0].data);
      return;
    }
    ref::flatten_channel_last(in.count(0, in.rank() - 3), in.dim(-3), in.dim(-2), in.dim(-1),
                              inputs[0].data, outputs[0].data, ctx.threads);
  }

  bool in_place() const override { return !channel_last_; }

 private:
  bool channel_last_ = false;
};

// ---------------------------------------------------------------------------
// copy: the input unchanged (any rank; allowed in rank-5 networks too, where
// it moves nothing across items).
class CopyOp : public ViewOp {
 public:
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {inputs[0]};
  }
  bool is_identity() const override { return true; }
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }
};

// The N-d reshapes below do not know which axis, if any, is a batch of
// independent items, so they never claim batch independence.
class NdViewOp : public ViewOp {
 public:
  bool batch_independent() const override { return false; }
};

// reshapeStatic: output shape = targetShape (one -1 inferred).
class ReshapeStaticOp : public NdViewOp {
 public:
  explicit ReshapeStaticOp(const spec::ReshapeStaticLayerParams& p)
      : target_(check_target(p.targetshape(), false, "reshapeStatic")) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {resolve_target(target_, inputs[0], false)};
  }

 private:
  std::vector<int64_t> target_;
};

// rankPreservingReshape: targetShape has one entry per input axis; 0 keeps
// that input dimension, one -1 is inferred.
class RankPreservingReshapeOp : public NdViewOp {
 public:
  explicit RankPreservingReshapeOp(const spec::RankPreservingReshapeLayerParams& p)
      : target_(check_target(p.targetshape(), true, "rankPreservingReshape")) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(static_cast<int>(target_.size()) == in.rank(),
                  "targetShape has " + str(int64_t(target_.size())) + " values; the input (" +
                      in.str() + ") has rank " + str(in.rank()));
    return {resolve_target(target_, in, true)};
  }

 private:
  std::vector<int64_t> target_;
};

// reshapeLike: input 0 takes the shape of input 1 (whose values are unused).
class ReshapeLikeOp : public NdViewOp {
 public:
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    require_shape(inputs[0].count() == inputs[1].count(),
                  "input 0 (" + inputs[0].str() + ") has " + str(inputs[0].count()) +
                      " elements; the shape of input 1 (" + inputs[1].str() + ") holds " +
                      str(inputs[1].count()));
    return {inputs[1]};
  }
};

// flattenTo2D: [prod(dims[:axis]), prod(dims[axis:])], axis in [-rank, rank].
class FlattenTo2DOp : public NdViewOp {
 public:
  explicit FlattenTo2DOp(const spec::FlattenTo2DLayerParams& p) : axis_(p.axis()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    const int rank = in.rank();
    require(axis_ >= -rank && axis_ <= rank, "axis = " + str(axis_) + " is out of range for rank " +
                                                 str(rank) + " (expected " + str(-rank) + " to " +
                                                 str(rank) + ")");
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
    return {Shape{in.count(0, axis), in.count(axis, rank)}};
  }

 private:
  int64_t axis_;
};

// squeeze: removes the listed size-1 axes, or every size-1 axis with
// squeezeAll. The result keeps at least rank 1 (a [1] input stays [1]).
class SqueezeOp : public NdViewOp {
 public:
  explicit SqueezeOp(const spec::SqueezeLayerParams& p)
      : axes_(p.axes().begin(), p.axes().end()), all_(p.squeezeall()) {
    require(all_ || !axes_.empty(), "axes is empty and squeezeAll is false; nothing to squeeze");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    const int rank = in.rank();
    require_shape(rank >= 1, "input is a scalar; squeeze needs rank >= 1");
    std::array<bool, kMaxRank> drop{};
    if (all_) {
      // squeezeAll wins over axes (the listed axes are a subset of it anyway).
      for (int a = 0; a < rank; ++a) drop[a] = in[a] == 1;
    } else {
      for (size_t i = 0; i < axes_.size(); ++i) {
        const std::string field = "axes[" + str(int64_t(i)) + "]";
        const int a = normalize_axis(axes_[i], rank, field);
        require(!drop[a], field + " = " + str(axes_[i]) + " repeats axis " + str(a));
        require_shape(in[a] == 1, field + " = " + str(axes_[i]) + ": input " + in.str() +
                                      " has size " + str(in[a]) +
                                      " there; only size-1 axes can be removed");
        drop[a] = true;
      }
    }
    Shape out;
    for (int a = 0; a < rank; ++a)
      if (!drop[a]) out.push_back(in[a]);
    if (out.rank() == 0) out.push_back(1);
    return {out};
  }

 private:
  std::vector<int64_t> axes_;
  bool all_;
};

// expandDims: inserts size-1 axes so that they sit at the listed positions of
// the output (negative positions count from the output's end).
class ExpandDimsOp : public NdViewOp {
 public:
  explicit ExpandDimsOp(const spec::ExpandDimsLayerParams& p)
      : axes_(p.axes().begin(), p.axes().end()) {
    require(!axes_.empty(), "axes is empty; expected at least one axis to insert");
    require(static_cast<int>(axes_.size()) <= kMaxRank, "axes has " + str(int64_t(axes_.size())) +
                                                            " values; at most " + str(kMaxRank) +
                                                            " are supported");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    const int out_rank = in.rank() + static_cast<int>(axes_.size());
    if (out_rank > kMaxRank)
      unsupported("output rank " + str(out_rank) + " exceeds the supported maximum of " +
                  str(kMaxRank));
    std::array<bool, kMaxRank> inserted{};
    for (size_t i = 0; i < axes_.size(); ++i) {
      const std::string field = "axes[" + str(int64_t(i)) + "]";
      const int a = normalize_axis(axes_[i], out_rank, field);
      require(!inserted[a], field + " = " + str(axes_[i]) + " repeats output axis " + str(a));
      inserted[a] = true;
    }
    Shape out;
    int next = 0;
    for (int a = 0; a < out_rank; ++a) out.push_back(inserted[a] ? 1 : in[next++]);
    return {out};
  }

 private:
  std::vector<int64_t> axes_;
};

// getShape: a rank-1 tensor holding the input's dimensions (as float32).
class GetShapeOp : public Op {
 public:
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {Shape{inputs[0].rank()}};
  }
  void run(const RunContext&, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    for (int a = 0; a < in.rank(); ++a) outputs[0].data[a] = static_cast<float>(in[a]);
  }
  bool batch_independent() const override { return false; }
};

// ---------------------------------------------------------------------------
std::unique_ptr<Op> lower_reshape(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<ReshapeOp>(layer.reshape());
}
std::unique_ptr<Op> lower_flatten(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<FlattenOp>(layer.flatten());
}
std::unique_ptr<Op> lower_copy(const NeuralNetworkLayer&, const LowerContext&) {
  return std::make_unique<CopyOp>();
}
std::unique_ptr<Op> lower_reshape_static(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "reshapeStatic");
  return std::make_unique<ReshapeStaticOp>(layer.reshapestatic());
}
std::unique_ptr<Op> lower_rank_preserving_reshape(const NeuralNetworkLayer& layer,
                                                  const LowerContext& ctx) {
  require_nd(ctx, "rankPreservingReshape");
  return std::make_unique<RankPreservingReshapeOp>(layer.rankpreservingreshape());
}
std::unique_ptr<Op> lower_reshape_like(const NeuralNetworkLayer&, const LowerContext& ctx) {
  require_nd(ctx, "reshapeLike");
  return std::make_unique<ReshapeLikeOp>();
}
std::unique_ptr<Op> lower_flatten_to_2d(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "flattenTo2D");
  return std::make_unique<FlattenTo2DOp>(layer.flattento2d());
}
std::unique_ptr<Op> lower_squeeze(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "squeeze");
  return std::make_unique<SqueezeOp>(layer.squeeze());
}
std::unique_ptr<Op> lower_expand_dims(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "expandDims");
  return std::make_unique<ExpandDimsOp>(layer.expanddims());
}
std::unique_ptr<Op> lower_get_shape(const NeuralNetworkLayer&, const LowerContext& ctx) {
  require_nd(ctx, "getShape");
  return std::make_unique<GetShapeOp>();
}

}  // namespace

void register_reshape_layers(LayerRegistry& r) {
  r.add(NeuralNetworkLayer::kReshape, &lower_reshape);
  r.add(NeuralNetworkLayer::kFlatten, &lower_flatten);
  r.add(NeuralNetworkLayer::kCopy, &lower_copy);
  r.add(NeuralNetworkLayer::kReshapeStatic, &lower_reshape_static);
  r.add(NeuralNetworkLayer::kRankPreservingReshape, &lower_rank_preserving_reshape);
  r.add(NeuralNetworkLayer::kReshapeLike, &lower_reshape_like);
  r.add(NeuralNetworkLayer::kFlattenTo2D, &lower_flatten_to_2d);
  r.add(NeuralNetworkLayer::kSqueeze, &lower_squeeze);
  r.add(NeuralNetworkLayer::kExpandDims, &lower_expand_dims);
  r.add(NeuralNetworkLayer::kGetShape, &lower_get_shape);
}

}  // namespace morel::graph
