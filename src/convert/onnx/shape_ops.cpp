// Ops that rearrange or relabel data: Identity, Dropout, Cast, Reshape,
// Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile, DepthToSpace and
// SpaceToDepth. With a constant input each folds; otherwise they become
// reshapeStatic, transpose, broadcastToStatic and tile layers.
#include <algorithm>
#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

// Define output 0 as `x` under a new shape: folded for constants, a reshape
// otherwise.
void reshaped(Context& cx, const Node& node, const Value& x, const Dims& shape) {
  if (element_count(shape) != element_count(x.shape))
    node.invalid("cannot reshape " + shape_str(x.shape) + " to " + shape_str(shape));
  if (x.constant) {
    cx.define_constant(node.output(0), x.constant->reshaped(shape));
    return;
  }
  const std::string out = emit_reshape(cx, node.output(0), cx.input_blob(node, 0), shape);
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_identity(Context& cx, const Node& node) {
  cx.input(node, 0);
  cx.alias(node.output(0), node.input(0));
}

void convert_dropout(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (node.opset() >= 12 && node.has_input(2)) {
    const Tensor& training = cx.require_constant(node, 2, "training_mode");
    if (training.count() > 0 && training.get(0) != 0)
      node.unsupported("training_mode = true (random dropout) is not converted");
  }
  if (node.opset() < 7 && node.attr_int("is_test", 0) == 0)
    node.unsupported("is_test = 0 (random dropout) is not converted");
  cx.alias(node.output(0), node.input(0));
  // In inference the mask keeps everything.
  if (node.has_output(1)) {
    Tensor mask(node.opset() >= 10 ? kBool : x.dtype, x.shape);
    for (int64_t i = 0; i < mask.count(); ++i) mask.set(i, 1);
    cx.define_constant(node.output(1), std::move(mask));
  }
}

void cast_to(Context& cx, const Node& node, int to) {
  const Value& x = cx.input(node, 0);
  if (!is_numeric_type(to))
    node.unsupported("cast to " + dtype_name(to) + ": Core ML networks carry numbers only");
  // float16 keeps within the suite's tolerance when left at float32; bfloat16
  // (8 significant bits) would not, and has no Core ML rounding to match.
  if (to == kBfloat16 && x.dtype != kBfloat16)
    node.unsupported("cast to bfloat16 at run time: its rounding has no Core ML equivalent");
  const std::string in = cx.input_blob(node, 0);
  std::string out;
  if (to == kBool && x.dtype != kBool) {
    out = emit_binary_scalar(cx, node.output(0), Binary::kNotEqual, in, 0.f);
  } else if (is_integer_type(to) && is_float_type(x.dtype)) {
    out = emit_trunc(cx, node.output(0), in);
  } else {
    // Same values at run time (float32 carries every integer type we see).
    cx.alias(node.output(0), node.input(0), to);
    return;
  }
  define_output(cx, node, 0, out, to, x.shape);
}

void convert_reshape(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  std::vector<int64_t> spec;
  if (node.opset() < 5)
    spec = node.attr_ints("shape");
  else
    spec = cx.require_constant(node, 1, "the target shape").ints();
  const bool allow_zero = node.attr_int("allowzero", 0) != 0;
  Dims shape(spec.size());
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == 0 && !allow_zero) {
      if (i >= x.shape.size())
        node.invalid("shape[" + std::to_string(i) +
                     "] = 0 copies a dimension the input does not have");
      d = x.shape[i];
    }
    if (d == -1) {
      if (infer >= 0) node.invalid("shape " + shape_str(spec) + " has more than one -1");
      infer = static_cast<int64_t>(i);
      continue;
    }
    if (d < 0) node.invalid("shape " + shape_str(spec) + " has a negative dimension");
    shape[i] = d;
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || element_count(x.shape) % known != 0)
      node.invalid("cannot reshape " + shape_str(x.shape) + " to " + shape_str(spec));
    shape[infer] = element_count(x.shape) / known;
  }
  reshaped(cx, node, x, shape);
}

