// Layer family: convolution. ConvolutionLayerParams (2-D convolution and
// deconvolution, weights from the layer or, for convolution, from a second
// input) and Convolution3DLayerParams (3-D convolution and deconvolution).
//
// Both lower to the reference kernels in kernels/reference/convolution.h,
// which always see three spatial axes; 2-D layers use a depth of 1.
#include <algorithm>
#include <array>
#include <initializer_list>

#include "graph/input_concat.h"
#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "graph/weight_data.h"
#include "kernels/reference/convolution.h"
#include "kernels/reference/layout.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/convolution.h"
#endif

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

// Largest kernel size, stride, dilation, padding or channel count a layer may
// ask for. Far above anything real, and small enough that the shape
// arithmetic below cannot overflow int64 on parameters alone.
constexpr int64_t kMaxParam = int64_t(1) << 30;
// Largest number of weight values decoded for one layer.
constexpr int64_t kMaxWeights = int64_t(1) << 36;

// A non-negative parameter, checked against kMaxParam.
int64_t param(int64_t v, const std::string& field) {
  require(v >= 0, field + " = " + str(v) + "; expected a value >= 0");
  require(v <= kMaxParam, field + " = " + str(v) + " is too large (limit " + str(kMaxParam) + ")");
  return v;
}
int64_t uparam(uint64_t v, const std::string& field) {
  require(v <= uint64_t(kMaxParam),
          field + " = " + std::to_string(v) + " is too large (limit " + str(kMaxParam) + ")");
  return static_cast<int64_t>(v);
}
int64_t positive(int64_t v, const std::string& field) {
  require(v > 0, field + " = " + str(v) + "; expected a positive value");
  return v;
}

// Shape arithmetic on input-derived sizes, failing on overflow.
int64_t mul(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) require_shape(false, what + " overflows");
  return r;
}
int64_t add(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) require_shape(false, what + " overflows");
  return r;
}
// Number of weight values of the given dimensions; fails (instead of
// overflowing) past kMaxWeights.
int64_t weight_count(std::initializer_list<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxWeights)
      require(false, "weights would hold more than " + str(kMaxWeights) + " values");
  return n;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

// How "same" padding splits an odd total between the two sides.
enum class Heavy { kEnd, kStart };
int64_t same_pad_before(int64_t total, Heavy heavy) {
  return heavy == Heavy::kStart ? total - total / 2 : total / 2;
}

// Decode a bias of `count` values when has_bias is set; empty otherwise.
std::vector<float> decode_bias(bool has_bias, const spec::WeightParams& w, int64_t count,
                               const std::string& field) {
  if (!has_bias) return {};
  return weights(w, count, field);
}

// Checks an input has the layer's channel count at axis `axis`.
void require_channels(const Shape& in, int axis, int64_t expected, const std::string& what) {
  require_shape(in.dim(axis) == expected, "input has " + str(in.dim(axis)) + " channels (axis " +
                                              str(axis) + " of " + in.str() + "); " + what +
                                              " expects " + str(expected));
}

// ---------------------------------------------------------------------------
// ConvolutionLayerParams
// ---------------------------------------------------------------------------

class ConvolutionOp final : public Op {
 public:
  ConvolutionOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    const spec::ConvolutionLayerParams& p = layer.convolution();
    deconv_ = p.isdeconvolution();
    out_channels_ = positive(uparam(p.outputchannels(), "outputChannels"), "outputChannels");
    kernel_channels_ = positive(uparam(p.kernelchannels(), "kernelChannels"), "kernelChannels");
    groups_ = p.ngroups() == 0 ? 1 : uparam(p.ngroups(), "nGroups");  // 0: the default, 1
    require(out_channels_ % groups_ == 0, "outputChannels = " + str(out_channels_) +
                                              " is not divisible by nGroups = " + str(groups_));
    if (deconv_)
      require(kernel_channels_ % groups_ == 0,
              "kernelChannels = " + str(kernel_channels_) +
                  " (the input channels of a deconvolution) is not divisible by nGroups = " +
                  str(groups_));

