#include "graph/channel_shuffle_op.h"

#include "graph/layer_util.h"
#include "kernels/reference/layout.h"
#include "kernels/reference/transpose.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

// What the op works out from its shapes, once per plan (prepare()) rather
// than on every run: the group count when the three layers are a channel
// shuffle of this input (else 0), and the shape the first reshape gives.
struct ShuffleShapes final : OpPlan {
  int64_t groups = 0;
  Shape split;
};

class ChannelShuffleOp final : public Op {
 public:
  ChannelShuffleOp(std::unique_ptr<Op> split, std::vector<int> perm, std::unique_ptr<Op> merge)
      : split_(std::move(split)),
        perm_(std::move(perm)),
        merge_(std::move(merge)),
        shuffle_perm_(is_channel_shuffle_permutation(perm_)) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape split = split_->infer_shapes(inputs).at(0);
    require_shape(static_cast<int>(perm_.size()) == split.rank(),
                  "the transpose has " + str(int64_t(perm_.size())) +
                      " axes; the reshaped input (" + split.str() + ") has rank " +
                      str(split.rank()));
    const Shape swapped = permuted(split, perm_);
    return merge_->infer_shapes(std::span<const Shape>(&swapped, 1));
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
    auto plan = std::make_unique<ShuffleShapes>(shapes_for(inputs[0], outputs[0]));
    plan->workspace_floats = workspace_size(inputs, outputs);
    return plan;
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    ShuffleShapes unplanned;  // runs without a plan work it out each time
    if (!ctx.plan) unplanned = shapes_for(in, outputs[0].shape);
    const ShuffleShapes& s = ctx.plan ? static_cast<const ShuffleShapes&>(*ctx.plan) : unplanned;
    if (s.groups > 0) {
      const ChannelPlanes v = channel_planes(in);
      if (channels_last_)
        ref::channel_shuffle_channels_last(inputs[0].data, outputs[0].data, v.outer, s.groups,
                                           v.channels, v.spatial, ctx.threads);
      else
        ref::channel_shuffle(inputs[0].data, outputs[0].data, v.outer, s.groups, v.channels,
                             v.spatial, ctx.threads);
      return;
    }
    // Not a shuffle of these shapes: what the three layers compute, on plain
    // data (through the workspace when the tensors are channels-last).
    if (!channels_last_) {
      ref::transpose(inputs[0].data, s.split, perm_, outputs[0].data, ctx.threads);
      return;
    }
    float* plain_in = ctx.workspace;
    float* plain_out = ctx.workspace + in.count();
    const ChannelPlanes vi = channel_planes(in), vo = channel_planes(outputs[0].shape);
    ref::to_plain(inputs[0].data, plain_in, vi.outer, vi.channels, vi.spatial, ctx.threads);
    ref::transpose(plain_in, s.split, perm_, plain_out, ctx.threads);
    ref::to_channels_last(plain_out, outputs[0].data, vo.outer, vo.channels, vo.spatial,
                          ctx.threads);
  }

  int64_t workspace_size(std::span<const Shape> inputs,
                         std::span<const Shape> outputs) const override {
    if (!channels_last_ || shapes_for(inputs[0], outputs[0]).groups > 0) return 0;
    return 2 * inputs[0].count();
  }

  bool batch_independent() const override { return false; }
  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  // The group count is set when the first reshape splits the channel axis
  // (-3) into [groups, C / groups] and the output has the input's shape.
  ShuffleShapes shapes_for(const Shape& in, const Shape& out) const {
    ShuffleShapes s;
    s.split = split_->infer_shapes(std::span<const Shape>(&in, 1)).at(0);
    if (!shuffle_perm_ || in.rank() < 3 || out != in || s.split.rank() != in.rank() + 1) return s;
    const int c = in.rank() - 3;  // the channel axis
    for (int a = 0; a < c; ++a)
      if (s.split[a] != in[a]) return s;
    if (s.split[c] * s.split[c + 1] == in[c] && s.split[c + 2] == in[c + 1] &&
        s.split[c + 3] == in[c + 2])
      s.groups = s.split[c];
    return s;
  }

  std::unique_ptr<Op> split_;
  std::vector<int> perm_;
  std::unique_ptr<Op> merge_;
  bool shuffle_perm_;
  bool channels_last_ = false;
};

}  // namespace

bool is_channel_shuffle_permutation(const std::vector<int>& perm) {
  const int r = static_cast<int>(perm.size());
  if (r < 4) return false;
  for (int a = 0; a < r; ++a) {
    const int expected = a == r - 4 ? r - 3 : a == r - 3 ? r - 4 : a;
    if (perm[static_cast<size_t>(a)] != expected) return false;
  }
  return true;
}

std::unique_ptr<Op> make_channel_shuffle(std::unique_ptr<Op> split, std::vector<int> perm,
                                         std::unique_ptr<Op> merge) {
  return std::make_unique<ChannelShuffleOp>(std::move(split), std::move(perm), std::move(merge));
}

}  // namespace morel::graph
