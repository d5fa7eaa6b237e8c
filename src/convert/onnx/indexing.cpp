// Ops that select, join or pad: Concat, Split, Slice, Gather, GatherElements,
// GatherND, Pad, Trilu, OneHot, ScatterElements and ScatterND. Slice windows
// and pads are resolved against the static shapes; constant inputs fold.
#include <algorithm>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

void convert_concat(Context& cx, const Node& node) {
  std::vector<int> present;
  for (int i = 0; i < node.input_count(); ++i)
    if (node.has_input(i)) present.push_back(i);
  if (present.empty()) node.invalid("needs at least one input");
  const Value& first = cx.input(node, present[0]);
  const int64_t r = static_cast<int64_t>(first.shape.size());
  if (r == 0) node.invalid("inputs must have rank >= 1");
  const int64_t axis = norm_axis(node, node.attr_int("axis", node.opset() < 4 ? 1 : 0), r);
  Dims shape = first.shape;
  shape[axis] = 0;
  bool all_constant = true;
  std::vector<int> parts;  // non-empty inputs
  for (int i : present) {
    const Value& v = cx.input(node, i);
    if (static_cast<int64_t>(v.shape.size()) != r) node.invalid("inputs have different ranks");
    for (int64_t a = 0; a < r; ++a)
      if (a != axis && v.shape[a] != first.shape[a])
        node.invalid("input shapes " + shape_str(first.shape) + " and " + shape_str(v.shape) +
                     " differ off the concatenation axis");
    shape[axis] += v.shape[axis];
    all_constant = all_constant && v.constant;
    if (element_count(v.shape) > 0) parts.push_back(i);
  }
  if (all_constant) {
    std::vector<const Tensor*> ts;
    for (int i : present) ts.push_back(&*cx.value(node.input(i)).constant);
    cx.define_constant(node.output(0), fold_concat(ts, axis));
    return;
  }
  if (parts.size() == 1) {
    cx.alias(node.output(0), node.input(parts[0]));
    return;
  }
  std::vector<std::string> blobs;
  for (int i : parts) blobs.push_back(cx.input_blob(node, i));
  const std::string out = emit_layer(cx, node.output(0), blobs, [&](spec::NeuralNetworkLayer& l) {
    l.mutable_concatnd()->set_axis(axis);
  });
  define_output(cx, node, 0, out, first.dtype, shape);
}

void convert_split(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  const int64_t axis = norm_axis(node, node.attr_int("axis", 0), r);
  const int64_t d = x.shape[axis];
  const int n = node.output_count();
  std::vector<int64_t> sizes;
  if (node.opset() >= 13 && node.has_input(1))
    sizes = cx.require_constant(node, 1, "split").ints();
  else if (node.opset() < 13)
    sizes = node.attr_ints("split");
  if (sizes.empty()) {
    // Equal parts; from opset 18 the last may be smaller (num_outputs).
    const int64_t parts = node.attr_int("num_outputs", n);
    if (parts != n) node.invalid("num_outputs differs from the number of outputs");
    const int64_t each = (d + n - 1) / n;
    if (node.opset() < 18 && d % n != 0)
      node.invalid("axis of size " + std::to_string(d) + " does not split into " +
                   std::to_string(n));
    for (int i = 0; i < n; ++i) sizes.push_back(std::min(each, d - each * i));
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (static_cast<int>(sizes.size()) != n || total != d)
    node.invalid("split sizes " + shape_str(sizes) + " do not divide an axis of size " +
                 std::to_string(d) + " into " + std::to_string(n) + " outputs");
  int64_t start = 0;
  std::vector<Dims> shapes;
  for (int i = 0; i < n; ++i) {
    Dims s = x.shape;
    s[axis] = sizes[i];
    shapes.push_back(s);
  }
  const bool empty = std::find(sizes.begin(), sizes.end(), 0) != sizes.end();
  if (x.constant || empty) {
    if (!x.constant) node.unsupported("an output would be empty; Core ML tensors cannot be");
    for (int i = 0; i < n; ++i) {
      std::vector<AxisSlice> w;
      for (int64_t a = 0; a < r; ++a)
        w.push_back(a == axis ? AxisSlice{start, 1, sizes[i]} : AxisSlice{0, 1, x.shape[a]});
      if (node.has_output(i)) cx.define_constant(node.output(i), fold_slice(*x.constant, w));
      start += sizes[i];
    }
    return;
  }
  if (n == 1) {
    cx.alias(node.output(0), node.input(0));
    return;
  }
  spec::NeuralNetworkLayer l;
  l.set_name(cx.layer_name(node.name()));
  l.add_input(cx.input_blob(node, 0));
  std::vector<std::string> outs;
  for (int i = 0; i < n; ++i) {
    outs.push_back(cx.fresh(node.has_output(i) ? node.output(i) : node.name() + "/unused"));
    l.add_output(outs.back());
  }
  auto* p = l.mutable_splitnd();
  p->set_axis(axis);
  for (int64_t s : sizes) p->add_splitsizes(static_cast<uint64_t>(s));
  cx.emit(std::move(l));
  for (int i = 0; i < n; ++i)
    if (node.has_output(i)) cx.define(node, node.output(i), outs[i], x.dtype, shapes[i]);
}

// The window of one axis for ONNX Slice semantics (clamped like numpy).
AxisSlice slice_axis(int64_t d, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += d;
  if (end < 0) end += d;
  AxisSlice s;
  s.step = step;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, d);
    end = std::clamp<int64_t>(end, 0, d);
    s.count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, d - 1);
    end = std::clamp<int64_t>(end, -1, d - 1);
    s.count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
  }
  s.start = start;
  return s;
}