    read_pair(p.kernelsize(), "kernelSize", 3, kernel_);
    read_pair(p.stride(), "stride", 1, stride_);
    read_pair(p.dilationfactor(), "dilationFactor", 1, dilation_);
    // The format says dilationFactor is ignored for deconvolution, while
    // converters write the source model's dilation there; rather than guess
    // which of the two a file means, a dilated deconvolution is refused.
    if (deconv_ && (dilation_[0] != 1 || dilation_[1] != 1))
      unsupported("dilationFactor [" + str(dilation_[0]) + ", " + str(dilation_[1]) +
                  "] with isDeconvolution: the format says it is ignored for deconvolution, "
                  "so its meaning is ambiguous");

    switch (p.ConvolutionPaddingType_case()) {
      case spec::ConvolutionLayerParams::kSame: {
        same_ = true;
        const auto mode = p.same().asymmetrymode();
        if (mode == spec::SamePadding::BOTTOM_RIGHT_HEAVY)
          heavy_ = Heavy::kEnd;
        else if (mode == spec::SamePadding::TOP_LEFT_HEAVY)
          heavy_ = Heavy::kStart;
        else
          require(false, "same.asymmetryMode = " + str(mode) + " is not a known mode");
        break;
      }
      case spec::ConvolutionLayerParams::kValid: {
        const auto& amounts = p.valid().paddingamounts().borderamounts();
        require(amounts.empty() || amounts.size() == 2, "valid.paddingAmounts.borderAmounts has " +
                                                            str(amounts.size()) +
                                                            " values; expected 2 ([H, W]) or none");
        for (int a = 0; a < amounts.size(); ++a) {
          const std::string f = "valid.paddingAmounts.borderAmounts[" + str(a) + "]";
          pad_start_[a] = uparam(amounts[a].startedgesize(), f + ".startEdgeSize");
          pad_end_[a] = uparam(amounts[a].endedgesize(), f + ".endEdgeSize");
        }
        break;
      }
      default: break;  // no padding message: valid padding with no amounts
    }

    if (deconv_ && !p.outputshape().empty()) {
      require(p.outputshape_size() == 2, "outputShape has " + str(p.outputshape_size()) +
                                             " values; expected 2 ([H_out, W_out])");
      for (int a = 0; a < 2; ++a)
        output_shape_[a] = positive(uparam(p.outputshape(a), "outputShape[" + str(a) + "]"),
                                    "outputShape[" + str(a) + "]");
      has_output_shape_ = true;
    }

