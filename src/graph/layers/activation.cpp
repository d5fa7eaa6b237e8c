// Layer family: activation. The legacy ActivationParams nonlinearities and the
// N-d activation layers (gelu, clip, clampedReLU): element-wise maps, so every
// op here may run in place and treats all axes alike, except PReLU and
// parametricSoftplus, whose parameters may be given per channel (axis -3).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/activation.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/eltwise.h"
#endif

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

// Parameters given "per channel or 1 value": decode however many are stored.
std::vector<float> channel_values(const spec::WeightParams& w, const std::string& field) {
  const int64_t n = stored_weight_count(w);
  if (n < 0)
    unsupported(field +
                " is stored as packed sub-byte quantized values, whose count is "
                "ambiguous; expected float32, float16 or 8-bit values");
  require(n >= 1, field + " has no values; expected 1 or one per channel");
  return weights(w, n, field);
}

class ActivationOp final : public Op {
 public:
  ActivationOp(std::string what, ref::ActivationParams params, std::vector<float> alpha = {},
               std::vector<float> beta = {})
      : what_(std::move(what)), params_(params), alpha_(std::move(alpha)), beta_(std::move(beta)) {
    // A channel count the input must have on axis -3, when a parameter has
    // more than one value (0 when every value is shared). The format asks for
    // rank >= 3 in both cases; with one shared value the channel axis plays no
    // part, so any rank is accepted then.
    for (size_t n : {alpha_.size(), beta_.size()})
      if (n > 1) channels_ = static_cast<int64_t>(n);
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& s = inputs[0];
    if (channels_ > 0) {
      require_shape(s.rank() >= 3, what_ + " has " + str(channels_) +
                                       " per-channel values and needs an input of rank >= 3 "
                                       "(channels on axis -3); input has shape " +
                                       s.str());
      require_shape(s.dim(-3) == channels_, what_ + " has " + str(channels_) +
                                                " per-channel values; input has " + str(s.dim(-3)) +
                                                " channels (axis -3) in shape " + s.str());
    }
    return {s};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
#if defined(MOREL_WITH_DNNL)
    if (kernels::cpu::run_prepared(ctx, inputs, outputs)) return;
#endif
    const Shape& s = inputs[0].shape;
    ref::ActivationParams p = params_;
    p.channel_alpha = alpha_.data();
    p.channel_alpha_count = static_cast<int64_t>(alpha_.size());
    p.channel_beta = beta_.data();
    p.channel_beta_count = static_cast<int64_t>(beta_.size());
    int64_t outer = 1, channels = 1, inner = s.count();
    if (channels_ > 0) {
      outer = s.count(0, s.rank() - 3);
      channels = s.dim(-3);
      inner = s.count(s.rank() - 2, s.rank());
      if (channels_last_) {  // [outer, H*W, C]: the channel varies fastest
        outer *= inner;
        inner = 1;
      }
    }
    ref::activation(p, inputs[0].data, outputs[0].data, outer, channels, inner, ctx.threads);
  }

  bool in_place() const override {
    return true;
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape>,
                                  const PrepareContext&) const override {
#if defined(MOREL_WITH_DNNL)
    if (const std::optional<ActivationFn> fn = as_activation())
      return kernels::cpu::prepare_activation(*fn, inputs[0].count());
#else
    (void)inputs;
#endif
    return nullptr;
  }

  std::optional<ActivationFn> as_activation() const override {
    if (!alpha_.empty() || !beta_.empty()) return std::nullopt;  // per-channel parameters
    return ActivationFn{params_.kind, params_.alpha, params_.beta};
  }
  bool is_identity() const override {
    return alpha_.empty() && beta_.empty() && params_.kind == ref::Activation::kLinear &&
           params_.alpha == 1.f && params_.beta == 0.f;
  }

  // Element-wise, except that per-channel parameters follow the channel axis.
  LayoutSupport layout_support() const override {
    return channels_ > 0 ? LayoutSupport::kNative : LayoutSupport::kPermutable;
  }
  void set_channels_last() override {
    channels_last_ = true;
  }

 private:
  std::string what_;  // names the layer's parameters in messages
  ref::ActivationParams params_;
  std::vector<float> alpha_, beta_;  // per-channel (or single) values
  int64_t channels_ = 0;
  bool channels_last_ = false;
};

std::unique_ptr<Op> make(std::string what, ref::Activation kind, float alpha = 0.f,
                         float beta = 0.f) {
  ref::ActivationParams p;
  p.kind = kind;
  p.alpha = alpha;
  p.beta = beta;
  return std::make_unique<ActivationOp>(std::move(what), p);
}

