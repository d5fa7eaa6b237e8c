#include "graph/channel_shuffle_op.h"

#include "graph/layer_util.h"
#include "kernels/reference/layout.h"
#include "kernels/reference/transpose.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

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
    const Shape swapped = permuted(split);
    return merge_->infer_shapes(std::span<const Shape>(&swapped, 1));
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    const int64_t groups = shuffle_groups(in, outputs[0].shape);
    if (groups > 0) {
      const ChannelPlanes v = channel_planes(in);
      if (channels_last_)
        ref::channel_shuffle_channels_last(inputs[0].data, outputs[0].data, v.outer, groups,
                                           v.channels, v.spatial, ctx.threads);
      else
        ref::channel_shuffle(inputs[0].data, outputs[0].data, v.outer, groups, v.channels,
                             v.spatial, ctx.threads);
      return;
    }
    // Not a shuffle of these shapes: what the three layers compute, on plain
    // data (through the workspace when the tensors are channels-last).
    const Shape split = split_->infer_shapes(std::span<const Shape>(&in, 1)).at(0);
    if (!channels_last_) {
      ref::transpose(inputs[0].data, split, perm_, outputs[0].data, ctx.threads);
      return;
    }
    float* plain_in = ctx.workspace;
    float* plain_out = ctx.workspace + in.count();
    const ChannelPlanes vi = channel_planes(in), vo = channel_planes(outputs[0].shape);
    ref::to_plain(inputs[0].data, plain_in, vi.outer, vi.channels, vi.spatial, ctx.threads);
    ref::transpose(plain_in, split, perm_, plain_out, ctx.threads);
    ref::to_channels_last(plain_out, outputs[0].data, vo.outer, vo.channels, vo.spatial,
                          ctx.threads);
  }

  int64_t workspace_size(std::span<const Shape> inputs,
                         std::span<const Shape> outputs) const override {
    if (!channels_last_ || shuffle_groups(inputs[0], outputs[0]) > 0) return 0;
    return 2 * inputs[0].count();
  }

  bool batch_independent() const override { return false; }
  LayoutSupport layout_support() const override { return LayoutSupport::kNative; }
  void set_channels_last() override { channels_last_ = true; }

 private:
  Shape permuted(const Shape& s) const {
    Shape out;
    for (int a : perm_) out.push_back(s[a]);
    return out;
  }

  // The group count when, for this input, the first reshape splits the
  // channel axis (-3) into [groups, C / groups] and the output has the
  // input's shape; 0 otherwise.
  int64_t shuffle_groups(const Shape& in, const Shape& out) const {
    if (!shuffle_perm_ || in.rank() < 3 || out != in) return 0;
    const Shape split = split_->infer_shapes(std::span<const Shape>(&in, 1)).at(0);
    if (split.rank() != in.rank() + 1) return 0;
    const int c = in.rank() - 3;  // the channel axis
    for (int a = 0; a < c; ++a)
      if (split[a] != in[a]) return 0;
    if (split[c] * split[c + 1] != in[c] || split[c + 2] != in[c + 1] || split[c + 3] != in[c + 2])
      return 0;
    return split[c];
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
