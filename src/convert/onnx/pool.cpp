// Pooling: MaxPool / AveragePool / LpPool (p = 2) as the pooling layer (1-D
// through a unit width) or pooling3D; global pooling as the global pooling
// layer for [N, C, H, W] and as reductions over the spatial axes otherwise.
#include <algorithm>
#include "convert/onnx/ops.h"
#include "convert/onnx/spatial.h"

namespace morel::onnxc {

namespace {

enum class Kind { kMax, kAverage, kL2 };

void convert_pool(Context& cx, const Node& node, Kind kind) {
  const Value& x = cx.input(node, 0);
  const int r = static_cast<int>(x.shape.size()) - 2;
  if (r < 1 || r > 3)
    node.unsupported("input has shape " + shape_str(x.shape) +
                     "; pooling is converted for 1, 2 or 3 spatial axes");
  if (node.output_count() > 1 && node.has_output(1))
    node.unsupported("the Indices output of MaxPool has no Core ML equivalent");
  const Dims in(x.shape.begin() + 2, x.shape.end());
  if (!node.has_attr("kernel_shape")) node.invalid("attribute 'kernel_shape' is required");
  Spatial sp = read_spatial(node, in, {});
  for (int64_t d : sp.dilation)
    if (d != 1)
      node.unsupported("dilations " + shape_str(sp.dilation) + ": Core ML pooling has none");
  const bool ceil = node.attr_int("ceil_mode", 0) != 0;
  // AveragePool counts padding in the divisor only with count_include_pad.
  const bool include_pad = kind == Kind::kAverage && node.attr_int("count_include_pad", 0) != 0;
  if (kind == Kind::kL2 && node.attr_int("p", 2) != 2)
    node.unsupported("p = " + std::to_string(node.attr_int("p", 2)) +
                     ": Core ML pools with the L2 norm only (p = 2)");
  Dims out_shape = {x.shape[0], x.shape[1]};
  Dims extra(r, 0);  // end padding that makes a floor-mode layer give the ceil-mode size
  for (int i = 0; i < r; ++i) {
    const int64_t o =
        pooled_size(in[i], sp.kernel[i], sp.stride[i], 1, sp.pad_begin[i], sp.pad_end[i], ceil);
    if (o < 1) node.invalid("the kernel is larger than the padded input " + shape_str(x.shape));
    out_shape.push_back(o);
    const int64_t need =
        (o - 1) * sp.stride[i] + sp.kernel[i] - (in[i] + sp.pad_begin[i] + sp.pad_end[i]);
    if (need > 0) {
      if (include_pad)
        node.unsupported(
            "ceil_mode with count_include_pad: the last window's divisor has no "
            "Core ML equivalent");
      extra[i] = need;
    }
  }
  std::string blob = cx.input_blob(node, 0);

  if (r == 3) {
    if (kind == Kind::kL2) node.unsupported("3-D Lp pooling has no Core ML equivalent");
    const std::string out =
        emit_layer(cx, node.output(0), {blob}, [&](spec::NeuralNetworkLayer& l) {
          auto* p = l.mutable_pooling3d();
          p->set_type(kind == Kind::kMax ? spec::Pooling3DLayerParams::MAX
                                         : spec::Pooling3DLayerParams::AVERAGE);
          p->set_kerneldepth(static_cast<int32_t>(sp.kernel[0]));
          p->set_kernelheight(static_cast<int32_t>(sp.kernel[1]));
          p->set_kernelwidth(static_cast<int32_t>(sp.kernel[2]));
          p->set_stridedepth(static_cast<int32_t>(sp.stride[0]));
          p->set_strideheight(static_cast<int32_t>(sp.stride[1]));
          p->set_stridewidth(static_cast<int32_t>(sp.stride[2]));
          p->set_paddingtype(spec::Pooling3DLayerParams::CUSTOM);
          p->set_custompaddingfront(static_cast<int32_t>(sp.pad_begin[0]));
          p->set_custompaddingback(static_cast<int32_t>(sp.pad_end[0] + extra[0]));
          p->set_custompaddingtop(static_cast<int32_t>(sp.pad_begin[1]));
          p->set_custompaddingbottom(static_cast<int32_t>(sp.pad_end[1] + extra[1]));
          p->set_custompaddingleft(static_cast<int32_t>(sp.pad_begin[2]));
          p->set_custompaddingright(static_cast<int32_t>(sp.pad_end[2] + extra[2]));
          p->set_countexcludepadding(!include_pad);
        });
    define_output(cx, node, 0, out, x.dtype, out_shape);
    return;
  }

  const bool one_d = r == 1;
  if (one_d) {
    Dims s = x.shape;
    s.push_back(1);
    blob = emit_reshape(cx, hint(node, "as2d"), blob, s);
  }
  std::string out = emit_layer(
      cx, one_d ? hint(node, "pool2d") : node.output(0), {blob}, [&](spec::NeuralNetworkLayer& l) {
        auto* p = l.mutable_pooling();
        p->set_type(kind == Kind::kMax       ? spec::PoolingLayerParams::MAX
                    : kind == Kind::kAverage ? spec::PoolingLayerParams::AVERAGE
                                             : spec::PoolingLayerParams::L2);
        for (int a = 0; a < 2; ++a) {
          p->add_kernelsize(a < r ? static_cast<uint64_t>(sp.kernel[a]) : 1);
          p->add_stride(a < r ? static_cast<uint64_t>(sp.stride[a]) : 1);
        }
        auto* amounts = p->mutable_valid()->mutable_paddingamounts();
        for (int a = 0; a < 2; ++a) {
          auto* e = amounts->add_borderamounts();
          e->set_startedgesize(a < r ? static_cast<uint64_t>(sp.pad_begin[a]) : 0);
          e->set_endedgesize(a < r ? static_cast<uint64_t>(sp.pad_end[a] + extra[a]) : 0);
        }
        p->set_avgpoolexcludepadding(!include_pad);
      });
  if (one_d) out = emit_reshape(cx, node.output(0), out, out_shape);
  define_output(cx, node, 0, out, x.dtype, out_shape);
}

void convert_global(Context& cx, const Node& node, Reduce op) {
  const Value& x = cx.input(node, 0);
  if (x.shape.size() < 3)
    node.invalid("input has shape " + shape_str(x.shape) + "; expected [N, C, spatial...]");
  Dims out_shape = {x.shape[0], x.shape[1]};
  out_shape.resize(x.shape.size(), 1);
  const std::string in = cx.input_blob(node, 0);
  std::string out;
  if (x.shape.size() == 4 && op != Reduce::kL1) {
    out = emit_layer(cx, node.output(0), {in}, [&](spec::NeuralNetworkLayer& l) {
      auto* p = l.mutable_pooling();
      p->set_type(op == Reduce::kMax    ? spec::PoolingLayerParams::MAX
                  : op == Reduce::kMean ? spec::PoolingLayerParams::AVERAGE
                                        : spec::PoolingLayerParams::L2);
      p->set_globalpooling(true);
      p->add_kernelsize(1);
      p->add_kernelsize(1);
      p->add_stride(1);
      p->add_stride(1);
      p->mutable_valid();
    });
  } else {
    std::vector<int64_t> axes;
    for (size_t a = 2; a < x.shape.size(); ++a) axes.push_back(static_cast<int64_t>(a));
    out = emit_reduce(cx, node.output(0), in, op, axes, true);
  }
  define_output(cx, node, 0, out, x.dtype, out_shape);
}

void convert_global_lp(Context& cx, const Node& node) {
  const int64_t p = node.attr_int("p", 2);
  if (p != 1 && p != 2)
    node.unsupported("p = " + std::to_string(p) + ": only p = 1 and 2 are converted");
  convert_global(cx, node, p == 1 ? Reduce::kL1 : Reduce::kL2);
}

}  // namespace

void register_pool_ops(OpTable& t) {
  t["MaxPool"] = [](Context& cx, const Node& n) { convert_pool(cx, n, Kind::kMax); };
  t["AveragePool"] = [](Context& cx, const Node& n) { convert_pool(cx, n, Kind::kAverage); };
  t["LpPool"] = [](Context& cx, const Node& n) { convert_pool(cx, n, Kind::kL2); };
  t["GlobalMaxPool"] = [](Context& cx, const Node& n) { convert_global(cx, n, Reduce::kMax); };
  t["GlobalAveragePool"] = [](Context& cx, const Node& n) { convert_global(cx, n, Reduce::kMean); };
  t["GlobalLpPool"] = &convert_global_lp;
}

}  // namespace morel::onnxc