void convert_slice(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (node.opset() < 10) {
    starts = node.attr_ints("starts");
    ends = node.attr_ints("ends");
    axes = node.attr_ints("axes");
  } else {
    starts = cx.require_constant(node, 1, "starts").ints();
    ends = cx.require_constant(node, 2, "ends").ints();
    if (node.has_input(3)) axes = cx.require_constant(node, 3, "axes").ints();
    if (node.has_input(4)) steps = cx.require_constant(node, 4, "steps").ints();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    node.invalid("starts, ends, axes and steps must have the same length");
  std::vector<AxisSlice> w;
  for (int64_t a = 0; a < r; ++a) w.push_back({0, 1, x.shape[a]});
  std::vector<bool> seen(static_cast<size_t>(r), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = norm_axis(node, axes[i], r);
    if (seen[a]) node.invalid("axes repeats axis " + std::to_string(a));
    seen[a] = true;
    if (steps[i] == 0) node.invalid("steps must not be 0");
    w[a] = slice_axis(x.shape[a], starts[i], ends[i], steps[i]);
  }
  Dims shape;
  bool identity = true;
  for (int64_t a = 0; a < r; ++a) {
    shape.push_back(w[a].count);
    identity = identity && w[a].start == 0 && w[a].step == 1 && w[a].count == x.shape[a];
  }
  if (x.constant) {
    cx.define_constant(node.output(0), fold_slice(*x.constant, w));
    return;
  }
  if (identity) {
    cx.alias(node.output(0), node.input(0));
    return;
  }
  if (element_count(shape) == 0)
    node.unsupported("the slice is empty (shape " + shape_str(shape) +
                     "); Core ML tensors cannot be");
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, [&](spec::NeuralNetworkLayer& l) {
        auto* p = l.mutable_slicestatic();
        for (int64_t a = 0; a < r; ++a) {
          const AxisSlice& s = w[a];
          const int64_t last = s.start + (s.count - 1) * s.step;
          const int64_t end = s.step > 0 ? last + 1 : last - 1;
          p->add_beginids(s.start);
          p->add_beginmasks(false);
          // A backward slice that reaches index 0 has no end index numpy-style:
          // -1 would count from the end. The end mask says "to the start".
          p->add_endids(end < 0 ? 0 : end);
          p->add_endmasks(end < 0);
          p->add_strides(s.step);
        }
      });
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_gather(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Value& idx = cx.input(node, 1);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  if (r == 0) node.invalid("data is a scalar");
  const int64_t axis = norm_axis(node, node.attr_int("axis", 0), r);
  Dims shape(x.shape.begin(), x.shape.begin() + axis);
  shape.insert(shape.end(), idx.shape.begin(), idx.shape.end());
  shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
  if (x.constant && idx.constant) {
    cx.define_constant(node.output(0), fold_gather(node, *x.constant, *idx.constant, axis));
    return;
  }
  if (idx.constant) {
    const int64_t n = x.shape[axis];
    for (int64_t k : idx.constant->ints())
      if (k < -n || k >= n)
        node.invalid("index " + std::to_string(k) + " is out of range for an axis of size " +
                     std::to_string(n));
  }
  if (element_count(shape) == 0) node.unsupported("the result is empty; Core ML tensors cannot be");
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1)},
                 [&](spec::NeuralNetworkLayer& l) { l.mutable_gather()->set_axis(axis); });
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_gather_elements(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Value& idx = cx.input(node, 1);
  const int64_t axis =
      norm_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(x.shape.size()));
  if (idx.shape.size() != x.shape.size()) node.invalid("indices and data must have the same rank");
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1)},
                 [&](spec::NeuralNetworkLayer& l) { l.mutable_gatheralongaxis()->set_axis(axis); });
  define_output(cx, node, 0, out, x.dtype, idx.shape);
}

