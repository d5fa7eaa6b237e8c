// Layer family: normalization. batchnorm (given or computed statistics,
// per batch or per instance), mvn (mean-variance normalization), l2normalize,
// lrn (local response normalization across channels) and layerNormalization.
// The legacy layers work on axes -3 (C), -2 (H), -1 (W) of an input of rank
// >= 3; every leading axis is an independent item, unless batchnorm computes
// its statistics over the whole batch.
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/normalization.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

// Bound on parameter counts read from a file, so that hostile values cannot
// overflow size arithmetic before the weights are checked against them.
constexpr int64_t kMaxParameterCount = int64_t(1) << 40;

// A tensor of rank >= 3 seen as [outer, channels, inner] around axis -3.
struct ChannelView {
  int64_t outer, channels, inner;
};

ChannelView channel_view(const Shape& s) {
  return {s.count(0, s.rank() - 3), s.dim(-3), s.count(s.rank() - 2, s.rank())};
}

void require_rank3(const Shape& s, const std::string& layer) {
  require_shape(s.rank() >= 3, layer +
                                   " works on axes -3, -2, -1 (C, H, W) and needs an input "
                                   "of rank >= 3; input has shape " +
                                   s.str());
}

// An epsilon field whose zero (unset) value means `fallback`.
float epsilon_or(float value, float fallback, const std::string& field) {
  require(value >= 0.f, field + " = " + std::to_string(value) + "; expected >= 0");
  return value != 0.f ? value : fallback;
}

// ---------------------------------------------------------------------------

