// Layer family: transpose. Layers that move data between axes:
//   permute (legacy, rank 5), transpose (N-d), reorganizeData
//   (SPACE_TO_DEPTH, DEPTH_TO_SPACE, PIXEL_SHUFFLE).
#include <array>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/transpose.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using spec::NeuralNetworkLayer;

// Reads a permutation of [0, n) from `field`, naming `name` in errors.
std::vector<int> read_permutation(const google::protobuf::RepeatedField<uint64_t>& field,
                                  const std::string& name) {
  const int n = field.size();
  require(n <= kMaxRank,
          name + " has " + str(n) + " values; at most " + str(kMaxRank) + " are supported");
  std::vector<int> perm(static_cast<size_t>(n));
  std::array<bool, kMaxRank> seen{};
  for (int i = 0; i < n; ++i) {
    const uint64_t a = field.Get(i);
    const std::string at = name + "[" + str(i) + "] = " + std::to_string(a);
    require(a < static_cast<uint64_t>(n),
            at + "; expected a value below " + str(n) + " (a permutation of [0, " + str(n) + "))");
    require(!seen[a], at + " repeats an axis; expected a permutation of [0, " + str(n) + ")");
    seen[a] = true;
    perm[static_cast<size_t>(i)] = static_cast<int>(a);
  }
  return perm;
}

// ---------------------------------------------------------------------------
// permute (legacy): rank 5 [Seq, Batch, C, H, W]. `axis` permutes the four
// axes [Seq, C, H, W] (numbered 0..3) while Batch stays at position 1:
// output axis i of those four is input axis axis[i]. Unset means identity.
class PermuteOp : public Op {
 public:
  explicit PermuteOp(const spec::PermuteLayerParams& p) {
    require(
        p.axis_size() == 0 || p.axis_size() == 4,
        "axis has " + str(p.axis_size()) + " values; expected 4 (a permutation of [0, 1, 2, 3])");
    std::vector<int> four =
        p.axis_size() == 0 ? std::vector<int>{0, 1, 2, 3} : read_permutation(p.axis(), "axis");
    // Positions of Seq, C, H, W in the rank-5 blob.
    constexpr int kRank5Axis[4] = {0, 2, 3, 4};
    perm_ = {kRank5Axis[four[0]], 1, kRank5Axis[four[1]], kRank5Axis[four[2]], kRank5Axis[four[3]]};
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_shape(inputs[0].rank() == 5, "input has shape " + inputs[0].str() +
                                             "; permute needs rank 5 [Seq, Batch, C, H, W]");
    return {permuted(inputs[0], perm_)};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::transpose(inputs[0].data, inputs[0].shape, perm_, outputs[0].data, ctx.threads);
  }

  // Batch keeps its position and each item is permuted on its own.

 private:
  std::vector<int> perm_;
};

// ---------------------------------------------------------------------------
// transpose (N-d): output axis i is input axis axes[i]; one entry per axis.
class TransposeOp : public Op {
 public:
  explicit TransposeOp(const spec::TransposeLayerParams& p)
      : perm_(read_permutation(p.axes(), "axes")) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_shape(static_cast<int>(perm_.size()) == inputs[0].rank(),
                  "axes has " + str(int64_t(perm_.size())) + " values; the input (" +
                      inputs[0].str() + ") has rank " + str(inputs[0].rank()));
    return {permuted(inputs[0], perm_)};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::transpose(inputs[0].data, inputs[0].shape, perm_, outputs[0].data, ctx.threads);
  }

  // An N-d layer does not know which axis holds independent items.
  bool batch_independent() const override { return false; }
  std::optional<std::vector<int>> as_transpose() const override { return perm_; }

 private:
  std::vector<int> perm_;
};

// ---------------------------------------------------------------------------
// reorganizeData: rank >= 3, [..., C, H, W]; the leading axes are independent
// items. Index rules in kernels/reference/transpose.h. The format's text
// only gives shapes; the channel orders follow what its converters map these
// modes to: DEPTH_TO_SPACE / SPACE_TO_DEPTH are TensorFlow's (ONNX "DCR")
// order, PIXEL_SHUFFLE is PyTorch's pixel_shuffle ("CRD").
class ReorganizeDataOp : public Op {
 public:
  explicit ReorganizeDataOp(const spec::ReorganizeDataLayerParams& p) {
    switch (p.mode()) {
      case spec::ReorganizeDataLayerParams::SPACE_TO_DEPTH:
        mode_ = ref::Reorganize::kSpaceToDepth;
        break;
      case spec::ReorganizeDataLayerParams::DEPTH_TO_SPACE:
        mode_ = ref::Reorganize::kDepthToSpace;
        break;
      case spec::ReorganizeDataLayerParams::PIXEL_SHUFFLE:
        mode_ = ref::Reorganize::kPixelShuffle;
        break;
      default: unsupported("reorganizeData mode " + str(p.mode()));
    }
    require(p.blocksize() > 1,
            "blockSize = " + std::to_string(p.blocksize()) + "; expected a value greater than 1");
    // Caps blockSize so that blockSize^2 and the shapes built from it stay far
    // from overflow; no real tensor comes near.
    require(p.blocksize() <= (uint64_t{1} << 16),
            "blockSize = " + std::to_string(p.blocksize()) + " is too large");
    block_ = static_cast<int64_t>(p.blocksize());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(in.rank() >= 3,
                  "input has shape " + in.str() + "; reorganizeData needs rank >= 3");
    const int64_t C = in.dim(-3), H = in.dim(-2), W = in.dim(-1), b = block_;
    Shape out = in;
    if (mode_ == ref::Reorganize::kSpaceToDepth) {
      require_shape(H % b == 0 && W % b == 0, "input " + in.str() + ": blockSize " + str(b) +
                                                  " must divide height " + str(H) + " and width " +
                                                  str(W));
      out.dim(-3) = C * b * b;
      out.dim(-2) = H / b;
      out.dim(-1) = W / b;
    } else {
      require_shape(C % (b * b) == 0, "input " + in.str() + ": blockSize^2 = " + str(b * b) +
                                          " must divide the channel count " + str(C));
      out.dim(-3) = C / (b * b);
      out.dim(-2) = H * b;
      out.dim(-1) = W * b;
    }
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    ref::ReorganizeParams p;
    p.mode = mode_;
    p.block = block_;
    p.items = in.count(0, in.rank() - 3);
    p.channels = in.dim(-3);
    p.height = in.dim(-2);
    p.width = in.dim(-1);
    ref::reorganize_data(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  ref::Reorganize mode_ = ref::Reorganize::kSpaceToDepth;
  int64_t block_ = 2;
};

// ---------------------------------------------------------------------------
std::unique_ptr<Op> lower_permute(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<PermuteOp>(layer.permute());
}
std::unique_ptr<Op> lower_transpose(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require(!ctx.rank5,
          "transpose is an N-d layer (spec >= 4) and needs EXACT_ARRAY_MAPPING; this network "
          "maps arrays to rank 5");
  return std::make_unique<TransposeOp>(layer.transpose());
}
std::unique_ptr<Op> lower_reorganize_data(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<ReorganizeDataOp>(layer.reorganizedata());
}

}  // namespace

void register_transpose_layers(LayerRegistry& r) {
  r.add(NeuralNetworkLayer::kPermute, &lower_permute);
  r.add(NeuralNetworkLayer::kTranspose, &lower_transpose);
  r.add(NeuralNetworkLayer::kReorganizeData, &lower_reorganize_data);
}

}  // namespace morel::graph