void convert_gather_nd(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Value& idx = cx.input(node, 1);
  if (node.attr_int("batch_dims", 0) != 0)
    node.unsupported("batch_dims != 0 has no Core ML equivalent");
  if (idx.shape.empty()) node.invalid("indices must have rank >= 1");
  const int64_t k = idx.shape.back();
  if (k > static_cast<int64_t>(x.shape.size()))
    node.invalid("index tuples are longer than the data's rank");
  Dims shape(idx.shape.begin(), idx.shape.end() - 1);
  shape.insert(shape.end(), x.shape.begin() + k, x.shape.end());
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1)},
                 [](spec::NeuralNetworkLayer& l) { l.mutable_gathernd(); });
  define_output(cx, node, 0, out, x.dtype, shape);
}

spec::ScatterMode scatter_mode(const Node& node) {
  const std::string r = node.attr_string("reduction", "none");
  if (r == "none") return spec::SCATTER_UPDATE;
  if (r == "add") return spec::SCATTER_ADD;
  if (r == "mul") return spec::SCATTER_MUL;
  if (r == "max") return spec::SCATTER_MAX;
  if (r == "min") return spec::SCATTER_MIN;
  node.invalid("reduction = '" + r + "'");
}

void convert_scatter_elements(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t axis =
      norm_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(x.shape.size()));
  const spec::ScatterMode mode = scatter_mode(node);
  const std::string out = emit_layer(
      cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1), cx.input_blob(node, 2)},
      [&](spec::NeuralNetworkLayer& l) {
        l.mutable_scatteralongaxis()->set_axis(axis);
        l.mutable_scatteralongaxis()->set_mode(mode);
      });
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_scatter_nd(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const spec::ScatterMode mode = scatter_mode(node);
  const std::string out = emit_layer(
      cx, node.output(0), {cx.input_blob(node, 0), cx.input_blob(node, 1), cx.input_blob(node, 2)},
      [&](spec::NeuralNetworkLayer& l) { l.mutable_scatternd()->set_mode(mode); });
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

// Reflect / edge padding of one axis: the input viewed as
// [outer, 1, size, inner] and padded along H by the legacy padding layer.
std::string pad_axis(Context& cx, const Node& node, const std::string& in, const Dims& shape,
                     int64_t axis, int64_t before, int64_t after, bool reflect) {
  const int64_t outer = element_count(Dims(shape.begin(), shape.begin() + axis));
  const int64_t inner = element_count(Dims(shape.begin() + axis + 1, shape.end()));
  if (reflect && (before >= shape[axis] || after >= shape[axis]))
    node.unsupported("reflect padding by " + std::to_string(std::max(before, after)) +
                     " needs an axis longer than that; axis " + std::to_string(axis) + " has " +
                     std::to_string(shape[axis]));
  const std::string v = emit_reshape(cx, hint(node, "view"), in, {outer, 1, shape[axis], inner});
  const std::string p = emit_layer(cx, hint(node, "padded"), {v}, [&](spec::NeuralNetworkLayer& l) {
    auto* pp = l.mutable_padding();
    if (reflect)
      pp->mutable_reflection();
    else
      pp->mutable_replication();
    auto* h = pp->mutable_paddingamounts()->add_borderamounts();
    h->set_startedgesize(static_cast<uint64_t>(before));
    h->set_endedgesize(static_cast<uint64_t>(after));
    pp->mutable_paddingamounts()->add_borderamounts();
  });
  Dims out = shape;
  out[axis] += before + after;
  return emit_reshape(cx, hint(node, "unview"), p, out);
}

void convert_pad(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  std::string mode = node.attr_string("mode", "constant");
  std::vector<int64_t> pads;
  float value = 0.f;
  std::vector<int64_t> axes;
  if (node.opset() < 11) {
    pads = node.attr_ints(node.opset() < 2 ? "paddings" : "pads");
    value = node.attr_float("value", 0.f);
  } else {
    pads = cx.require_constant(node, 1, "pads").ints();
    if (node.has_input(2)) {
      const Tensor& v = cx.require_constant(node, 2, "constant_value");
      if (v.count() >= 1) value = static_cast<float>(v.get(0));
    }
    if (node.has_input(3)) axes = cx.require_constant(node, 3, "axes").ints();
  }
  if (axes.empty())
    for (int64_t a = 0; a < r; ++a) axes.push_back(a);
  axes = norm_axes(node, axes, r);
  if (pads.size() != 2 * axes.size())
    node.invalid("pads has " + std::to_string(pads.size()) + " values; expected " +
                 std::to_string(2 * axes.size()));
  Dims before(static_cast<size_t>(r), 0), after(static_cast<size_t>(r), 0);
  const size_t n = axes.size();
  for (size_t i = 0; i < n; ++i) {
    before[axes[i]] = pads[i];
    after[axes[i]] = pads[i + n];
  }
  Dims shape = x.shape;
  for (int64_t a = 0; a < r; ++a) shape[a] += before[a] + after[a];
  for (int64_t d : shape)
    if (d <= 0) node.unsupported("the padded result " + shape_str(shape) + " is empty");
  // Negative pads crop: a slice first.
  std::vector<AxisSlice> crop;
  bool cropping = false;
  Dims cropped = x.shape;
  for (int64_t a = 0; a < r; ++a) {
    const int64_t b = std::min<int64_t>(before[a], 0), e = std::min<int64_t>(after[a], 0);
    cropped[a] = x.shape[a] + b + e;
    crop.push_back({-b, 1, cropped[a]});
    cropping = cropping || b < 0 || e < 0;
    before[a] = std::max<int64_t>(before[a], 0);
    after[a] = std::max<int64_t>(after[a], 0);
  }
  std::string in = cx.input_blob(node, 0);
  if (cropping)
    in = emit_layer(cx, hint(node, "crop"), {in}, [&](spec::NeuralNetworkLayer& l) {
      auto* p = l.mutable_slicestatic();
      for (const AxisSlice& s : crop) {
        p->add_beginids(s.start);
        p->add_endids(s.start + s.count);
        p->add_strides(1);
        p->add_beginmasks(false);
        p->add_endmasks(false);
      }
    });
  bool any = false;
  for (int64_t a = 0; a < r; ++a) any = any || before[a] > 0 || after[a] > 0;
  std::string out = in;
  if (!any) {
    if (!cropping) {
      cx.alias(node.output(0), node.input(0));
      return;
    }
  } else if (mode == "constant") {
    out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
      auto* p = l.mutable_constantpad();
      p->set_value(value);
      for (int64_t a = 0; a < r; ++a) {
        p->add_padamounts(static_cast<uint64_t>(before[a]));
        p->add_padamounts(static_cast<uint64_t>(after[a]));
      }
    });
  } else if (mode == "reflect" || mode == "edge") {
    Dims cur = cropped;
    for (int64_t a = 0; a < r; ++a) {
      if (before[a] == 0 && after[a] == 0) continue;
      out = pad_axis(cx, node, out, cur, a, before[a], after[a], mode == "reflect");
      cur[a] += before[a] + after[a];
    }
  } else {
    node.unsupported("mode = '" + mode + "' has no Core ML equivalent");
  }
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_trilu(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 2) node.invalid("input must have rank >= 2");
  if (element_count(x.shape) == 0) node.unsupported("the input is empty");
  const bool upper = node.attr_int("upper", 1) != 0;
  const int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
  const Tensor* kt = node.has_input(1) ? cx.constant_input(node, 1) : nullptr;
  if (kt && kt->count() != 1) node.invalid("k must hold one value");
  std::string cond;
  if (node.has_input(1) && !kt) {
    // k known only at run time: compare the constant diagonal offsets with it.
    Tensor offset(kFloat, {rows, cols});
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) offset.set(i * cols + j, static_cast<double>(j - i));
    const std::string d = emit_constant(cx, hint(node, "offsets"), offset);
    cond = emit_binary(cx, hint(node, "keep"), upper ? Binary::kGreaterEqual : Binary::kLessEqual,
                       d, cx.input_blob(node, 1));
  } else {
    const int64_t k = kt ? kt->get_int(0) : 0;
    Tensor mask(kBool, {rows, cols});
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) mask.set(i * cols + j, upper ? j - i >= k : j - i <= k);
    if (x.constant) {
      Tensor out = *x.constant;
      for (int64_t i = 0; i < out.count(); ++i)
        if (mask.get(i % (rows * cols)) == 0) out.set(i, 0);
      cx.define_constant(node.output(0), std::move(out));
      return;
    }
    cond = emit_constant(cx, hint(node, "mask"), mask);
  }
  // where(mask, x, 0): exact, unlike multiplying by the mask (inf * 0).
  const std::string zero = emit_constant(cx, hint(node, "zero"), {0.f}, {1});
  const std::string out =
      emit_layer(cx, node.output(0), {cond, cx.input_blob(node, 0), zero},
                 [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); });
  define_output(cx, node, 0, out, x.dtype, x.shape);
}