void convert_flatten(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  int64_t axis = node.attr_int("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) node.invalid("axis is out of range for rank " + std::to_string(r));
  reshaped(cx, node, x,
           {element_count(Dims(x.shape.begin(), x.shape.begin() + axis)),
            element_count(Dims(x.shape.begin() + axis, x.shape.end()))});
}

std::vector<int64_t> axes_of(Context& cx, const Node& node, int opset_with_input) {
  if (node.opset() >= opset_with_input)
    return node.has_input(1) ? cx.require_constant(node, 1, "axes").ints() : std::vector<int64_t>{};
  return node.attr_ints("axes");
}

void convert_squeeze(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> axes = norm_axes(node, axes_of(cx, node, 13), r);
  Dims shape;
  for (int64_t a = 0; a < r; ++a) {
    const bool listed = std::find(axes.begin(), axes.end(), a) != axes.end();
    if (listed && x.shape[a] != 1)
      node.invalid("axis " + std::to_string(a) + " of " + shape_str(x.shape) + " is not 1");
    if (!(listed || (axes.empty() && x.shape[a] == 1))) shape.push_back(x.shape[a]);
  }
  reshaped(cx, node, x, shape);
}

void convert_unsqueeze(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  std::vector<int64_t> axes = axes_of(cx, node, 13);
  const int64_t r = static_cast<int64_t>(x.shape.size() + axes.size());
  axes = norm_axes(node, axes, r);
  Dims shape;
  size_t k = 0;
  for (int64_t a = 0; a < r; ++a) {
    if (std::find(axes.begin(), axes.end(), a) != axes.end())
      shape.push_back(1);
    else if (k < x.shape.size())
      shape.push_back(x.shape[k++]);
    else
      node.invalid("axes repeat or are out of range");
  }
  reshaped(cx, node, x, shape);
}

void convert_transpose(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> perm = node.attr_ints("perm");
  if (perm.empty())
    for (int64_t a = r - 1; a >= 0; --a) perm.push_back(a);
  if (static_cast<int64_t>(perm.size()) != r)
    node.invalid("perm has the wrong length for rank " + std::to_string(r));
  perm = norm_axes(node, perm, r, "perm");
  std::vector<bool> seen(static_cast<size_t>(r), false);
  Dims shape;
  for (int64_t a : perm) {
    if (seen[a]) node.invalid("perm repeats axis " + std::to_string(a));
    seen[a] = true;
    shape.push_back(x.shape[a]);
  }
  if (x.constant) {
    cx.define_constant(node.output(0), fold_transpose(*x.constant, perm));
    return;
  }
  // Moving only axes of size 1 keeps the data order: a reshape.
  Dims moved;
  for (int64_t a : perm)
    if (x.shape[a] != 1) moved.push_back(a);
  if (std::is_sorted(moved.begin(), moved.end()) || r == 0) {
    reshaped(cx, node, x, shape);
    return;
  }
  const std::string out = emit_transpose(cx, node.output(0), cx.input_blob(node, 0), perm);
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_expand(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  const Dims target = cx.require_constant(node, 1, "the target shape").ints();
  const Dims shape = broadcast(node, x.shape, target);
  if (x.constant) {
    cx.define_constant(node.output(0), fold_expand(*x.constant, shape));
    return;
  }
  if (shape == x.shape) {
    cx.alias(node.output(0), node.input(0));
    return;
  }
  std::string in = emit_reshape(cx, hint(node, "ranked"), cx.input_blob(node, 0),
                                pad_left(x.shape, shape.size()));
  const std::string out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
    for (int64_t d : shape)
      l.mutable_broadcasttostatic()->add_targetshape(static_cast<uint64_t>(d));
  });
  define_output(cx, node, 0, out, x.dtype, shape);
}