    // Weights: from the layer, or (spec 4+, convolution only) a second input.
    require(layer.input_size() == 1 || layer.input_size() == 2,
            "expects 1 or 2 inputs, got " + str(layer.input_size()));
    runtime_weights_ = layer.input_size() == 2;
    if (runtime_weights_) {
      require(!deconv_, "a second input (weights) is not allowed with isDeconvolution");
      require(ctx.spec_version >= 4,
              "a second input (weights) needs specification version 4 "
              "or later; the model has version " +
                  str(ctx.spec_version));
    } else {
      const int64_t taps = weight_count({kernel_[0], kernel_[1]});
      if (deconv_) {
        // [kernelChannels, outputChannels / nGroups, kH, kW]; per-channel
        // quantization runs along axis 1.
        const int64_t per_group = out_channels_ / groups_;
        const int64_t count = weight_count({kernel_channels_, per_group, taps});
        weights_ = WeightData(p.weights(), count, "weights", ChannelLayout{per_group, taps},
                              ctx.borrow_weights);
      } else {
        // [outputChannels, kernelChannels, kH, kW]; per-channel along axis 0.
        const int64_t count = weight_count({out_channels_, kernel_channels_, taps});
        weights_ =
            WeightData(p.weights(), count, "weights",
                       ChannelLayout{out_channels_, kernel_channels_ * taps}, ctx.borrow_weights);
      }
    }
    bias_ = decode_bias(p.hasbias(), p.bias(), out_channels_, "bias");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    const size_t n = static_cast<size_t>(concat_.parts()) + (runtime_weights_ ? 1 : 0) +
                     (epilogue_.has_add() ? 1 : 0);
    require_inputs(inputs, n, n);
    Shape out = conv_shape(inputs);
    int64_t total = 1;
    for (int64_t d : out) total = mul(total, d, "output element count");
    if (epilogue_.has_add()) out = broadcast_shapes(out, inputs[epilogue_.add_input]);
    return {out};
  }

  int64_t workspace_size(std::span<const Shape> inputs,
                         std::span<const Shape> outputs) const override {
    (void)outputs;
    // Reference path (see run_reference): the joined input (when the input
    // comes in parts), the plain input and the plain result, and the result
    // reordered when it cannot go to the output yet.
    const int64_t in = conv_inputs(inputs)[0].count();
    const int64_t conv = conv_shape(inputs).count();
    return (concat_.fused() ? in : 0) + (channels_last_ ? in + 2 * conv : conv);
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
#if defined(MOREL_WITH_DNNL)
    if (runtime_weights_) return nullptr;
    const std::vector<Shape> conv_in = conv_inputs(inputs);
    kernels::cpu::ConvolutionSpec spec;
    spec.params = plan(conv_in);
    spec.items = conv_in[0].count(0, conv_in[0].rank() - 3);
    spec.deconvolution = deconv_;
    spec.weights = weights_.data();
    spec.bias = bias_.empty() ? nullptr : bias_.data();
    spec.epilogue = epilogue_setup(inputs, outputs[0]);
    if (!concat_.fused()) return kernels::cpu::prepare_convolution(spec);
    // Parts joined along another axis than the channels: the reference path.
    const std::vector<int64_t> channels = concat_.channel_parts(inputs);
    return channels.empty() ? nullptr : kernels::cpu::prepare_convolution_parts(spec, channels);
#else
    (void)inputs;
    (void)outputs;
    return nullptr;
#endif
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
#if defined(MOREL_WITH_DNNL)
    if (ctx.plan) {
      static_cast<const kernels::cpu::Kernel*>(ctx.plan)->run(ctx, inputs, outputs);
      return;
    }
#endif
    run_reference(ctx, inputs, outputs);
  }

  // A weight blob read as a whole cannot be stacked along the batch axis.
  bool batch_independent() const override {
    return !runtime_weights_;
  }

  // The output may take the addend's memory: the kernels read each addend
  // value before writing it (or keep their own result apart until then).
  int reuse_input(std::span<const Shape> inputs) const override {
    if (!epilogue_.has_add()) return -1;
    return inputs[epilogue_.add_input] == conv_shape(inputs) ? epilogue_.add_input : -1;
  }

  bool fuse_channel_affine(const ChannelAffine& a) override {
    // Only straight onto the convolution's own result, with weights of our own.
    if (runtime_weights_ || !epilogue_.empty()) return false;
    if (!fits_channels(a.scale.size()) || !fits_channels(a.shift.size())) return false;
    const int64_t per_group = out_channels_ / groups_;
    const int64_t taps = kernel_[0] * kernel_[1];
    float* w = weights_.mutable_data();
    if (!deconv_) {
      const int64_t per_out = static_cast<int64_t>(weights_.size()) / out_channels_;
      for (int64_t o = 0; o < out_channels_; ++o)
        for (int64_t i = 0; i < per_out; ++i) w[o * per_out + i] *= a.scale_at(o);
    } else {
      // [kernelChannels, outputChannels / nGroups, kH, kW]
      const int64_t in_per_group = kernel_channels_ / groups_;
      for (int64_t c = 0; c < kernel_channels_; ++c)
        for (int64_t j = 0; j < per_group; ++j) {
          const float sc = a.scale_at(c / in_per_group * per_group + j);
          for (int64_t t = 0; t < taps; ++t) w[(c * per_group + j) * taps + t] *= sc;
        }
    }
    if (bias_.empty()) bias_.assign(out_channels_, 0.f);
    for (int64_t o = 0; o < out_channels_; ++o) bias_[o] = bias_[o] * a.scale_at(o) + a.shift_at(o);
    return true;
  }

  bool fuse_activation(const ActivationFn& fn) override {
    if (!fusable_activation(fn)) return false;
    epilogue_.steps.push_back({EpilogueStep::Kind::kActivation, fn});
    return true;
  }

  bool fuse_add() override {
    if (epilogue_.has_add() || concat_.fused()) return false;
    epilogue_.add_input = runtime_weights_ ? 2 : 1;
    epilogue_.steps.push_back({EpilogueStep::Kind::kAdd, {}});
    return true;
  }

  // Only where the parts can become one convolution each (see
  // kernels::cpu::prepare_convolution_parts); an add must come after.
  bool fuse_input_concat(int64_t axis, int parts) override {
    if (runtime_weights_ || deconv_ || groups_ != 1 || epilogue_.has_add()) return false;
    return concat_.take(axis, parts);
  }

  LayoutSupport layout_support() const override {
    return runtime_weights_ ? LayoutSupport::kNone : LayoutSupport::kNative;
  }
  bool prefers_channels_last() const override {
    return !runtime_weights_;
  }
  void set_channels_last() override {
    channels_last_ = true;
  }

 private:
  bool fits_channels(size_t n) const {
    return n == 1 || static_cast<int64_t>(n) == out_channels_;
  }

  // The convolution's own inputs: the input (joined when it comes in parts)
  // and, with runtime weights, the weights.
  std::vector<Shape> conv_inputs(std::span<const Shape> inputs) const {
    if (concat_.fused()) return {concat_.joined(inputs)};
    return std::vector<Shape>(inputs.begin(), inputs.begin() + (runtime_weights_ ? 2 : 1));
  }

  // The convolution's own output shape (before any fused add broadcasts it).
  Shape conv_shape(std::span<const Shape> inputs) const {
    const std::vector<Shape> conv_in = conv_inputs(inputs);
    ref::ConvParams cp = plan(conv_in);
    Shape out = conv_in[0];
    out.dim(-3) = out_channels_;
    out.dim(-2) = cp.out_size[1];
    out.dim(-1) = cp.out_size[2];
    return out;
  }