void convert_one_hot(Context& cx, const Node& node) {
  const Value& idx = cx.input(node, 0);
  const Tensor& depth_t = cx.require_constant(node, 1, "depth");
  const Tensor& values = cx.require_constant(node, 2, "values");
  if (depth_t.count() != 1 || values.count() != 2)
    node.invalid("depth must hold 1 value and values 2");
  const int64_t depth = depth_t.get_int(0);
  if (depth < 1) node.invalid("depth must be positive");
  const int64_t r = static_cast<int64_t>(idx.shape.size()) + 1;
  const int64_t axis = norm_axis(node, node.attr_int("axis", -1), r);
  Dims shape = idx.shape;
  shape.insert(shape.begin() + axis, depth);
  // Negative indices count from the end of the depth axis.
  std::string in = cx.input_blob(node, 0);
  const std::string neg = emit_binary_scalar(cx, hint(node, "negative"), Binary::kLess, in, 0.f);
  const std::string wrapped =
      emit_binary_scalar(cx, hint(node, "wrapped"), Binary::kAdd, in, static_cast<float>(depth));
  in = emit_layer(cx, hint(node, "index"), {neg, wrapped, in},
                  [](spec::NeuralNetworkLayer& l) { l.mutable_wherebroadcastable(); });
  const std::string out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
    auto* p = l.mutable_onehot();
    p->set_onehotvectorsize(static_cast<uint64_t>(depth));
    p->set_axis(axis);
    p->set_offvalue(static_cast<float>(values.get(0)));
    p->set_onvalue(static_cast<float>(values.get(1)));
  });
  define_output(cx, node, 0, out, values.dtype(), shape);
}

}  // namespace

void register_indexing_ops(OpTable& t) {
  t["Concat"] = &convert_concat;
  t["Split"] = &convert_split;
  t["Slice"] = &convert_slice;
  t["Gather"] = &convert_gather;
  t["GatherElements"] = &convert_gather_elements;
  t["GatherND"] = &convert_gather_nd;
  t["ScatterElements"] = &convert_scatter_elements;
  t["Scatter"] = &convert_scatter_elements;
  t["ScatterND"] = &convert_scatter_nd;
  t["Pad"] = &convert_pad;
  t["Trilu"] = &convert_trilu;
  t["OneHot"] = &convert_one_hot;
}

}  // namespace morel::onnxc
