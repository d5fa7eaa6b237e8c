// Layer family: resize — upsample, resizeBilinear and cropResize: spatial
// resampling of the last two axes (H, W).
#include <cmath>
#include <string>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/resize.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// Bound on any size this family computes, so that products cannot overflow.
constexpr int64_t kMaxCount = int64_t(1) << 40;

// A [H, W] size list where empty means [1, 1] (scalingFactor, targetSize).
void size_pair(const google::protobuf::RepeatedField<uint64_t>& values, const std::string& field,
               int64_t out[2]) {
  out[0] = out[1] = 1;
  if (values.empty()) return;
  require(values.size() == 2,
          field + " has " + str(values.size()) + " values; expected 2 ([H, W])");
  for (int i = 0; i < 2; ++i) {
    const std::string name = field + "[" + str(i) + "]";
    require(values[i] > 0, name + " is 0; expected a positive value");
    require(values[i] <= uint64_t(kMaxCount),
            name + " = " + std::to_string(values[i]) + " is too large");
    out[i] = static_cast<int64_t>(values[i]);
  }
}

// a * b for non-negative sizes of an input shape; too large is an input error.
int64_t checked_product(int64_t a, int64_t b, const std::string& what) {
  require_shape(b == 0 || a <= kMaxCount / b,
                what + " (" + str(a) + " x " + str(b) + ") is too large");
  return a * b;
}

// The common input rule of the family: rank >= 3 (rank 5 in a rank-5
// network), the last two axes are H and W, all leading axes are independent.
void require_image(const Shape& x, bool rank5, const std::string& what) {
  if (rank5)
    require_shape(x.rank() == 5, what + " has rank " + str(x.rank()) +
                                     "; blobs of a rank-5 network are [Seq, Batch, C, H, W]");
  require_shape(x.rank() >= 3, what + " has rank " + str(x.rank()) + "; expected at least 3");
}

ref::SamplingMethod sampling_method(const spec::SamplingMode& mode, const std::string& field) {
  switch (mode.samplingmethod()) {
    case spec::SamplingMode::STRICT_ALIGN_ENDPOINTS_MODE:
      return ref::SamplingMethod::kStrictAlignEndpoints;
    case spec::SamplingMode::ALIGN_ENDPOINTS_MODE: return ref::SamplingMethod::kAlignEndpoints;
    case spec::SamplingMode::UPSAMPLE_MODE: return ref::SamplingMethod::kUpsample;
    case spec::SamplingMode::ROI_ALIGN_MODE: return ref::SamplingMethod::kRoiAlign;
    default: break;
  }
  require(false, field + ".samplingMethod has unknown value " + str(mode.samplingmethod()));
  return {};
}

// --- upsample ---------------------------------------------------------------

