// Layer family: pooling. PoolingLayerParams (2-D max / average / L2 pooling,
// global pooling, valid / same / includeLastPixel padding),
// Pooling3DLayerParams and GlobalPooling3DLayerParams.
//
// All lower to the reference kernel in kernels/reference/pooling.h, which
// always sees three spatial axes; 2-D layers use a depth of 1.
//
// L2 is sqrt(sum of squares) over the window, with no divisor (the format
// names the type without a formula; this is L2-norm pooling as torch's
// lp_pool2d with p = 2 computes it for full windows).
// Padding never takes part in MAX (and adds nothing to L2); AVERAGE divides by
// the window's cells inside the padded input, or by its real input cells with
// avgPoolExcludePadding / countExcludePadding. A window that would hold no
// cell to take a value from (possible only with large explicit padding, or
// includeLastPixel without padding and a stride above the kernel size) is
// refused when the shapes are planned rather than given an invented value.
#include <algorithm>
#include <array>

#include "graph/input_concat.h"
#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/layout.h"
#include "kernels/reference/pooling.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/pooling.h"
#endif

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

// Largest kernel size, stride or padding a layer may ask for: far above
// anything real, and small enough that the shape arithmetic cannot overflow.
constexpr int64_t kMaxParam = int64_t(1) << 30;

