// Layer family: slicing. crop, slice (legacy, one of C/H/W), sliceStatic,
// sliceBySize and the value-independent forms of sliceDynamic. All of them
// lower to one strided window copy (kernels/reference/slicing.h).
#include <algorithm>
#include <cmath>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/slicing.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// A float holding an index, as an integer. Throws naming `what` unless it is
// finite and integral.
int64_t index_value(float v, const std::string& what) {
  if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 1e15f)
    throw Error(ErrorCode::kInvalidInput, what + " = " + std::to_string(v) +
                                              " is not an integer index (of magnitude <= 1e15)");
  return static_cast<int64_t>(v);
}

// The window on one axis of size n: first index and element count.
struct AxisWindow {
  int64_t begin = 0;
  int64_t count = 0;
  int64_t step = 1;
};

// NumPy's rule for a slice begin:end:step on an axis of size n, where a
// masked begin or end counts as omitted ("the fullest range": from the first
// element for a positive step, from the last for a negative one). Indices
// count from the end when negative and are clamped to the axis.
AxisWindow numpy_slice(int64_t n, int64_t begin, bool begin_masked, int64_t end, bool end_masked,
                       int64_t step) {
  AxisWindow w;
  w.step = step;
  auto wrap = [n](int64_t i) { return i < 0 ? i + n : i; };  // no overflow: |n| < 2^62
  if (step > 0) {
    int64_t b = begin_masked ? 0 : std::clamp<int64_t>(wrap(begin), 0, n);
    int64_t e = end_masked ? n : std::clamp<int64_t>(wrap(end), 0, n);
    w.begin = b;
    w.count = e > b ? (e - b - 1) / step + 1 : 0;
  } else {
    int64_t b = begin_masked ? n - 1 : std::clamp<int64_t>(wrap(begin), -1, n - 1);
    int64_t e = end_masked ? -1 : std::clamp<int64_t>(wrap(end), -1, n - 1);
    w.begin = b;
    w.count = b > e ? (b - e - 1) / (-step) + 1 : 0;
  }
  return w;
}

