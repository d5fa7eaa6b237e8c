#include "kernels/cpu/eltwise.h"

namespace morel::kernels::cpu {

std::unique_ptr<Eltwise> Eltwise::make(const graph::ActivationFn& fn, int64_t count) {
  dnnl::post_ops ops;
  if (count <= 0 || !append_activation(ops, fn)) return nullptr;
  auto e = std::make_unique<Eltwise>();
  e->md_ = dnnl::memory::desc({count}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  try {
    for (int i = 0; i < ops.len(); ++i) {
      float scale = 0, alpha = 0, beta = 0;
      dnnl::algorithm alg;
      ops.get_params_eltwise(i, scale, alg, alpha, beta);
      dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, alg, e->md_, alpha, beta);
      dnnl::eltwise_forward::primitive_desc pd(d, engine());
      if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return nullptr;
      e->steps_.emplace_back(pd);
    }
  } catch (const dnnl::error&) {
    return nullptr;
  }
  return e;
}

std::unique_ptr<EltwiseArgs> Eltwise::bind(const float* src, float* dst) const {
  auto args = std::make_unique<EltwiseArgs>();
  args->first.add(DNNL_ARG_SRC, wrap(md_, src));
  args->first.add(DNNL_ARG_DST, wrap(md_, dst));
  if (steps_.size() > 1) {
    args->rest.add(DNNL_ARG_SRC, wrap(md_, dst));
    args->rest.add(DNNL_ARG_DST, wrap(md_, dst));
  }
  return args;
}

void Eltwise::run(const EltwiseArgs& args) const {
  for (size_t i = 0; i < steps_.size(); ++i) (i == 0 ? args.first : args.rest).execute(steps_[i]);
}

namespace {

class ActivationKernel final : public Kernel {
 public:
  explicit ActivationKernel(std::unique_ptr<Eltwise> e) : eltwise_(std::move(e)) {}
  std::unique_ptr<graph::OpBinding> bind(std::span<const ConstTensorView> inputs,
                                         std::span<const TensorView> outputs,
                                         float*) const override {
    return eltwise_->bind(inputs[0].data, outputs[0].data);
  }
  void run(const graph::RunContext& ctx, std::span<const ConstTensorView>,
           std::span<const TensorView>) const override {
    eltwise_->run(*static_cast<const EltwiseArgs*>(ctx.binding));
  }

 private:
  std::unique_ptr<Eltwise> eltwise_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_activation(const graph::ActivationFn& fn, int64_t count) {
  std::unique_ptr<Eltwise> e = Eltwise::make(fn, count);
  if (!e) return nullptr;
  return std::make_unique<ActivationKernel>(std::move(e));
}

bool cheap_post_op(const graph::ActivationFn& fn) {
  using A = kernels::reference::Activation;
  switch (fn.kind) {
    case A::kReLU:
    case A::kLeakyReLU:
    case A::kLinear:
    case A::kClip:
    case A::kClampedReLU:
    case A::kSigmoidHard: return true;
    default: return false;
  }
}

}  // namespace morel::kernels::cpu
