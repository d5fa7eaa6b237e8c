#include "kernels/cpu/dnnl_common.h"

#include <limits>
#include <new>

namespace morel::kernels::cpu {

using Act = kernels::reference::Activation;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

dnnl::memory::desc activation_desc(int64_t n, int64_t c, int64_t h, int64_t w, bool channels_last) {
  return dnnl::memory::desc({n, c, h, w}, dt::f32, channels_last ? tag::nhwc : tag::nchw);
}

bool append_activation(dnnl::post_ops& ops, const graph::ActivationFn& fn) {
  using A = dnnl::algorithm;
  const float a = fn.alpha, b = fn.beta;
  switch (fn.kind) {
    case Act::kReLU: ops.append_eltwise(1.f, A::eltwise_relu, 0.f, 0.f); return true;
    case Act::kLeakyReLU: ops.append_eltwise(1.f, A::eltwise_relu, a, 0.f); return true;
    case Act::kLinear: ops.append_eltwise(1.f, A::eltwise_linear, a, b); return true;
    case Act::kClip:
      // min(max(x, a), b); with a > b the format's formula gives b everywhere,
      // which oneDNN's clip does not promise.
      if (!(a <= b)) return false;
      ops.append_eltwise(1.f, A::eltwise_clip, a, b);
      return true;
    case Act::kClampedReLU:
      ops.append_eltwise(1.f, A::eltwise_relu, a, 0.f);
      ops.append_eltwise(1.f, A::eltwise_clip, -std::numeric_limits<float>::max(), b);
      return true;
    case Act::kSigmoid: ops.append_eltwise(1.f, A::eltwise_logistic, 0.f, 0.f); return true;
    case Act::kSigmoidHard:
      ops.append_eltwise(1.f, A::eltwise_linear, a, b);
      ops.append_eltwise(1.f, A::eltwise_clip, 0.f, 1.f);
      return true;
    case Act::kTanh: ops.append_eltwise(1.f, A::eltwise_tanh, 0.f, 0.f); return true;
    case Act::kELU: ops.append_eltwise(1.f, A::eltwise_elu, a, 0.f); return true;
    case Act::kSwish: ops.append_eltwise(1.f, A::eltwise_swish, 1.f, 0.f); return true;
    case Act::kGeluExact: ops.append_eltwise(1.f, A::eltwise_gelu_erf, 0.f, 0.f); return true;
    case Act::kGeluTanh: ops.append_eltwise(1.f, A::eltwise_gelu_tanh, 0.f, 0.f); return true;
    case Act::kGeluSigmoid:  // x * sigmoid(1.702 x)
      ops.append_eltwise(1.f, A::eltwise_swish, 1.702f, 0.f);
      return true;
    default: return false;
  }
}

dnnl::memory reorder_weights(const dnnl::memory::desc& user, const float* weights,
                             const dnnl::memory::desc& wanted, LargeBuffer& storage) {
  dnnl::memory src(user, engine(), const_cast<float*>(weights));
  storage = allocate_large(wanted.get_size());
  if (!storage) throw std::bad_alloc();
  dnnl::memory dst(wanted, engine(), storage.get());
  dnnl::stream s(engine());
  dnnl::reorder(src, dst).execute(s, src, dst);
  s.wait();
  return dst;
}

dnnl::memory wrap(const dnnl::memory::desc& md, const float* data) {
  // oneDNN takes a non-const handle; inputs are only read.
  return dnnl::memory(md, engine(), const_cast<float*>(data));
}

void BoundArgs::add(int arg, const dnnl::memory& m) {
  memories_.push_back(m);
  args_.push_back({arg, m.get()});
}

void BoundArgs::execute(const dnnl::primitive& p) const {
  dnnl::stream& s = thread_stream();
  dnnl::error::wrap_c_api(
      dnnl_primitive_execute(p.get(), s.get(), static_cast<int>(args_.size()), args_.data()),
      "could not execute a primitive");
}

int64_t scratch_floats(const dnnl::memory::desc& scratchpad) {
  return static_cast<int64_t>((scratchpad.get_size() + sizeof(float) - 1) / sizeof(float));
}

}  // namespace morel::kernels::cpu