#if defined(MOREL_WITH_DNNL)
  kernels::cpu::EpilogueSetup epilogue_setup(std::span<const Shape> inputs,
                                             const Shape& out) const {
    kernels::cpu::EpilogueSetup e;
    e.epilogue = epilogue_;
    e.channels_last = channels_last_;
    e.result_shape = conv_shape(inputs);
    if (epilogue_.has_add()) e.addend_shape = inputs[epilogue_.add_input];
    e.out_shape = out;
    return e;
  }
#endif

  // The reference kernels, with channels-last data reordered around them and
  // the epilogue run after.
  void run_reference(const RunContext& ctx, std::span<const ConstTensorView> inputs,
                     std::span<const TensorView> outputs) const {
    std::vector<Shape> shapes;
    for (const ConstTensorView& t : inputs) shapes.push_back(t.shape);
    const std::vector<Shape> conv_in = conv_inputs(shapes);
    const ref::ConvParams cp = plan(conv_in);
    const Shape& in = conv_in[0];
    const Shape conv = conv_shape(shapes);
    const TensorView& out = outputs[0];
    const ChannelPlanes iv = channel_planes(in), ov = channel_planes(conv);
    float* scratch = ctx.workspace;

    // Workspace: [joined input (parts only)] [plain input (channels-last
    // only)] [plain result] [result reordered (channels-last only)]. The
    // result goes straight to the output unless the output is the addend's
    // memory or a bigger addend broadcasts it.
    const float* x = concat_.join(inputs, channels_last_, scratch, ctx.threads);
    if (channels_last_) {
      kernels::reference::to_plain(x, scratch, iv.outer, iv.channels, iv.spatial, ctx.threads);
      x = scratch;
      scratch += in.count();
    }
    const float* addend = epilogue_.has_add() ? inputs[epilogue_.add_input].data : nullptr;
    const bool to_output = addend != out.data && out.shape == conv;
    float* y = to_output && !channels_last_ ? out.data : scratch;
    const int64_t items = in.count(0, in.rank() - 3);
    const float* w = runtime_weights_ ? inputs[1].data : weights_.data();
    const float* b = bias_.empty() ? nullptr : bias_.data();
    if (deconv_)
      ref::deconvolution(cp, items, x, w, b, y, ctx.threads);
    else
      ref::convolution(cp, items, x, w, b, y, ctx.threads);
    if (channels_last_) {
      float* dst = to_output ? out.data : scratch + conv.count();
      kernels::reference::to_channels_last(y, dst, ov.outer, ov.channels, ov.spatial, ctx.threads);
      y = dst;
    }
    if (epilogue_.empty()) return;
    auto stored = [&](const Shape& s) { return channels_last_ ? channels_last_shape(s) : s; };
    const Shape addend_shape = addend ? inputs[epilogue_.add_input].shape : Shape{};
    run_epilogue(epilogue_, ctx.threads, y, stored(conv), addend, stored(addend_shape), out.data,
                 stored(out.shape));
  }

  // A repeated [H, W] field: empty takes the default for both.
  static void read_pair(const google::protobuf::RepeatedField<uint64_t>& values,
                        const std::string& field, int64_t fallback, std::array<int64_t, 2>& out) {
    require(values.empty() || values.size() == 2,
            field + " has " + str(values.size()) + " values; expected 2 ([H, W])");
    for (int a = 0; a < 2; ++a) {
      const std::string f = field + "[" + str(a) + "]";
      out[a] = values.empty() ? fallback : positive(uparam(values[a], f), f);
    }
  }

  // Kernel geometry for these input shapes; throws when they do not fit.
  ref::ConvParams plan(std::span<const Shape> inputs) const {
    const Shape& in = inputs[0];
    if (rank5_)
      require_shape(in.rank() == 5, "input has rank " + str(in.rank()) + " (" + in.str() +
                                        "); a rank-5 network expects [Seq, Batch, C, H, W]");
    else
      require_shape(in.rank() >= 4, "input has rank " + str(in.rank()) + " (" + in.str() +
                                        "); expected rank 4 or more ([..., C, H, W])");
    const int64_t in_channels = in.dim(-3);
    if (deconv_)
      require_channels(in, -3, kernel_channels_, "deconvolution (kernelChannels)");
    else
      require_channels(in, -3, kernel_channels_ * groups_, "kernelChannels x nGroups");

    if (runtime_weights_) {
      // [outputChannels, kernelChannels, kH, kW], possibly behind leading 1s.
      const Shape& w = inputs[1];
      const Shape expected{out_channels_, kernel_channels_, kernel_[0], kernel_[1]};
      bool ok = w.rank() >= 4;
      for (int i = 0; ok && i < w.rank(); ++i)
        ok = i < w.rank() - 4 ? w[i] == 1 : w[i] == expected[i - (w.rank() - 4)];
      require_shape(ok, "weights input has shape " + w.str() + "; expected " + expected.str() +
                            " ([outputChannels, kernelChannels, kernelHeight, kernelWidth])");
    }

    ref::ConvParams cp;
    cp.in_channels = in_channels;
    cp.out_channels = out_channels_;
    cp.groups = groups_;
    for (int a = 0; a < 2; ++a) {
      const int k = a + 1;  // kernel axis: 0 is the unit depth
      const int64_t size = in.dim(-2 + a);
      const char* axis_name = a == 0 ? "height" : "width";
      require_shape(size >= 1, std::string("input ") + axis_name + " is " + str(size));
      const int64_t s = stride_[a], d = dilation_[a];
      const int64_t kernel = (kernel_[a] - 1) * d + 1;  // dilated extent
      int64_t out = 0, before = 0;
      if (!deconv_) {
        if (same_) {
          out = ceil_div(size, s);
          const int64_t total = std::max<int64_t>(0, (out - 1) * s + kernel - size);
          before = same_pad_before(total, heavy_);
        } else {
          const int64_t padded = add(size, pad_start_[a] + pad_end_[a], "padded input size");
          require_shape(padded >= kernel, std::string("padded input ") + axis_name + " " +
                                              str(padded) + " is smaller than the kernel " +
                                              str(kernel) + " (kernelSize with dilation)");
          out = (padded - kernel) / s + 1;
          before = pad_start_[a];
        }
      } else {
        // The full transposed output spans (size - 1) * stride + kernel cells;
        // `before` is how many of its leading cells are cropped.
        const int64_t full =
            add(mul(size - 1, s, "deconvolution output size"), kernel, "deconvolution output size");
        if (same_) {
          // outputShape replaces the size; the crop still follows the same
          // rule, sized from the requested output (this choice matches the
          // natural size H_in * stride when outputShape equals it).
          out = has_output_shape_ ? output_shape_[a] : mul(size, s, "deconvolution output size");
          before = same_pad_before(std::max<int64_t>(0, full - out), heavy_);
        } else {
          // The format says the padding type is "ignored" with outputShape;
          // we read that as: outputShape sets the size, while the leading
          // paddingAmounts still crop the start (what converters rely on for
          // a padded transposed convolution with output padding).
          before = pad_start_[a];
          out = has_output_shape_ ? output_shape_[a] : full - pad_start_[a] - pad_end_[a];
          require_shape(out >= 1, std::string("deconvolution output ") + axis_name + " is " +
                                      str(out) + " after removing paddingAmounts " +
                                      str(pad_start_[a]) + " + " + str(pad_end_[a]) + " from " +
                                      str(full));
        }
      }
      cp.in_size[k] = size;
      cp.out_size[k] = out;
      cp.kernel[k] = kernel_[a];
      cp.stride[k] = s;
      cp.dilation[k] = d;
      cp.pad_before[k] = before;
    }
    return cp;
  }

  bool rank5_ = true;
  bool deconv_ = false;
  bool runtime_weights_ = false;
  int64_t out_channels_ = 1, kernel_channels_ = 1, groups_ = 1;
  std::array<int64_t, 2> kernel_{3, 3}, stride_{1, 1}, dilation_{1, 1};
  bool same_ = false;
  Heavy heavy_ = Heavy::kEnd;
  std::array<int64_t, 2> pad_start_{0, 0}, pad_end_{0, 0};  // valid padding amounts
  bool has_output_shape_ = false;
  std::array<int64_t, 2> output_shape_{0, 0};
  WeightData weights_;          // kernel layout (see the reference kernels)
  std::vector<float> bias_;     // empty: no bias
  Epilogue epilogue_;           // what the passes fused after the convolution
  bool channels_last_ = false;  // input, output and addend are channels-last
  InputConcat concat_;          // input 0 joined from parts (fuse_input_concat)
};