// ---------------------------------------------------------------------------
// crop: one input cropped by cropAmounts ([H, W] border sizes), or two inputs
// where the output takes the second input's H and W, starting at offset [H, W].
class CropOp final : public Op {
 public:
  CropOp(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
    require_one_output(layer);
    const auto& p = layer.crop();
    inputs_ = layer.input_size();
    require(inputs_ == 1 || inputs_ == 2, "expects 1 or 2 inputs, got " + str(inputs_));
    if (inputs_ == 2) {
      // The two-input form reads only `offset` (cropAmounts is ignored).
      require(p.offset_size() == 2,
              "offset has " + str(p.offset_size()) + " values; expected 2 ([H, W])");
      top_ = param_size(p.offset(0), "offset[0]");
      left_ = param_size(p.offset(1), "offset[1]");
    } else {
      // The one-input form reads only `cropAmounts` (offset is ignored).
      const auto& b = p.cropamounts().borderamounts();
      require(b.size() == 2,
              "cropAmounts.borderAmounts has " + str(b.size()) + " entries; expected 2 ([H, W])");
      top_ = param_size(b[0].startedgesize(), "cropAmounts[H].startEdgeSize");
      bottom_ = param_size(b[0].endedgesize(), "cropAmounts[H].endEdgeSize");
      left_ = param_size(b[1].startedgesize(), "cropAmounts[W].startEdgeSize");
      right_ = param_size(b[1].endedgesize(), "cropAmounts[W].endEdgeSize");
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, size_t(inputs_), size_t(inputs_));
    const Shape& x = inputs[0];
    require_shape(x.rank() >= 3, "input 0 has rank " + str(x.rank()) +
                                     "; crop needs rank >= 3 (axes -3, -2, -1 = C, H, W)");
    Shape out = x;
    const int64_t h = x.dim(-2), w = x.dim(-1);
    if (inputs_ == 1) {
      require_shape(top_ + bottom_ < h, "cropAmounts remove " + str(top_ + bottom_) +
                                            " rows of input height " + str(h) + "; none is left");
      require_shape(left_ + right_ < w, "cropAmounts remove " + str(left_ + right_) +
                                            " columns of input width " + str(w) + "; none is left");
      out.dim(-2) = h - top_ - bottom_;
      out.dim(-1) = w - left_ - right_;
    } else {
      const Shape& like = inputs[1];
      require_shape(like.rank() == x.rank(), "input 1 has rank " + str(like.rank()) +
                                                 "; crop needs both inputs of equal rank " +
                                                 str(x.rank()));
      require_shape(top_ + like.dim(-2) <= h, "offset[0] " + str(top_) + " + reference height " +
                                                  str(like.dim(-2)) + " exceeds input height " +
                                                  str(h));
      require_shape(left_ + like.dim(-1) <= w, "offset[1] " + str(left_) + " + reference width " +
                                                   str(like.dim(-1)) + " exceeds input width " +
                                                   str(w));
      out.dim(-2) = like.dim(-2);
      out.dim(-1) = like.dim(-1);
    }
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::StridedWindow w;
    w.input = inputs[0].shape;
    w.output = outputs[0].shape;
    const int r = w.input.rank();
    for (int a = 0; a < r; ++a) w.step[a] = 1;
    w.begin[r - 2] = top_;
    w.begin[r - 1] = left_;
    ref::strided_window(w, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  int inputs_ = 1;
  int64_t top_ = 0, bottom_ = 0, left_ = 0, right_ = 0;
};

// ---------------------------------------------------------------------------
// slice (legacy): [startIndex, endIndex) with a positive stride along axis
// -3 (channel), -2 (height) or -1 (width).
class SliceOp final : public Op {
 public:
  SliceOp(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
    require_one_output(layer);
    require(layer.input_size() == 1, "expects 1 input, got " + str(layer.input_size()));
    const auto& p = layer.slice();
    switch (p.axis()) {
      case spec::SliceLayerParams::CHANNEL_AXIS: axis_ = -3; break;
      case spec::SliceLayerParams::HEIGHT_AXIS: axis_ = -2; break;
      case spec::SliceLayerParams::WIDTH_AXIS: axis_ = -1; break;
      default: require(false, "axis = " + str(p.axis()) + " is not a SliceAxis value");
    }
    require(p.stride() >= 1, "stride = 0; must be positive");
    // A stride beyond any axis size selects the same single element.
    stride_ = static_cast<int64_t>(std::min<uint64_t>(p.stride(), kMaxParam));
    start_ = p.startindex();
    end_ = p.endindex();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_shape(x.rank() >= -axis_, "input has rank " + str(x.rank()) + "; slicing axis " +
                                          str(axis_) + " needs rank >= " + str(-axis_));
    Shape out = x;
    out.dim(axis_) = window(x.dim(axis_)).count;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::StridedWindow w;
    w.input = inputs[0].shape;
    w.output = outputs[0].shape;
    const int r = w.input.rank();
    for (int a = 0; a < r; ++a) w.step[a] = 1;
    const AxisWindow aw = window(w.input.dim(axis_));
    w.begin[r + axis_] = aw.begin;
    w.step[r + axis_] = aw.step;
    ref::strided_window(w, inputs[0].data, outputs[0].data, ctx.threads);
  }

 private:
  // The format describes Python's interval [startIndex, endIndex) with
  // negative indices counting from the end (endIndex -1 stops before the last
  // element). Like Python we clamp indices past either end; an empty result
  // is an error (the format has no empty tensors).
  AxisWindow window(int64_t n) const {
    AxisWindow w = numpy_slice(n, start_, false, end_, false, stride_);
    require_shape(w.count >= 1, "startIndex " + str(start_) + ", endIndex " + str(end_) +
                                    " select nothing from an axis of size " + str(n));
    return w;
  }

  int axis_ = -3;
  int64_t start_ = 0, end_ = 0, stride_ = 1;
};

// ---------------------------------------------------------------------------
// sliceStatic / sliceDynamic share the per-axis parameters.
struct SliceSpec {
  std::vector<int64_t> begin, end, strides;
  std::vector<bool> begin_masks, end_masks, squeeze;
};

template <class Params>
void parse_common(const Params& p, SliceSpec& s, size_t rank) {
  auto check_len = [rank](int n, const std::string& field, bool optional) {
    require(
        (optional && n == 0) || size_t(n) == rank,
        field + " has " + str(n) + " values; expected " + str(int64_t(rank)) + " (one per axis)");
  };
  check_len(p.beginmasks_size(), "beginMasks", false);
  check_len(p.endids_size(), "endIds", false);
  check_len(p.endmasks_size(), "endMasks", false);
  check_len(p.strides_size(), "strides", false);
  check_len(p.squeezemasks_size(), "squeezeMasks", true);
  s.begin_masks.assign(p.beginmasks().begin(), p.beginmasks().end());
  s.end.assign(p.endids().begin(), p.endids().end());
  s.end_masks.assign(p.endmasks().begin(), p.endmasks().end());
  s.strides.assign(p.strides().begin(), p.strides().end());
  s.squeeze.assign(rank, false);
  for (int i = 0; i < p.squeezemasks_size(); ++i) s.squeeze[i] = p.squeezemasks(i);
  for (size_t i = 0; i < rank; ++i) {
    require(s.strides[i] != 0, "strides[" + str(int64_t(i)) + "] = 0; must be nonzero");
    // A step beyond any axis size selects the same single element.
    s.strides[i] = std::clamp(s.strides[i], -kMaxParam, kMaxParam);
  }
}

// Output shape and window of a static slice. `begin` holds the begin index per
// axis (ignored where masked). A squeezed axis takes the single element at
// begin and is dropped from the output; if every axis is squeezed the output
// is [1] (the format has no rank-0 tensors).
std::vector<Shape> static_slice_shape(const SliceSpec& s, const Shape& x,
                                      std::span<const int64_t> begin, ref::StridedWindow* w) {
  const int r = x.rank();
  require_shape(size_t(r) == s.strides.size(),
                "input has rank " + str(r) + "; the slice parameters have " +
                    str(int64_t(s.strides.size())) + " values per field");
  Shape window, out;
  window.resize(r);
  for (int a = 0; a < r; ++a) {
    const int64_t n = x[a];
    AxisWindow aw;
    if (s.squeeze[a]) {
      // Only beginIds[a] matters; all masks are ignored.
      const int64_t i = begin[a] < 0 ? begin[a] + n : begin[a];
      require_shape(i >= 0 && i < n, "beginIds[" + str(a) + "] = " + str(begin[a]) +
                                         " is out of range for squeezed axis " + str(a) +
                                         " of size " + str(n));
      aw = {i, 1, 1};
    } else {
      aw = numpy_slice(n, begin[a], s.begin_masks[a], s.end[a], s.end_masks[a], s.strides[a]);
      require_shape(aw.count >= 1, "the slice of axis " + str(a) + " (size " + str(n) +
                                       ") is empty: begin " + str(begin[a]) + ", end " +
                                       str(s.end[a]) + ", stride " + str(s.strides[a]));
      out.push_back(aw.count);
    }
    window[a] = aw.count;
    if (w) {
      w->begin[a] = aw.begin;
      w->step[a] = aw.step;
    }
  }
  if (out.empty()) out.push_back(1);
  if (w) {
    w->input = x;
    w->output = window;
  }
  return {out};
}

class SliceStaticOp final : public Op {
 public:
  SliceStaticOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_one_output(layer);
    require(layer.input_size() == 1, "expects 1 input, got " + str(layer.input_size()));
    const auto& p = layer.slicestatic();
    const int rank = p.beginids_size();
    require(rank >= 1 && rank <= kMaxRank, "beginIds has " + str(rank) +
                                               " values; expected one per input axis (1 to " +
                                               str(kMaxRank) + ")");
    parse_common(p, s_, size_t(rank));
    s_.begin.assign(p.beginids().begin(), p.beginids().end());
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return static_slice_shape(s_, inputs[0], s_.begin, nullptr);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::StridedWindow w;
    static_slice_shape(s_, inputs[0].shape, s_.begin, &w);
    if (channels_last_) w = channels_last_window(w);
    ref::strided_window(w, inputs[0].data, outputs[0].data, ctx.threads);
  }

  // An N-d layer; in a rank-5 network it may slice the Batch axis.
  bool batch_independent() const override { return !rank5_; }

  // On channels-last data the same window applies to the permuted axes, as
  // long as no axis is squeezed (which would move C, H and W).
  LayoutSupport layout_support() const override {
    for (bool q : s_.squeeze)
      if (q) return LayoutSupport::kNone;
    return s_.strides.size() >= 3 ? LayoutSupport::kNative : LayoutSupport::kNone;
  }
  void set_channels_last() override { channels_last_ = true; }

 private:
  // The window over the channels-last storage of the tensors `w` describes.
  static ref::StridedWindow channels_last_window(const ref::StridedWindow& w) {
    const int r = w.input.rank();
    ref::StridedWindow cl;
    cl.input = channels_last_shape(w.input);
    cl.output = channels_last_shape(w.output);
    for (int a = 0; a < r; ++a) {
      const int b = channels_last_axis(a, r);
      cl.begin[b] = w.begin[a];
      cl.step[b] = w.step[a];
    }
    return cl;
  }

  bool rank5_;
  SliceSpec s_;
  bool channels_last_ = false;
};

// sliceDynamic: begin indices come from input 1, and inputs 2..6 may override
// endIds, strides, beginMasks, endMasks, squeezeMasks. The output shape then
// depends on input values, which shape inference does not see. We run the
// forms whose output shape does not: exactly two inputs, and every axis has
// its begin masked (begin ignored) or squeezed (one element, axis dropped);
// the begin values of squeezed axes are read at run time.
class SliceDynamicOp final : public Op {
 public:
  SliceDynamicOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_one_output(layer);
    const int n = layer.input_size();
    require(n >= 2 && n <= 7, "expects 2 to 7 inputs, got " + str(n));
    if (n > 2)
      unsupported("sliceDynamic with " + str(n) +
                  " inputs: endIds/strides/masks given as inputs make the output shape depend "
                  "on input values; only the 2-input form is run");
    const auto& p = layer.slicedynamic();
    const int rank = p.strides_size();
    require(rank >= 1 && rank <= kMaxRank, "strides has " + str(rank) +
                                               " values; expected one per input axis (1 to " +
                                               str(kMaxRank) + ")");
    parse_common(p, s_, size_t(rank));
    for (int a = 0; a < rank; ++a)
      if (!s_.begin_masks[a] && !s_.squeeze[a])
        unsupported("sliceDynamic: axis " + str(a) +
                    " has neither beginMasks nor squeezeMasks set, so the output shape depends "
                    "on the begin values of input 1; only value-independent forms are run");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const int r = inputs[0].rank();
    require_shape(inputs[1].count() == r, "input 1 (beginIds) has " + str(inputs[1].count()) +
                                              " values; expected " + str(r) + " (one per axis)");
    // Shapes do not depend on begin values here: use in-range placeholders.
    std::vector<int64_t> begin(size_t(r), 0);
    return static_slice_shape(s_, inputs[0], begin, nullptr);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const int r = inputs[0].shape.rank();
    std::vector<int64_t> begin(size_t(r), 0);
    for (int a = 0; a < r; ++a)
      if (s_.squeeze[a]) begin[a] = index_value(inputs[1].data[a], "beginIds[" + str(a) + "]");
    ref::StridedWindow w;
    static_slice_shape(s_, inputs[0].shape, begin, &w);  // throws for an out-of-range begin
    ref::strided_window(w, inputs[0].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  SliceSpec s_;
};

// ---------------------------------------------------------------------------
// sliceBySize: x[..., begin:begin+size, ...] along `axis`, begin read from
// input 1 at run time (a negative begin counts from the end).
class SliceBySizeOp final : public Op {
 public:
  SliceBySizeOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    require_one_output(layer);
    require(layer.input_size() == 2, "expects 2 inputs, got " + str(layer.input_size()));
    const auto& p = layer.slicebysize();
    require(p.size() >= 1 && p.size() <= kMaxParam,
            "size = " + str(p.size()) + "; must be positive");
    size_ = p.size();
    axis_ = p.axis();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const Shape& x = inputs[0];
    const int a = normalize_axis(axis_, x.rank(), "axis");
    require_shape(size_ <= x[a],
                  "size = " + str(size_) + " exceeds axis " + str(a) + " of size " + str(x[a]));
    require_shape(inputs[1].count() == 1,
                  "input 1 (begin) has " + str(inputs[1].count()) + " values; expected 1");
    Shape out = x;
    out[a] = size_;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& x = inputs[0].shape;
    const int a = normalize_axis(axis_, x.rank(), "axis");
    const int64_t n = x[a];
    const int64_t raw = index_value(inputs[1].data[0], "begin (input 1)");
    const int64_t begin = raw < 0 ? raw + n : raw;
    if (begin < 0 || begin > n - size_)
      throw Error(ErrorCode::kInvalidInput, "begin = " + str(raw) + " with size " + str(size_) +
                                                " does not fit axis " + str(a) + " of size " +
                                                str(n));
    ref::StridedWindow w;
    w.input = x;
    w.output = outputs[0].shape;
    for (int i = 0; i < x.rank(); ++i) w.step[i] = 1;
    w.begin[a] = begin;
    ref::strided_window(w, inputs[0].data, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return !rank5_; }

 private:
  bool rank5_;
  int64_t size_ = 1;
  int64_t axis_ = 0;
};

}  // namespace

void register_slicing_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kCrop, &make_op<CropOp>);
  r.add(spec::NeuralNetworkLayer::kSlice, &make_op<SliceOp>);
  r.add(spec::NeuralNetworkLayer::kSliceStatic, &make_op<SliceStaticOp>);
  r.add(spec::NeuralNetworkLayer::kSliceDynamic, &make_op<SliceDynamicOp>);
  r.add(spec::NeuralNetworkLayer::kSliceBySize, &make_op<SliceBySizeOp>);
}

}  // namespace morel::graph