void convert_tile(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  std::vector<int64_t> reps;
  if (node.opset() < 6)
    node.unsupported("Tile before opset 6 (tiles / axis inputs) is not converted");
  reps = cx.require_constant(node, 1, "repeats").ints();
  if (reps.size() != x.shape.size())
    node.invalid("repeats has " + std::to_string(reps.size()) + " values for rank " +
                 std::to_string(x.shape.size()));
  Dims shape = x.shape;
  for (size_t i = 0; i < reps.size(); ++i) {
    if (reps[i] < 0) node.invalid("negative repeats");
    shape[i] *= reps[i];
  }
  if (x.constant) {
    Tensor t(x.dtype, shape);
    const int r = static_cast<int>(shape.size());
    std::vector<int64_t> pos(static_cast<size_t>(r), 0);
    for (int64_t i = 0; i < t.count(); ++i) {
      int64_t src = 0;
      for (int k = 0; k < r; ++k) src = src * x.shape[k] + pos[k] % x.shape[k];
      t.set(i, x.constant->get(src));
      for (int k = r - 1; k >= 0; --k) {
        if (++pos[k] < shape[k]) break;
        pos[k] = 0;
      }
    }
    cx.define_constant(node.output(0), std::move(t));
    return;
  }
  const std::string out =
      emit_layer(cx, node.output(0), {cx.input_blob(node, 0)}, [&](spec::NeuralNetworkLayer& l) {
        for (int64_t v : reps) l.mutable_tile()->add_reps(static_cast<uint64_t>(v));
      });
  define_output(cx, node, 0, out, x.dtype, shape);
}

// DepthToSpace / SpaceToDepth as reshape -> transpose -> reshape.
void rearrange(Context& cx, const Node& node, const Dims& split, const std::vector<int64_t>& perm,
               const Dims& shape) {
  const Value& x = cx.input(node, 0);
  if (x.constant) {
    cx.define_constant(node.output(0),
                       fold_transpose(x.constant->reshaped(split), perm).reshaped(shape));
    return;
  }
  std::string b = emit_reshape(cx, hint(node, "split"), cx.input_blob(node, 0), split);
  b = emit_transpose(cx, hint(node, "moved"), b, perm);
  b = emit_reshape(cx, node.output(0), b, shape);
  define_output(cx, node, 0, b, x.dtype, shape);
}

void convert_depth_to_space(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() != 4) node.invalid("input must be [N, C, H, W]");
  const int64_t bs = node.attr_int("blocksize");
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (bs < 1 || c % (bs * bs) != 0) node.invalid("blocksize does not divide the channels");
  const int64_t oc = c / (bs * bs);
  const Dims out = {n, oc, h * bs, w * bs};
  if (node.attr_string("mode", "DCR") == "CRD")
    rearrange(cx, node, {n, oc, bs, bs, h, w}, {0, 1, 4, 2, 5, 3}, out);
  else
    rearrange(cx, node, {n, bs, bs, oc, h, w}, {0, 3, 4, 1, 5, 2}, out);
}

void convert_space_to_depth(Context& cx, const Node& node) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() != 4) node.invalid("input must be [N, C, H, W]");
  const int64_t bs = node.attr_int("blocksize");
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (bs < 1 || h % bs != 0 || w % bs != 0) node.invalid("blocksize does not divide H and W");
  rearrange(cx, node, {n, c, h / bs, bs, w / bs, bs}, {0, 3, 5, 1, 2, 4},
            {n, c * bs * bs, h / bs, w / bs});
}

}  // namespace

void register_shape_ops(OpTable& t) {
  t["Identity"] = &convert_identity;
  t["Dropout"] = &convert_dropout;
  t["Cast"] = [](Context& cx, const Node& n) {
    cast_to(cx, n, static_cast<int>(n.attr_int("to")));
  };
  t["CastLike"] = [](Context& cx, const Node& n) { cast_to(cx, n, cx.input(n, 1).dtype); };
  t["Reshape"] = &convert_reshape;
  t["Flatten"] = &convert_flatten;
  t["Squeeze"] = &convert_squeeze;
  t["Unsqueeze"] = &convert_unsqueeze;
  t["Transpose"] = &convert_transpose;
  t["Expand"] = &convert_expand;
  t["Tile"] = &convert_tile;
  t["DepthToSpace"] = &convert_depth_to_space;
  t["SpaceToDepth"] = &convert_space_to_depth;
}

}  // namespace morel::onnxc