// ---------------------------------------------------------------------------
// Convolution3DLayerParams
// ---------------------------------------------------------------------------

class Convolution3DOp final : public Op {
 public:
  Convolution3DOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
    if (ctx.rank5)
      unsupported(
          "convolution3d in a rank-5 network: its [Batch, C, D, H, W] input needs exact "
          "shapes (EXACT_ARRAY_MAPPING)");
    const spec::Convolution3DLayerParams& p = layer.convolution3d();
    deconv_ = p.isdeconvolution();
    out_channels_ =
        positive(param(int64_t(p.outputchannels()), "outputChannels"), "outputChannels");
    in_channels_ = positive(param(int64_t(p.inputchannels()), "inputChannels"), "inputChannels");
    // nGroups left at 0 is read as 1, like the 2-D layer's default.
    groups_ = p.ngroups() == 0 ? 1 : positive(param(int64_t(p.ngroups()), "nGroups"), "nGroups");
    require(in_channels_ % groups_ == 0, "inputChannels = " + str(in_channels_) +
                                             " is not divisible by nGroups = " + str(groups_));
    require(out_channels_ % groups_ == 0, "outputChannels = " + str(out_channels_) +
                                              " is not divisible by nGroups = " + str(groups_));
    const std::array<int32_t, 3> k{p.kerneldepth(), p.kernelheight(), p.kernelwidth()};
    const std::array<int32_t, 3> s{p.stridedepth(), p.strideheight(), p.stridewidth()};
    const std::array<int32_t, 3> d{p.dilationdepth(), p.dilationheight(), p.dilationwidth()};
    const std::array<int32_t, 3> before{p.custompaddingfront(), p.custompaddingtop(),
                                        p.custompaddingleft()};
    const std::array<int32_t, 3> after{p.custompaddingback(), p.custompaddingbottom(),
                                       p.custompaddingright()};
    static const char* kAxis[3] = {"Depth", "Height", "Width"};
    static const char* kBefore[3] = {"customPaddingFront", "customPaddingTop", "customPaddingLeft"};
    static const char* kAfter[3] = {"customPaddingBack", "customPaddingBottom",
                                    "customPaddingRight"};
    switch (p.paddingtype()) {
      case spec::Convolution3DLayerParams::CUSTOM: padding_ = Padding::kCustom; break;
      case spec::Convolution3DLayerParams::VALID: padding_ = Padding::kValid; break;
      case spec::Convolution3DLayerParams::SAME: padding_ = Padding::kSame; break;
      default: require(false, "paddingType = " + str(p.paddingtype()) + " is not a known type");
    }
    for (int a = 0; a < 3; ++a) {
      kernel_[a] = positive(param(int64_t(k[a]), std::string("kernel") + kAxis[a]),
                            std::string("kernel") + kAxis[a]);
      stride_[a] = positive(param(int64_t(s[a]), std::string("stride") + kAxis[a]),
                            std::string("stride") + kAxis[a]);
      dilation_[a] = positive(param(int64_t(d[a]), std::string("dilation") + kAxis[a]),
                              std::string("dilation") + kAxis[a]);
      if (padding_ == Padding::kCustom) {
        pad_before_[a] = param(int64_t(before[a]), kBefore[a]);
        pad_after_[a] = param(int64_t(after[a]), kAfter[a]);
      }
    }
    if (deconv_ && !p.outputshape().empty()) {
      require(p.outputshape_size() == 3, "outputShape has " + str(p.outputshape_size()) +
                                             " values; expected 3 ([D_out, H_out, W_out])");
      for (int a = 0; a < 3; ++a)
        output_shape_[a] = positive(uparam(p.outputshape(a), "outputShape[" + str(a) + "]"),
                                    "outputShape[" + str(a) + "]");
      has_output_shape_ = true;
    }