int64_t uparam(uint64_t v, const std::string& field) {
  require(v <= uint64_t(kMaxParam),
          field + " = " + std::to_string(v) + " is too large (limit " + str(kMaxParam) + ")");
  return static_cast<int64_t>(v);
}
int64_t param(int64_t v, const std::string& field) {
  require(v >= 0, field + " = " + str(v) + "; expected a value >= 0");
  require(v <= kMaxParam, field + " = " + str(v) + " is too large (limit " + str(kMaxParam) + ")");
  return v;
}
int64_t positive(int64_t v, const std::string& field) {
  require(v > 0, field + " = " + str(v) + "; expected a positive value");
  return v;
}
int64_t add(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) require_shape(false, what + " overflows");
  return r;
}
int64_t ceil_div(int64_t a, int64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

const char* type_name(ref::PoolType t) {
  switch (t) {
    case ref::PoolType::kMax: return "MAX";
    case ref::PoolType::kAverage: return "AVERAGE";
    case ref::PoolType::kL2: return "L2";
  }
  return "?";
}

// Refuse windows that hold nothing to pool (see the file comment). Checking
// each axis alone is enough: a window is empty exactly when one of its axis
// ranges is.
void require_nonempty_windows(const ref::PoolParams& p, int first_axis,
                              const std::array<const char*, 3>& names) {
  for (int a = first_axis; a < 3; ++a) {
    for (int64_t o = 0; o < p.out_size[a]; ++o) {
      const ref::PoolWindow w = ref::pool_window(p, a, o);
      const bool needs_real =
          p.type == ref::PoolType::kMax || (p.type == ref::PoolType::kAverage && p.exclude_padding);
      const bool empty = w.padded == 0 || (needs_real && w.begin >= w.end);
      if (empty)
        unsupported(std::string(type_name(p.type)) + " pooling window " + str(o) + " along " +
                    names[a] + " covers no input cell (input " + str(p.in_size[a]) + ", kernel " +
                    str(p.kernel[a]) + ", stride " + str(p.stride[a]) + ", padding " +
                    str(p.pad_before[a]) + "+" + str(p.pad_after[a]) + ")");
    }
  }
}

// ---------------------------------------------------------------------------
// PoolingLayerParams
// ---------------------------------------------------------------------------

class PoolingOp final : public Op {
 public:
  PoolingOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    const spec::PoolingLayerParams& p = layer.pooling();
    switch (p.type()) {
      case spec::PoolingLayerParams::MAX: type_ = ref::PoolType::kMax; break;
      case spec::PoolingLayerParams::AVERAGE: type_ = ref::PoolType::kAverage; break;
      case spec::PoolingLayerParams::L2: type_ = ref::PoolType::kL2; break;
      default: require(false, "type = " + str(p.type()) + " is not a known pooling type");
    }
    global_ = p.globalpooling();
    exclude_padding_ = p.avgpoolexcludepadding();
    // Global pooling takes its window from the input; converters leave
    // kernelSize and stride at 0 then, so they are not read.
    if (!global_) {
      read_pair(p.kernelsize(), "kernelSize", 3, kernel_);
      read_pair(p.stride(), "stride", 1, stride_);
    }
    switch (p.PoolingPaddingType_case()) {
      case spec::PoolingLayerParams::kSame: {
        padding_ = Padding::kSame;
        const auto mode = p.same().asymmetrymode();
        require(mode == spec::SamePadding::BOTTOM_RIGHT_HEAVY ||
                    mode == spec::SamePadding::TOP_LEFT_HEAVY,
                "same.asymmetryMode = " + str(mode) + " is not a known mode");
        top_left_heavy_ = mode == spec::SamePadding::TOP_LEFT_HEAVY;
        break;
      }
      case spec::PoolingLayerParams::kIncludeLastPixel: {
        padding_ = Padding::kIncludeLastPixel;
        const auto& amounts = p.includelastpixel().paddingamounts();
        require(amounts.empty() || amounts.size() == 2, "includeLastPixel.paddingAmounts has " +
                                                            str(amounts.size()) +
                                                            " values; expected 2 ([H, W]) or none");
        for (int a = 0; a < amounts.size(); ++a)
          pad_start_[a] = pad_end_[a] =
              uparam(amounts[a], "includeLastPixel.paddingAmounts[" + str(a) + "]");
        break;
      }
      case spec::PoolingLayerParams::kValid: {
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
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    const size_t n = static_cast<size_t>(concat_.parts());
    require_inputs(inputs, n, n);
    const Shape in = concat_.joined(inputs);
    ref::PoolParams pp = plan(in);
    require_nonempty_windows(pp, 1, {"depth", "height", "width"});
    Shape out = in;
    out.dim(-2) = pp.out_size[1];
    out.dim(-1) = pp.out_size[2];
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
#if defined(MOREL_WITH_DNNL)
    if (ctx.plan) {
      static_cast<const kernels::cpu::Kernel*>(ctx.plan)->run(ctx, inputs, outputs);
      return;
    }
#endif
    const Shape in = concat_.joined(inputs);
    ref::PoolParams pp = plan(in);
    // Workspace: [joined input (parts only)] [plain input] [plain output]
    // (the last two for channels-last data, reordered around the reference kernel).
    float* scratch = ctx.workspace;
    const float* src = concat_.join(inputs, channels_last_, scratch, ctx.threads);
    if (!channels_last_) {
      ref::pooling(pp, in.count(0, in.rank() - 2), src, outputs[0].data, ctx.threads);
      return;
    }
    const ChannelPlanes iv = channel_planes(in), ov = channel_planes(outputs[0].shape);
    float* x = scratch;
    float* y = x + in.count();
    kernels::reference::to_plain(src, x, iv.outer, iv.channels, iv.spatial, ctx.threads);
    ref::pooling(pp, in.count(0, in.rank() - 2), x, y, ctx.threads);
    kernels::reference::to_channels_last(y, outputs[0].data, ov.outer, ov.channels, ov.spatial,
                                         ctx.threads);
  }

  int64_t workspace_size(std::span<const Shape> inputs,
                         std::span<const Shape> outputs) const override {
    const int64_t in = concat_.joined(inputs).count();
    return (concat_.fused() ? in : 0) + (channels_last_ ? in + outputs[0].count() : 0);
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs, std::span<const Shape>,
                                  const PrepareContext&) const override {
#if defined(MOREL_WITH_DNNL)
    const Shape in = concat_.joined(inputs);
    const int64_t items = in.count(0, in.rank() - 3);
    if (!concat_.fused())
      return kernels::cpu::prepare_pooling(plan(in), items, in.dim(-3), channels_last_);
    // Parts joined along another axis than the channels: the reference path.
    const std::vector<int64_t> channels = concat_.channel_parts(inputs);
    if (channels.empty()) return nullptr;
    return kernels::cpu::prepare_pooling_parts(plan(in), items, channels, channels_last_);
#else
    (void)inputs;
    return nullptr;
#endif
  }

  // Each part is pooled on its own, and only the (smaller) results are joined.
  bool fuse_input_concat(int64_t axis, int parts) override {
    return concat_.take(axis, parts);
  }

  LayoutSupport layout_support() const override {
    return LayoutSupport::kNative;
  }
  bool prefers_channels_last() const override {
    return true;
  }
  void set_channels_last() override {
    channels_last_ = true;
  }

 private:
  enum class Padding { kValid, kSame, kIncludeLastPixel };

  static void read_pair(const google::protobuf::RepeatedField<uint64_t>& values,
                        const std::string& field, int64_t fallback, std::array<int64_t, 2>& out) {
    require(values.empty() || values.size() == 2,
            field + " has " + str(values.size()) + " values; expected 2 ([H, W])");
    for (int a = 0; a < 2; ++a) {
      const std::string f = field + "[" + str(a) + "]";
      out[a] = values.empty() ? fallback : positive(uparam(values[a], f), f);
    }
  }

  ref::PoolParams plan(const Shape& in) const {
    if (rank5_)
      require_shape(in.rank() == 5, "input has rank " + str(in.rank()) + " (" + in.str() +
                                        "); a rank-5 network expects [Seq, Batch, C, H, W]");
    else
      require_shape(in.rank() >= 4, "input has rank " + str(in.rank()) + " (" + in.str() +
                                        "); expected rank 4 or more ([..., C, H, W])");
    ref::PoolParams pp;
    pp.type = type_;
    pp.exclude_padding = exclude_padding_;
    const bool any_padding = pad_start_[0] > 0 || pad_start_[1] > 0;
    for (int a = 0; a < 2; ++a) {
      const int k = a + 1;  // kernel axis: 0 is the unit depth
      const int64_t size = in.dim(-2 + a);
      const char* axis_name = a == 0 ? "height" : "width";
      require_shape(size >= 1, std::string("input ") + axis_name + " is " + str(size));
      pp.in_size[k] = size;
      if (global_) {
        // The window is the whole plane; padding and stride play no part.
        pp.kernel[k] = size;
        pp.out_size[k] = 1;
        continue;
      }
      const int64_t kernel = kernel_[a], s = stride_[a];
      int64_t out = 0, before = 0, after = 0;
      switch (padding_) {
        case Padding::kValid: {
          const int64_t padded = add(size, pad_start_[a] + pad_end_[a], "padded input size");
          require_shape(padded >= kernel, std::string("padded input ") + axis_name + " " +
                                              str(padded) + " is smaller than kernelSize[" +
                                              str(a) + "] = " + str(kernel));
          out = (padded - kernel) / s + 1;
          before = pad_start_[a];
          after = pad_end_[a];
          break;
        }
        case Padding::kSame: {
          out = ceil_div(size, s);
          const int64_t total = std::max<int64_t>(0, (out - 1) * s + kernel - size);
          before = top_left_heavy_ ? total - total / 2 : total / 2;
          after = total - before;
          break;
        }
        case Padding::kIncludeLastPixel: {
          // Ceil-mode output size; with padding, a last window starting at or
          // beyond the input plus its leading padding is dropped. (The format
          // drops it only when some padding is set; see the file comment for
          // what happens without.)
          const int64_t pad = pad_start_[a];
          const int64_t padded = add(size, 2 * pad, "padded input size");
          require_shape(padded >= kernel, std::string("padded input ") + axis_name + " " +
                                              str(padded) + " is smaller than kernelSize[" +
                                              str(a) + "] = " + str(kernel));
          out = ceil_div(padded - kernel, s) + 1;
          if (any_padding && (out - 1) * s >= size + pad) --out;
          before = after = pad;
          break;
        }
      }
      pp.kernel[k] = kernel;
      pp.stride[k] = s;
      pp.pad_before[k] = before;
      pp.pad_after[k] = after;
      pp.out_size[k] = out;
    }
    return pp;
  }

  bool rank5_ = true;
  bool channels_last_ = false;  // input and output are channels-last
  ref::PoolType type_ = ref::PoolType::kMax;
  bool global_ = false;
  bool exclude_padding_ = false;
  std::array<int64_t, 2> kernel_{3, 3}, stride_{1, 1};
  Padding padding_ = Padding::kValid;
  bool top_left_heavy_ = false;
  std::array<int64_t, 2> pad_start_{0, 0}, pad_end_{0, 0};
  InputConcat concat_;  // the input joined from parts (fuse_input_concat)
};

// ---------------------------------------------------------------------------
// Pooling3DLayerParams, GlobalPooling3DLayerParams
// ---------------------------------------------------------------------------

void require_rank5_input(const Shape& in) {
  require_shape(in.rank() == 5, "input has rank " + str(in.rank()) + " (" + in.str() +
                                    "); expected rank 5 ([Batch, C, D, H, W])");
  for (int a = 2; a < 5; ++a)
    require_shape(in[a] >= 1, "input " + in.str() + " has an empty spatial axis");
}

class Pooling3DOp final : public Op {
 public:
  Pooling3DOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
    if (ctx.rank5)
      unsupported(
          "pooling3d in a rank-5 network: its [Batch, C, D, H, W] input needs exact "
          "shapes (EXACT_ARRAY_MAPPING)");
    const spec::Pooling3DLayerParams& p = layer.pooling3d();
    switch (p.type()) {
      case spec::Pooling3DLayerParams::MAX: type_ = ref::PoolType::kMax; break;
      case spec::Pooling3DLayerParams::AVERAGE: type_ = ref::PoolType::kAverage; break;
      default: require(false, "type = " + str(p.type()) + " is not a known pooling3d type");
    }
    switch (p.paddingtype()) {
      case spec::Pooling3DLayerParams::CUSTOM: padding_ = Padding::kCustom; break;
      case spec::Pooling3DLayerParams::VALID: padding_ = Padding::kValid; break;
      case spec::Pooling3DLayerParams::SAME: padding_ = Padding::kSame; break;
      default: require(false, "paddingType = " + str(p.paddingtype()) + " is not a known type");
    }
    exclude_padding_ = p.countexcludepadding();
    const std::array<int32_t, 3> k{p.kerneldepth(), p.kernelheight(), p.kernelwidth()};
    const std::array<int32_t, 3> s{p.stridedepth(), p.strideheight(), p.stridewidth()};
    const std::array<int32_t, 3> before{p.custompaddingfront(), p.custompaddingtop(),
                                        p.custompaddingleft()};
    const std::array<int32_t, 3> after{p.custompaddingback(), p.custompaddingbottom(),
                                       p.custompaddingright()};
    static const char* kAxis[3] = {"Depth", "Height", "Width"};
    static const char* kBefore[3] = {"customPaddingFront", "customPaddingTop", "customPaddingLeft"};
    static const char* kAfter[3] = {"customPaddingBack", "customPaddingBottom",
                                    "customPaddingRight"};
    for (int a = 0; a < 3; ++a) {
      const std::string kf = std::string("kernel") + kAxis[a];
      const std::string sf = std::string("stride") + kAxis[a];
      kernel_[a] = positive(param(int64_t(k[a]), kf), kf);
      stride_[a] = positive(param(int64_t(s[a]), sf), sf);
      if (padding_ == Padding::kCustom) {
        pad_before_[a] = param(int64_t(before[a]), kBefore[a]);
        pad_after_[a] = param(int64_t(after[a]), kAfter[a]);
      }
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    ref::PoolParams pp = plan(inputs[0]);
    require_nonempty_windows(pp, 0, {"depth", "height", "width"});
    Shape out = inputs[0];
    for (int a = 0; a < 3; ++a) out[2 + a] = pp.out_size[a];
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    ref::pooling(plan(in), in[0] * in[1], inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  enum class Padding { kCustom, kValid, kSame };

  ref::PoolParams plan(const Shape& in) const {
    require_rank5_input(in);
    ref::PoolParams pp;
    pp.type = type_;
    pp.exclude_padding = exclude_padding_;
    static const char* kName[3] = {"depth", "height", "width"};
    for (int a = 0; a < 3; ++a) {
      const int64_t size = in[2 + a], kernel = kernel_[a], s = stride_[a];
      int64_t out = 0, before = 0, after = 0;
      if (padding_ == Padding::kSame) {
        // Output ceil(size / stride) (the format says "the same spatial
        // dimensions as the input", which is this for stride 1; for larger
        // strides we follow Convolution3D's SAME rule); an odd total padding
        // puts the extra cell at the back / bottom / right.
        out = ceil_div(size, s);
        const int64_t total = std::max<int64_t>(0, (out - 1) * s + kernel - size);
        before = total / 2;
        after = total - before;
      } else {
        before = pad_before_[a];
        after = pad_after_[a];
        const int64_t padded = add(size, before + after, "padded input size");
        require_shape(padded >= kernel, std::string("padded input ") + kName[a] + " " +
                                            str(padded) + " is smaller than the kernel " +
                                            str(kernel));
        out = (padded - kernel) / s + 1;
      }
      pp.in_size[a] = size;
      pp.out_size[a] = out;
      pp.kernel[a] = kernel;
      pp.stride[a] = s;
      pp.pad_before[a] = before;
      pp.pad_after[a] = after;
    }
    return pp;
  }

  ref::PoolType type_ = ref::PoolType::kMax;
  Padding padding_ = Padding::kCustom;
  bool exclude_padding_ = false;
  std::array<int64_t, 3> kernel_{1, 1, 1}, stride_{1, 1, 1};
  std::array<int64_t, 3> pad_before_{0, 0, 0}, pad_after_{0, 0, 0};
};

class GlobalPooling3DOp final : public Op {
 public:
  GlobalPooling3DOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
    if (ctx.rank5)
      unsupported(
          "globalPooling3d in a rank-5 network: its [Batch, C, D, H, W] input needs "
          "exact shapes (EXACT_ARRAY_MAPPING)");
    const spec::GlobalPooling3DLayerParams& p = layer.globalpooling3d();
    switch (p.type()) {
      case spec::GlobalPooling3DLayerParams::MAX: type_ = ref::PoolType::kMax; break;
      case spec::GlobalPooling3DLayerParams::AVERAGE: type_ = ref::PoolType::kAverage; break;
      default: require(false, "type = " + str(p.type()) + " is not a known globalPooling3d type");
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_rank5_input(inputs[0]);
    Shape out = inputs[0];
    out[2] = out[3] = out[4] = 1;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    ref::PoolParams pp;
    pp.type = type_;
    for (int a = 0; a < 3; ++a) pp.in_size[a] = pp.kernel[a] = in[2 + a];
    ref::pooling(pp, in[0] * in[1], inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  ref::PoolType type_ = ref::PoolType::kMax;
};

std::unique_ptr<Op> lower_pooling(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
  return std::make_unique<PoolingOp>(layer, ctx);
}
std::unique_ptr<Op> lower_pooling3d(const spec::NeuralNetworkLayer& layer,
                                    const LowerContext& ctx) {
  return std::make_unique<Pooling3DOp>(layer, ctx);
}
std::unique_ptr<Op> lower_global_pooling3d(const spec::NeuralNetworkLayer& layer,
                                           const LowerContext& ctx) {
  return std::make_unique<GlobalPooling3DOp>(layer, ctx);
}

}  // namespace

void register_pooling_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kPooling, &lower_pooling);
  r.add(spec::NeuralNetworkLayer::kPooling3D, &lower_pooling3d);
  r.add(spec::NeuralNetworkLayer::kGlobalPooling3D, &lower_global_pooling3d);
}

}  // namespace morel::graph