class BatchnormOp final : public Op {
 public:
  explicit BatchnormOp(const spec::BatchnormLayerParams& b) {
    require(b.channels() >= 1 && b.channels() <= uint64_t(kMaxParameterCount),
            "batchnorm channels = " + std::to_string(b.channels()) +
                "; expected the size of the channel axis (-3), at least 1");
    channels_ = static_cast<int64_t>(b.channels());
    gamma_ = weights(b.gamma(), channels_, "batchnorm gamma");
    beta_ = weights(b.beta(), channels_, "batchnorm beta");
    if (b.computemeanvar()) {
      // The mean and variance weights are ignored (and may be absent).
      stats_ = b.instancenormalization() ? ref::BatchnormStats::kPerInstance
                                         : ref::BatchnormStats::kPerBatch;
    } else {
      stats_ = ref::BatchnormStats::kGiven;
      mean_ = weights(b.mean(), channels_, "batchnorm mean");
      variance_ = weights(b.variance(), channels_, "batchnorm variance");
      for (int64_t c = 0; c < channels_; ++c)
        require(variance_[c] >= 0.f, "batchnorm variance[" + str(c) +
                                         "] = " + std::to_string(variance_[c]) + "; expected >= 0");
    }
    epsilon_ = epsilon_or(b.epsilon(), 1e-5f, "batchnorm epsilon");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    require_rank3(s, "batchnorm");
    require_shape(s.dim(-3) == channels_, "batchnorm has channels = " + str(channels_) +
                                              "; input has " + str(s.dim(-3)) +
                                              " channels (axis -3) in shape " + s.str());
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ChannelView v = channel_view(inputs[0].shape);
    ref::BatchnormParams p;
    p.outer = v.outer;
    p.channels = v.channels;
    p.inner = v.inner;
    if (channels_last_) {  // [outer, H*W, C]: given statistics only (see layout_support)
      p.outer = v.outer * v.inner;
      p.inner = 1;
    }
    p.stats = stats_;
    p.epsilon = epsilon_;
    p.gamma = gamma_.data();
    p.beta = beta_.data();
    p.mean = mean_.data();
    p.variance = variance_.data();
    ref::batchnorm(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

  // Statistics over the whole batch mix the items.
  bool batch_independent() const override { return stats_ != ref::BatchnormStats::kPerBatch; }

  // With given statistics: y = x * scale[c] + shift[c].
  std::optional<ChannelAffine> as_channel_affine() const override {
    if (stats_ != ref::BatchnormStats::kGiven) return std::nullopt;
    ChannelAffine a;
    for (int64_t c = 0; c < channels_; ++c) {
      const double scale = gamma_[c] / std::sqrt(double(variance_[c]) + double(epsilon_));
      a.scale.push_back(static_cast<float>(scale));
      a.shift.push_back(static_cast<float>(beta_[c] - mean_[c] * scale));
    }
    return a;
  }

  // Given statistics make it a per-channel map; computed ones read whole planes.
  LayoutSupport layout_support() const override {
    return stats_ == ref::BatchnormStats::kGiven ? LayoutSupport::kNative : LayoutSupport::kNone;
  }
  void set_channels_last() override { channels_last_ = true; }

 private:
  bool channels_last_ = false;
  int64_t channels_ = 0;
  ref::BatchnormStats stats_ = ref::BatchnormStats::kGiven;
  float epsilon_ = 1e-5f;
  std::vector<float> gamma_, beta_, mean_, variance_;
};

// ---------------------------------------------------------------------------

// mvn: the format does not say where epsilon goes; it is added to the
// variance under the square root, (x - mean) / sqrt(var + epsilon), which is
// how coremltools itself uses this layer (it lowers layer_norm, defined that
// way, to mvn with the same epsilon).
class MvnOp final : public Op {
 public:
  explicit MvnOp(const spec::MeanVarianceNormalizeLayerParams& m)
      : across_channels_(m.acrosschannels()),
        normalize_variance_(m.normalizevariance()),
        epsilon_(epsilon_or(m.epsilon(), 1e-6f, "mvn epsilon")) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_rank3(inputs[0], "mvn");
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ChannelView v = channel_view(inputs[0].shape);
    ref::MvnParams p;
    p.outer = v.outer;
    p.channels = v.channels;
    p.inner = v.inner;
    p.across_channels = across_channels_;
    p.normalize_variance = normalize_variance_;
    p.epsilon = epsilon_;
    ref::mvn(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  bool across_channels_, normalize_variance_;
  float epsilon_;
};

// ---------------------------------------------------------------------------

class L2NormalizeOp final : public Op {
 public:
  explicit L2NormalizeOp(const spec::L2NormalizeLayerParams& l)
      : epsilon_(epsilon_or(l.epsilon(), 1e-6f, "l2normalize epsilon")) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_rank3(inputs[0], "l2normalize");
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    ref::l2_normalize(inputs[0].data, outputs[0].data, s.count(0, s.rank() - 3),
                      s.count(s.rank() - 3, s.rank()), epsilon_, ctx.threads);
  }

 private:
  float epsilon_;
};

// ---------------------------------------------------------------------------

// lrn: the window holds localSize channels centred on each channel. For an
// even localSize the format does not say which side gets the extra channel
// (frameworks differ), so even sizes are not run.
class LrnOp final : public Op {
 public:
  explicit LrnOp(const spec::LRNLayerParams& l) {
    require(l.localsize() >= 1, "lrn localSize = 0; expected a window of at least 1 channel");
    require(l.localsize() <= uint64_t(kMaxParameterCount),
            "lrn localSize = " + std::to_string(l.localsize()) + " is too large");
    if (l.localsize() % 2 == 0)
      unsupported("lrn localSize = " + std::to_string(l.localsize()) +
                  " is even; only odd (centred) windows are supported");
    require(l.k() >= 0.f, "lrn k = " + std::to_string(l.k()) + "; expected > 0 (0 means 1)");
    params_.local_size = static_cast<int64_t>(l.localsize());
    params_.alpha = l.alpha();
    params_.beta = l.beta();
    params_.k = l.k() != 0.f ? l.k() : 1.f;
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_rank3(inputs[0], "lrn");
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ChannelView v = channel_view(inputs[0].shape);
    ref::LrnParams p = params_;
    p.outer = v.outer;
    p.channels = v.channels;
    p.inner = v.inner;
    ref::lrn(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  ref::LrnParams params_;
};

// ---------------------------------------------------------------------------

// layerNormalization: over the trailing axes that normalizedShape lists
// (which must match the input's), then gamma and beta, both shaped
// normalizedShape. eps is used as given (the format gives no default).
class LayerNormOp final : public Op {
 public:
  LayerNormOp(const spec::LayerNormalizationLayerParams& l, const LowerContext& ctx) {
    require(l.normalizedshape_size() >= 1,
            "layerNormalization normalizedShape is empty; expected at least 1 dimension");
    require(l.normalizedshape_size() <= kMaxRank,
            "layerNormalization normalizedShape has " + str(l.normalizedshape_size()) +
                " dimensions; at most " + str(kMaxRank) + " are supported");
    int64_t size = 1;
    for (int i = 0; i < l.normalizedshape_size(); ++i) {
      const int64_t d = l.normalizedshape(i);
      require(d >= 1 && d <= kMaxParameterCount / size,
              "layerNormalization normalizedShape[" + str(i) + "] = " + str(d) +
                  (d < 1 ? "; expected >= 1" : " makes the normalized size too large"));
      size *= d;
      shape_.push_back(d);
    }
    gamma_ = weights(l.gamma(), size, "layerNormalization gamma");
    beta_ = weights(l.beta(), size, "layerNormalization beta");
    require(l.eps() >= 0.f,
            "layerNormalization eps = " + std::to_string(l.eps()) + "; expected >= 0");
    epsilon_ = l.eps();
    // In a rank-5 network, normalizing over 4 or 5 trailing axes reaches the
    // Batch axis.
    batch_independent_ = !(ctx.rank5 && shape_.rank() >= 4);
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    const int n = shape_.rank();
    bool fits = s.rank() >= n;
    for (int i = 1; fits && i <= n; ++i) fits = s.dim(-i) == shape_.dim(-i);
    require_shape(fits, "layerNormalization normalizedShape is " + shape_.str() +
                            "; the input's trailing dimensions must match it, but its shape "
                            "is " +
                            s.str());
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& s = inputs[0].shape;
    ref::LayerNormParams p;
    p.size = shape_.count();
    p.outer = s.count(0, s.rank() - shape_.rank());
    p.epsilon = epsilon_;
    p.gamma = gamma_.data();
    p.beta = beta_.data();
    ref::layer_norm(p, inputs[0].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return batch_independent_; }

 private:
  Shape shape_;
  std::vector<float> gamma_, beta_;
  float epsilon_ = 0.f;
  bool batch_independent_ = true;
};

// ---------------------------------------------------------------------------

std::unique_ptr<Op> lower_batchnorm(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<BatchnormOp>(layer.batchnorm());
}
std::unique_ptr<Op> lower_mvn(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<MvnOp>(layer.mvn());
}
std::unique_ptr<Op> lower_l2normalize(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<L2NormalizeOp>(layer.l2normalize());
}
std::unique_ptr<Op> lower_lrn(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<LrnOp>(layer.lrn());
}
std::unique_ptr<Op> lower_layer_normalization(const spec::NeuralNetworkLayer& layer,
                                              const LowerContext& ctx) {
  return std::make_unique<LayerNormOp>(layer.layernormalization(), ctx);
}

}  // namespace

void register_normalization_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kBatchnorm, &lower_batchnorm);
  r.add(spec::NeuralNetworkLayer::kMvn, &lower_mvn);
  r.add(spec::NeuralNetworkLayer::kL2Normalize, &lower_l2normalize);
  r.add(spec::NeuralNetworkLayer::kLrn, &lower_lrn);
  r.add(spec::NeuralNetworkLayer::kLayerNormalization, &lower_layer_normalization);
}

}  // namespace morel::graph
