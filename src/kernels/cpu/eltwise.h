// Activations as oneDNN eltwise primitives (vectorized exp, tanh, ...: ten
// times the plain loop's speed for sigmoid and swish). Layout-agnostic: the
// tensor is seen as one flat run of values.
#pragma once

#include <memory>

#include "graph/fusion.h"
#include "kernels/cpu/dnnl_common.h"
#include "kernels/cpu/kernel.h"

namespace morel::kernels::cpu {

// Arguments of an Eltwise bound to fixed addresses: the first step reads the
// source, later ones work in place on the destination.
struct EltwiseArgs : graph::OpBinding {
  BoundArgs first, rest;
};

// fn over `count` values, in place or from one buffer into another.
class Eltwise {
 public:
  // Null when oneDNN has no equivalent of `fn`.
  static std::unique_ptr<Eltwise> make(const graph::ActivationFn& fn, int64_t count);

  // The memory handles for fixed addresses (once per execution).
  std::unique_ptr<EltwiseArgs> bind(const float* src, float* dst) const;
  void run(const EltwiseArgs& args) const;

 private:
  dnnl::memory::desc md_;
  std::vector<dnnl::primitive> steps_;  // one primitive per oneDNN eltwise op of fn
};

// A standalone activation op's kernel: fn from input 0 to output 0, `count`
// values; null when oneDNN has no equivalent.
std::unique_ptr<Kernel> prepare_activation(const graph::ActivationFn& fn, int64_t count);

// True for activations oneDNN applies cheaply as a post-op inside another
// primitive. Transcendental ones (sigmoid, swish, tanh, ...) are measured to
// run several times slower fused into depthwise and small convolutions than
// as a separate eltwise pass, so they stay apart.
bool cheap_post_op(const graph::ActivationFn& fn);

}  // namespace morel::kernels::cpu