    const int64_t taps = weight_count({kernel_[0], kernel_[1], kernel_[2]});
    const int64_t in_per_group = in_channels_ / groups_, out_per_group = out_channels_ / groups_;
    if (!deconv_) {
      // [outputChannels, inputChannels / nGroups, kD, kH, kW].
      const int64_t count = weight_count({out_channels_, in_per_group, taps});
      weights_ =
          weights(p.weights(), count, "weights", ChannelLayout{out_channels_, in_per_group * taps});
    } else {
      // Stored [outputChannels / nGroups, inputChannels, kD, kH, kW]; the
      // kernel wants [inputChannels, outputChannels / nGroups, kD, kH, kW].
      const int64_t count = weight_count({out_per_group, in_channels_, taps});
      std::vector<float> stored =
          weights(p.weights(), count, "weights", ChannelLayout{out_per_group, in_channels_ * taps});
      weights_.resize(stored.size());
      for (int64_t o = 0; o < out_per_group; ++o)
        for (int64_t c = 0; c < in_channels_; ++c)
          std::copy_n(stored.begin() + (o * in_channels_ + c) * taps, taps,
                      weights_.begin() + (c * out_per_group + o) * taps);
    }
    bias_ = decode_bias(p.hasbias(), p.bias(), out_channels_, "bias");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    ref::ConvParams cp = plan(inputs[0]);
    Shape out = inputs[0];
    out[1] = out_channels_;
    int64_t total = mul(out[0], out_channels_, "output element count");
    for (int a = 0; a < 3; ++a) {
      out[2 + a] = cp.out_size[a];
      total = mul(total, cp.out_size[a], "output element count");
    }
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::ConvParams cp = plan(inputs[0].shape);
    const int64_t items = inputs[0].shape[0];
    const float* b = bias_.empty() ? nullptr : bias_.data();
    if (deconv_)
      ref::deconvolution(cp, items, inputs[0].data, weights_.data(), b, outputs[0].data,
                         ctx.threads);
    else
      ref::convolution(cp, items, inputs[0].data, weights_.data(), b, outputs[0].data, ctx.threads);
  }

 private:
  enum class Padding { kCustom, kValid, kSame };

  ref::ConvParams plan(const Shape& in) const {
    require_shape(in.rank() == 5, "input has rank " + str(in.rank()) + " (" + in.str() +
                                      "); expected rank 5 ([Batch, C, D, H, W])");
    require_channels(in, 1, in_channels_, "inputChannels");
    ref::ConvParams cp;
    cp.in_channels = in_channels_;
    cp.out_channels = out_channels_;
    cp.groups = groups_;
    static const char* kName[3] = {"depth", "height", "width"};
    for (int a = 0; a < 3; ++a) {
      const int64_t size = in[2 + a];
      require_shape(size >= 1, std::string("input ") + kName[a] + " is " + str(size));
      const int64_t s = stride_[a];
      const int64_t kernel = (kernel_[a] - 1) * dilation_[a] + 1;  // dilated extent
      int64_t out = 0, before = 0;
      if (!deconv_) {
        if (padding_ == Padding::kSame) {
          // Odd totals put the extra cell at the back / bottom / right.
          out = ceil_div(size, s);
          before = std::max<int64_t>(0, (out - 1) * s + kernel - size) / 2;
        } else {
          const int64_t padded = add(size, pad_before_[a] + pad_after_[a], "padded input size");
          require_shape(padded >= kernel, std::string("padded input ") + kName[a] + " " +
                                              str(padded) + " is smaller than the kernel " +
                                              str(kernel) + " (with dilation)");
          out = (padded - kernel) / s + 1;
          before = pad_before_[a];
        }
      } else {
        const int64_t full =
            add(mul(size - 1, s, "deconvolution output size"), kernel, "deconvolution output size");
        if (padding_ == Padding::kSame) {
          out = has_output_shape_ ? output_shape_[a] : mul(size, s, "deconvolution output size");
          before = std::max<int64_t>(0, full - out) / 2;
        } else {
          // As in the 2-D layer: outputShape sets the size, the leading
          // custom padding still crops the start.
          before = pad_before_[a];
          out = has_output_shape_ ? output_shape_[a] : full - pad_before_[a] - pad_after_[a];
          require_shape(out >= 1, std::string("deconvolution output ") + kName[a] + " is " +
                                      str(out) + " after removing the custom padding");
        }
      }
      cp.in_size[a] = size;
      cp.out_size[a] = out;
      cp.kernel[a] = kernel_[a];
      cp.stride[a] = s;
      cp.dilation[a] = dilation_[a];
      cp.pad_before[a] = before;
    }
    return cp;
  }

  bool deconv_ = false;
  int64_t out_channels_ = 1, in_channels_ = 1, groups_ = 1;
  std::array<int64_t, 3> kernel_{1, 1, 1}, stride_{1, 1, 1}, dilation_{1, 1, 1};
  Padding padding_ = Padding::kCustom;
  std::array<int64_t, 3> pad_before_{0, 0, 0}, pad_after_{0, 0, 0};  // custom padding
  bool has_output_shape_ = false;
  std::array<int64_t, 3> output_shape_{0, 0, 0};
  std::vector<float> weights_;  // kernel layout (see the reference kernels)
  std::vector<float> bias_;
};

std::unique_ptr<Op> lower_convolution(const spec::NeuralNetworkLayer& layer,
                                      const LowerContext& ctx) {
  return std::make_unique<ConvolutionOp>(layer, ctx);
}
std::unique_ptr<Op> lower_convolution3d(const spec::NeuralNetworkLayer& layer,
                                        const LowerContext& ctx) {
  return std::make_unique<Convolution3DOp>(layer, ctx);
}

}  // namespace

void register_convolution_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kConvolution, &lower_convolution);
  r.add(spec::NeuralNetworkLayer::kConvolution3D, &lower_convolution3d);
}

}  // namespace morel::graph
