#include "kernels/cpu/pooling.h"

#include <algorithm>
#include <vector>

#include "kernels/reference/concat_split.h"

namespace morel::kernels::cpu {
namespace {

class PoolingKernel final : public PrimitiveKernel {
 public:
  dnnl::memory::desc src_md, dst_md;

 protected:
  void bind_args(BoundArgs& args, std::span<const ConstTensorView> inputs,
                 float* dst) const override {
    args.add(DNNL_ARG_SRC, wrap(src_md, inputs[0].data));
    args.add(DNNL_ARG_DST, wrap(dst_md, dst));
  }
};

// Pools each part into the workspace, then joins the pooled parts.
class PoolingPartsKernel final : public Kernel {
 public:
  std::vector<std::unique_ptr<Kernel>> parts;
  std::vector<Shape> pooled;      // per part: its pooled shape [N, C_j, H, W]
  std::vector<int64_t> channels;  // per part
  reference::AxisSplit join;      // around the channel axis as stored
  int64_t scratch_offset = 0;     // floats before the parts' own scratch

  std::unique_ptr<graph::OpBinding> bind(std::span<const ConstTensorView> inputs,
                                         std::span<const TensorView>,
                                         float* workspace) const override {
    auto b = std::make_unique<Binding>();
    b->pooled.reserve(parts.size());
    float* at = workspace;
    for (size_t j = 0; j < parts.size(); ++j) {
      b->pooled.push_back({at, pooled[j]});
      b->data.push_back(at);
      at += aligned(pooled[j].count());
      b->bindings.push_back(parts[j]->bind(inputs.subspan(j, 1),
                                           std::span<const TensorView>(&b->pooled[j], 1),
                                           workspace + scratch_offset));
    }
    return b;
  }

  void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const auto* b = static_cast<const Binding*>(ctx.binding);
    for (size_t j = 0; j < parts.size(); ++j)
      run_part(*parts[j], b->bindings[j].get(), ctx, inputs.subspan(j, 1),
               std::span<const TensorView>(&b->pooled[j], 1));
    reference::concat(join, b->data, channels, outputs[0].data, ctx.threads);
  }

  static int64_t aligned(int64_t floats) { return (floats + 15) / 16 * 16; }

 private:
  struct Binding : graph::OpBinding {
    std::vector<TensorView> pooled;
    std::vector<const float*> data;
    std::vector<std::unique_ptr<graph::OpBinding>> bindings;
  };
};

}  // namespace

std::unique_ptr<Kernel> prepare_pooling(const reference::PoolParams& p, int64_t items,
                                        int64_t channels, bool channels_last) {
  using reference::PoolType;
  if (p.type == PoolType::kL2) return nullptr;
  if (p.in_size[0] != 1 || p.out_size[0] != 1 || p.kernel[0] != 1) return nullptr;
  dnnl::memory::dims strides{p.stride[1], p.stride[2]}, kernel{p.kernel[1], p.kernel[2]};
  dnnl::memory::dims pad_l{p.pad_before[1], p.pad_before[2]}, pad_r(2);
  bool overhang = false;  // a window reaches past the padded input (ceil mode)
  for (int a = 1; a < 3; ++a) {
    const int64_t need =
        (p.out_size[a] - 1) * p.stride[a] + p.kernel[a] - p.in_size[a] - p.pad_before[a];
    pad_r[a - 1] = std::max<int64_t>(0, need);
    overhang = overhang || need > p.pad_after[a];
  }
  dnnl::algorithm alg = dnnl::algorithm::pooling_max;
  if (p.type == PoolType::kAverage) {
    // oneDNN divides by the whole kernel when padding counts: exact only when
    // every window lies inside the padded input.
    if (!p.exclude_padding && overhang) return nullptr;
    alg = p.exclude_padding ? dnnl::algorithm::pooling_avg_exclude_padding
                            : dnnl::algorithm::pooling_avg_include_padding;
  }

  auto k = std::make_unique<PoolingKernel>();
  k->setup.channels_last = channels_last;
  k->src_md = activation_desc(items, channels, p.in_size[1], p.in_size[2], channels_last);
  k->dst_md = activation_desc(items, channels, p.out_size[1], p.out_size[2], channels_last);
  auto make = [&](const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, k->src_md, k->dst_md,
                                  strides, kernel, pad_l, pad_r);
    return dnnl::pooling_forward::primitive_desc(d, attr, engine());
  };
  dnnl::primitive_desc pd;
  bool fused = false;
  if (!make_primitive_desc(make, nullptr, pd, fused)) return nullptr;
  k->prim = dnnl::primitive(pd);
  k->scratch_md = pd.scratchpad_desc();
  k->setup.result_shape = k->setup.out_shape = Shape{items, channels, p.out_size[1], p.out_size[2]};
  k->finish(0);
  return k;
}

std::unique_ptr<Kernel> prepare_pooling_parts(const reference::PoolParams& p, int64_t items,
                                              std::span<const int64_t> part_channels,
                                              bool channels_last) {
  auto k = std::make_unique<PoolingPartsKernel>();
  const int64_t h = p.out_size[1], w = p.out_size[2];
  int64_t scratch = 0;
  for (int64_t c : part_channels) {
    std::unique_ptr<Kernel> part = prepare_pooling(p, items, c, channels_last);
    if (!part) return nullptr;
    scratch = std::max(scratch, part->workspace_floats);
    k->parts.push_back(std::move(part));
    k->pooled.push_back(Shape{items, c, h, w});
    k->channels.push_back(c);
    k->scratch_offset += PoolingPartsKernel::aligned(k->pooled.back().count());
  }
  k->join =
      channels_last ? reference::AxisSplit{items * h * w, 1} : reference::AxisSplit{items, h * w};
  k->workspace_floats = k->scratch_offset + scratch;
  return k;
}

}  // namespace morel::kernels::cpu