class UpsampleOp final : public Op {
 public:
  UpsampleOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    const spec::UpsampleLayerParams& p = layer.upsample();
    switch (p.mode()) {
      case spec::UpsampleLayerParams::NN: bilinear_ = false; break;
      case spec::UpsampleLayerParams::BILINEAR: bilinear_ = true; break;
      default: require(false, "mode has unknown value " + str(p.mode()));
    }
    switch (p.linearupsamplemode()) {
      case spec::UpsampleLayerParams::DEFAULT:
        linear_mode_ = ref::LinearUpsampleMode::kDefault;
        break;
      case spec::UpsampleLayerParams::ALIGN_CORNERS_TRUE:
        linear_mode_ = ref::LinearUpsampleMode::kAlignCornersTrue;
        break;
      case spec::UpsampleLayerParams::ALIGN_CORNERS_FALSE:
        linear_mode_ = ref::LinearUpsampleMode::kAlignCornersFalse;
        break;
      default:
        require(false, "linearUpsampleMode has unknown value " + str(p.linearupsamplemode()));
    }
    // linearUpsampleMode only concerns BILINEAR; nearest-neighbour ignores it.
    if (!p.fractionalscalingfactor().empty()) {
      require(
          p.scalingfactor().empty(),
          "scalingFactor and fractionalScalingFactor are both set; they are mutually exclusive");
      require(p.fractionalscalingfactor_size() == 2, "fractionalScalingFactor has " +
                                                         str(p.fractionalscalingfactor_size()) +
                                                         " values; expected 2 ([H, W])");
      for (int i = 0; i < 2; ++i) {
        const float f = p.fractionalscalingfactor(i);
        require(std::isfinite(f) && f > 0.f && f <= 65536.f,
                "fractionalScalingFactor[" + str(i) + "] = " + std::to_string(f) +
                    "; expected a positive finite factor");
        fraction_[i] = f;
      }
      // Which input pixel a fractional nearest-neighbour output takes is not
      // defined by the format.
      if (!bilinear_) unsupported("fractionalScalingFactor with mode NN is not run");
      fractional_ = true;
    } else {
      size_pair(p.scalingfactor(), "scalingFactor", scale_);
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_image(x, rank5_, "input");
    Shape out = x;
    for (int i = 0; i < 2; ++i) {
      const int64_t in = x.dim(i - 2);
      if (fractional_) {
        // Output size: the input size times the factor, rounded down.
        const double size = std::floor(double(in) * double(fraction_[i]));
        require_shape(size <= double(kMaxCount), "upsampled size is too large");
        out.dim(i - 2) = static_cast<int64_t>(size);
        require_shape(in == 0 || out.dim(i - 2) > 0,
                      "input " + x.str() + " upsampled by fractionalScalingFactor is empty");
      } else {
        out.dim(i - 2) = checked_product(in, scale_[i], "upsampled size");
      }
    }
    checked_product(out.count(0, out.rank() - 1), out.dim(-1), "output size");
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& xs = inputs[0].shape;
    const Shape& ys = outputs[0].shape;
    const int64_t in_h = xs.dim(-2), in_w = xs.dim(-1);
    const int64_t planes = xs.count(0, xs.rank() - 2);
    if (outputs[0].count() == 0) return;
    if (!bilinear_) {
      ref::NearestUpsampleParams p{planes, in_h, in_w, scale_[0], scale_[1]};
      ref::upsample_nearest(p, inputs[0].data, outputs[0].data, ctx.threads);
      return;
    }
    const int64_t out_h = ys.dim(-2), out_w = ys.dim(-1);
    const std::vector<double> rows = ref::upsample_grid(linear_mode_, in_h, out_h);
    const std::vector<double> cols = ref::upsample_grid(linear_mode_, in_w, out_w);
    ref::BilinearParams p{planes, in_h, in_w, out_h, out_w};
    ref::bilinear_sample(p, rows.data(), cols.data(), inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  bool rank5_;
  bool bilinear_ = false;
  bool fractional_ = false;
  ref::LinearUpsampleMode linear_mode_ = ref::LinearUpsampleMode::kDefault;
  int64_t scale_[2] = {1, 1};
  float fraction_[2] = {1.f, 1.f};
};

// --- resizeBilinear ---------------------------------------------------------

class ResizeBilinearOp final : public Op {
 public:
  ResizeBilinearOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    const spec::ResizeBilinearLayerParams& p = layer.resizebilinear();
    size_pair(p.targetsize(), "targetSize", target_);
    method_ = sampling_method(p.mode(), "mode");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_image(x, rank5_, "input");
    require_shape(x.dim(-2) > 0 && x.dim(-1) > 0, "input " + x.str() + " has an empty H or W axis");
    Shape out = x;
    out.dim(-2) = target_[0];
    out.dim(-1) = target_[1];
    checked_product(checked_product(out.count(0, out.rank() - 2), target_[0], "output size"),
                    target_[1], "output size");
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& xs = inputs[0].shape;
    const int64_t in_h = xs.dim(-2), in_w = xs.dim(-1);
    if (outputs[0].count() == 0) return;
    const std::vector<double> rows = ref::sampling_grid(method_, 0.0, double(in_h - 1), target_[0]);
    const std::vector<double> cols = ref::sampling_grid(method_, 0.0, double(in_w - 1), target_[1]);
    ref::BilinearParams p{xs.count(0, xs.rank() - 2), in_h, in_w, target_[0], target_[1]};
    ref::bilinear_sample(p, rows.data(), cols.data(), inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  bool rank5_;
  int64_t target_[2] = {1, 1};
  ref::SamplingMethod method_ = ref::SamplingMethod::kStrictAlignEndpoints;
};

// --- cropResize -------------------------------------------------------------

class CropResizeOp final : public Op {
 public:
  explicit CropResizeOp(const spec::NeuralNetworkLayer& layer) {
    const spec::CropResizeLayerParams& p = layer.cropresize();
    size_pair(p.targetsize(), "targetSize", target_);
    method_ = sampling_method(p.mode(), "mode");
    switch (p.boxindicesmode().boxmode()) {
      case spec::BoxCoordinatesMode::CORNERS_HEIGHT_FIRST:
        box_mode_ = ref::BoxMode::kCornersHeightFirst;
        break;
      case spec::BoxCoordinatesMode::CORNERS_WIDTH_FIRST:
        box_mode_ = ref::BoxMode::kCornersWidthFirst;
        break;
      case spec::BoxCoordinatesMode::CENTER_SIZE_HEIGHT_FIRST:
        box_mode_ = ref::BoxMode::kCenterSizeHeightFirst;
        break;
      case spec::BoxCoordinatesMode::CENTER_SIZE_WIDTH_FIRST:
        box_mode_ = ref::BoxMode::kCenterSizeWidthFirst;
        break;
      default:
        require(false,
                "boxIndicesMode.boxMode has unknown value " + str(p.boxindicesmode().boxmode()));
    }
    normalized_ = p.normalizedcoordinates();
    // spatialScale 0 is the unset field; it is taken as 1 (no scaling).
    spatial_scale_ = p.spatialscale() == 0.f ? 1.f : p.spatialscale();
    require(std::isfinite(spatial_scale_) && spatial_scale_ > 0.f,
            "spatialScale = " + std::to_string(p.spatialscale()) + "; expected a positive value");
  }

  // image [1, Batch, C, H, W] and boxes [N, 1, 4, 1, 1] -> [N, Batch, C, H', W'];
  // boxes [N, 1, 5, 1, 1] (batch index first) -> [N, 1, C, H', W'].
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const Shape& x = inputs[0];
    const Shape& boxes = inputs[1];
    require_shape(x.rank() == 5 && x[0] == 1,
                  "input 0 has shape " + x.str() + "; expected rank 5 [1, Batch, C, H, W]");
    require_shape(boxes.rank() == 5 && boxes[1] == 1 && (boxes[2] == 4 || boxes[2] == 5) &&
                      boxes[3] == 1 && boxes[4] == 1,
                  "input 1 (boxes) has shape " + boxes.str() +
                      "; expected [N, 1, 4, 1, 1] or [N, 1, 5, 1, 1]");
    require_shape(x[3] > 0 && x[4] > 0, "input 0 " + x.str() + " has an empty H or W axis");
    const bool indexed = boxes[2] == 5;
    Shape out{boxes[0], indexed ? 1 : x[1], x[2], target_[0], target_[1]};
    int64_t total = 1;
    for (int64_t d : out) total = checked_product(total, d, "output size");
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& xs = inputs[0].shape;
    const ConstTensorView& boxes = inputs[1];
    ref::CropResizeParams p;
    p.batch = xs[1];
    p.channels = xs[2];
    p.in_h = xs[3];
    p.in_w = xs[4];
    p.boxes = boxes.shape[0];
    p.out_h = target_[0];
    p.out_w = target_[1];
    p.box_has_index = boxes.shape[2] == 5;
    p.box_mode = box_mode_;
    p.normalized = normalized_;
    p.spatial_scale = spatial_scale_;
    p.method = method_;
    if (outputs[0].count() == 0) return;
    // Data checks before any sampling: finite coordinates, valid image ids.
    const int64_t per_box = p.box_has_index ? 5 : 4;
    for (int64_t n = 0; n < p.boxes; ++n) {
      const float* box = boxes.data + n * per_box;
      for (int64_t k = 0; k < per_box; ++k)
        require_shape(std::isfinite(box[k]), "box " + str(n) + " has a non-finite value");
      if (p.box_has_index)
        require_shape(box[0] >= 0.f && box[0] < float(p.batch) && box[0] == std::floor(box[0]),
                      "box " + str(n) + " has batch index " + std::to_string(box[0]) +
                          "; expected an integer in [0, " + str(p.batch - 1) + "]");
    }
    ref::crop_resize(p, inputs[0].data, boxes.data, outputs[0].data, ctx.threads);
  }

  // Boxes are shared by (or pick among) the images along axis 1.
  bool batch_independent() const override { return false; }

 private:
  int64_t target_[2] = {1, 1};
  ref::SamplingMethod method_ = ref::SamplingMethod::kStrictAlignEndpoints;
  ref::BoxMode box_mode_ = ref::BoxMode::kCornersHeightFirst;
  bool normalized_ = false;
  float spatial_scale_ = 1.f;
};

std::unique_ptr<Op> lower_upsample(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) {
  return std::make_unique<UpsampleOp>(layer, ctx);
}
std::unique_ptr<Op> lower_resize_bilinear(const spec::NeuralNetworkLayer& layer,
                                          const LowerContext& ctx) {
  return std::make_unique<ResizeBilinearOp>(layer, ctx);
}
std::unique_ptr<Op> lower_crop_resize(const spec::NeuralNetworkLayer& layer,
                                      const LowerContext& /*ctx*/) {
  return std::make_unique<CropResizeOp>(layer);
}

}  // namespace

void register_resize_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kUpsample, &lower_upsample);
  r.add(spec::NeuralNetworkLayer::kResizeBilinear, &lower_resize_bilinear);
  r.add(spec::NeuralNetworkLayer::kCropResize, &lower_crop_resize);
}

}  // namespace morel::graph
