// A oneDNN primitive as a plan's kernel: bound once per execution, run with
// no allocation, and followed by the part of the op's epilogue it did not
// take as post-ops.
#pragma once

#include <cstring>
#include <memory>
#include <optional>

#include "graph/fusion.h"
#include "graph/op.h"
#include "kernels/cpu/binary.h"
#include "kernels/cpu/dnnl_common.h"
#include "kernels/cpu/eltwise.h"
#include "kernels/cpu/kernel.h"

namespace morel::kernels::cpu {

// What an op's epilogue works on.
struct EpilogueSetup {
  graph::Epilogue epilogue;
  bool channels_last = false;  // layout of the result, the addend and the output
  Shape result_shape;          // what the primitive computes (logical)
  Shape addend_shape;          // input epilogue.add_input, when there is an add
  Shape out_shape;             // output 0 (the broadcast of the two)
};

class PrimitiveKernel : public Kernel {
 public:
  dnnl::primitive prim;
  dnnl::memory::desc scratch_md;
  EpilogueSetup setup;

  // The leading epilogue steps worth running as post-ops: cheap activations,
  // and the add when its operand has the result's shape.
  dnnl::post_ops fusable_post_ops(int& steps) const;
  // After `prim` and `scratch_md` are set, with the number of leading
  // epilogue steps the primitive took: prepares the rest and sizes the
  // workspace (scratchpad, plus room for the result when an add runs apart).
  void finish(int fused_steps);

  std::unique_ptr<graph::OpBinding> bind(std::span<const ConstTensorView> inputs,
                                         std::span<const TensorView> outputs,
                                         float* workspace) const override;
  void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override;

 protected:
  // The primitive's arguments but the scratchpad: its sources from `inputs`,
  // its destination at `dst`.
  virtual void bind_args(BoundArgs& args, std::span<const ConstTensorView> inputs,
                         float* dst) const = 0;

 private:
  struct Binding;
  // An epilogue step after the primitive: an activation (oneDNN eltwise, or
  // the reference loop when there is none) or the add.
  struct Step {
    graph::EpilogueStep step;
    std::unique_ptr<Eltwise> eltwise;
    std::optional<BinaryPlan> binary;
  };
  Shape stored(const Shape& s) const;
  // Workspace: the scratchpad, then (64-byte aligned) the result if it goes there.
  int64_t result_offset() const { return (scratch_floats_ + 15) / 16 * 16; }

  int fused_steps_ = 0;
  bool fused_add_ = false;
  std::vector<Step> apart_;
  bool result_in_workspace_ = false;
  int64_t scratch_floats_ = 0;
};

// A primitive with one source, constant weights and an optional bias
// (convolution, inner product): only its memory descriptors and weights
// differ, and the prepare function fills them in.
class WeightedPrimitiveKernel final : public PrimitiveKernel {
 public:
  dnnl::memory::desc src_md, dst_md;
  dnnl::memory weights, bias;
  LargeBuffer weight_storage;  // what `weights` holds

  // Makes the primitive (`make(attr)` builds its descriptor; post-ops fused
  // where oneDNN takes them), reorders the weights from `user_weights` to
  // its layout, copies `bias_count` bias values when `bias_values` is given,
  // and sizes the workspace. False when oneDNN has no fast implementation.
  template <class Make>
  bool build(Make&& make, const dnnl::memory::desc& user_weights, const float* weight_values,
             const dnnl::memory::desc& bias_md, const float* bias_values, int64_t bias_count);

 protected:
  void bind_args(BoundArgs& args, std::span<const ConstTensorView> inputs,
                 float* dst) const override {
    args.add(DNNL_ARG_SRC, wrap(src_md, inputs[0].data));
    args.add(DNNL_ARG_WEIGHTS, weights);
    if (bias) args.add(DNNL_ARG_BIAS, bias);
    args.add(DNNL_ARG_DST, wrap(dst_md, dst));
  }
};

// Tries to make a primitive descriptor with post-ops (when `post_ops` is
// given), else without; refuses oneDNN's slow reference implementations.
// `make(attr)` builds the descriptor for an attribute and may throw
// dnnl::error. Returns false when no fast primitive exists; `fused` says
// whether the post-ops made it in.
template <class Make>
bool make_primitive_desc(Make&& make, const dnnl::post_ops* post_ops, dnnl::primitive_desc& pd,
                         bool& fused) {
  auto attempt = [&](const dnnl::post_ops* ops) {
    try {
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      if (ops) attr.set_post_ops(*ops);
      pd = make(attr);
      return std::string(pd.impl_info_str()).rfind("ref", 0) != 0;
    } catch (const dnnl::error&) {
      return false;
    }
  };
  fused = post_ops && attempt(post_ops);
  return fused || attempt(nullptr);
}

template <class Make>
bool WeightedPrimitiveKernel::build(Make&& make, const dnnl::memory::desc& user_weights,
                                    const float* weight_values, const dnnl::memory::desc& bias_md,
                                    const float* bias_values, int64_t bias_count) {
  int steps = 0;
  const dnnl::post_ops post_ops = fusable_post_ops(steps);
  dnnl::primitive_desc pd;
  bool fused = false;
  if (!make_primitive_desc(make, steps > 0 ? &post_ops : nullptr, pd, fused)) return false;
  prim = dnnl::primitive(pd);
  scratch_md = pd.scratchpad_desc();
  weights = reorder_weights(user_weights, weight_values, pd.weights_desc(), weight_storage);
  if (bias_values) {
    bias = dnnl::memory(bias_md, engine());
    std::memcpy(bias.get_data_handle(), bias_values,
                static_cast<size_t>(bias_count) * sizeof(float));
  }
  finish(fused ? steps : 0);
  return true;
}

}  // namespace morel::kernels::cpu
