// A oneDNN primitive as a plan's kernel: bound once per execution, run with
// no allocation, and followed by whatever part of the op's epilogue the
// primitive could not take as post-ops.
#pragma once

#include <memory>

#include "graph/fusion.h"
#include "graph/op.h"
#include "kernels/cpu/dnnl_common.h"

namespace morel::kernels::cpu {

// The kernel a prepared op runs (every plan from kernels/cpu is one).
class Kernel : public graph::OpPlan {
 public:
  virtual void run(const graph::RunContext& ctx, std::span<const ConstTensorView> inputs,
                   std::span<const TensorView> outputs) const = 0;
};

// How the op's epilogue runs around the primitive.
struct EpilogueSetup {
  graph::Epilogue epilogue;
  bool channels_last = false;  // layout of the result, the addend and the output
  Shape result_shape;          // what the primitive computes (logical)
  Shape addend_shape;          // input epilogue.add_input, when there is an add
  Shape out_shape;             // output 0 (the broadcast of the two)
  // True when the epilogue may become post-ops: the add, if any, reads an
  // addend of the result's shape.
  bool fusable() const;
};

class PrimitiveKernel : public Kernel {
 public:
  dnnl::primitive prim;
  dnnl::memory::desc scratch_md;
  // Set by prepare: whether the primitive was made with the epilogue as
  // post-ops, and the epilogue itself.
  bool fused = false;
  EpilogueSetup setup;

  // After `prim`, `scratch_md` and `fused` are known: sizes the workspace
  // (scratchpad, plus room for the result when the epilogue runs apart and
  // ends in another buffer).
  void finish();

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
  // Workspace: the scratchpad, then (64-byte aligned) the result if it goes there.
  int64_t result_offset() const { return (scratch_floats_ + 15) / 16 * 16; }
  bool result_in_workspace_ = false;
  int64_t scratch_floats_ = 0;
};

// Tries to make a primitive descriptor with the epilogue's post-ops (when
// `post_ops` is given), else without; refuses oneDNN's slow reference
// implementations. `make(attr)` builds the descriptor for an attribute and
// may throw dnnl::error. Returns false when no fast primitive exists;
// `fused` says whether the post-ops made it in.
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

}  // namespace morel::kernels::cpu