std::unique_ptr<Op> lower_activation(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  const spec::ActivationParams& a = layer.activation();
  using A = spec::ActivationParams;
  using K = ref::Activation;
  switch (a.NonlinearityType_case()) {
    case A::kLinear: return make("linear", K::kLinear, a.linear().alpha(), a.linear().beta());
    case A::kReLU: return make("ReLU", K::kReLU);
    case A::kLeakyReLU: return make("leakyReLU", K::kLeakyReLU, a.leakyrelu().alpha());
    case A::kThresholdedReLU:
      return make("thresholdedReLU", K::kThresholdedReLU, a.thresholdedrelu().alpha());
    case A::kPReLU: {
      ref::ActivationParams p;
      p.kind = K::kPReLU;
      return std::make_unique<ActivationOp>("PReLU alpha", p,
                                            channel_values(a.prelu().alpha(), "PReLU alpha"));
    }
    case A::kTanh: return make("tanh", K::kTanh);
    case A::kScaledTanh:
      return make("scaledTanh", K::kScaledTanh, a.scaledtanh().alpha(), a.scaledtanh().beta());
    case A::kSigmoid: return make("sigmoid", K::kSigmoid);
    case A::kSigmoidHard:
      return make("sigmoidHard", K::kSigmoidHard, a.sigmoidhard().alpha(), a.sigmoidhard().beta());
    case A::kELU: return make("ELU", K::kELU, a.elu().alpha());
    case A::kSoftsign: return make("softsign", K::kSoftsign);
    case A::kSoftplus: return make("softplus", K::kSoftplus);
    case A::kParametricSoftplus: {
      const auto& ps = a.parametricsoftplus();
      std::vector<float> alpha = channel_values(ps.alpha(), "parametricSoftplus alpha");
      std::vector<float> beta = channel_values(ps.beta(), "parametricSoftplus beta");
      require(alpha.size() == 1 || beta.size() == 1 || alpha.size() == beta.size(),
              "parametricSoftplus alpha has " + str(int64_t(alpha.size())) + " values and beta " +
                  str(int64_t(beta.size())) + "; expected 1 or the same number (one per channel)");
      ref::ActivationParams p;
      p.kind = K::kParametricSoftplus;
      return std::make_unique<ActivationOp>("parametricSoftplus alpha/beta", p, std::move(alpha),
                                            std::move(beta));
    }
    case A::NONLINEARITYTYPE_NOT_SET: break;
  }
  require(false,
          "activation has no nonlinearity set (expected one of linear, ReLU, leakyReLU, "
          "thresholdedReLU, PReLU, tanh, scaledTanh, sigmoid, sigmoidHard, ELU, softsign, "
          "softplus, parametricSoftplus)");
  return nullptr;
}

std::unique_ptr<Op> lower_gelu(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  switch (layer.gelu().mode()) {
    case spec::GeluLayerParams::EXACT: return make("gelu", ref::Activation::kGeluExact);
    case spec::GeluLayerParams::TANH_APPROXIMATION: return make("gelu", ref::Activation::kGeluTanh);
    case spec::GeluLayerParams::SIGMOID_APPROXIMATION:
      return make("gelu", ref::Activation::kGeluSigmoid);
    default: break;
  }
  require(false, "gelu mode = " + str(layer.gelu().mode()) +
                     " is not a known mode; expected EXACT (0), TANH_APPROXIMATION (1) or "
                     "SIGMOID_APPROXIMATION (2)");
  return nullptr;
}

std::unique_ptr<Op> lower_clip(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  // min(max(x, minVal), maxVal) as documented; with minVal > maxVal this gives
  // maxVal everywhere, which is what the formula says.
  return make("clip", ref::Activation::kClip, layer.clip().minval(), layer.clip().maxval());
}

std::unique_ptr<Op> lower_clamped_relu(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  return make("clampedReLU", ref::Activation::kClampedReLU, layer.clampedrelu().alpha(),
              layer.clampedrelu().beta());
}

}  // namespace

void register_activation_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kActivation, &lower_activation);
  r.add(spec::NeuralNetworkLayer::kGelu, &lower_gelu);
  r.add(spec::NeuralNetworkLayer::kClip, &lower_clip);
  r.add(spec::NeuralNetworkLayer::kClampedReLU, &lower_clamped_relu);
}

}  // namespace morel::graph
