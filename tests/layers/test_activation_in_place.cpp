// The activation layers say they may run in place (output 0 sharing input 0's
// memory): check that doing so gives the same values as separate buffers,
// per-channel kinds included, on 1 and 3 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "graph/layer_registry.h"

namespace morel::test {
namespace {

std::vector<float> ramp(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = std::sin(0.37f * float(i)) * 3.f;
  return v;
}

void expect_in_place_matches(const spec::NeuralNetworkLayer& layer, const Shape& shape) {
  graph::LowerContext lc;
  lc.rank5 = shape.rank() == 5;
  auto op = graph::builtin_layers().find(layer.layer_case())(layer, lc);
  ASSERT_TRUE(op->in_place()) << layer.DebugString();
  const Shape in_shape[] = {shape};
  ASSERT_EQ(op->infer_shapes(in_shape)[0], shape);
  for (int threads : {1, 3}) {
    graph::RunContext rc;
    rc.threads = threads;
    rc.reference = true;
    const std::vector<float> x = ramp(shape.count());
    std::vector<float> separate(x.size()), shared = x;
    const ConstTensorView in[] = {ConstTensorView(x.data(), shape)};
    const TensorView out[] = {{separate.data(), shape}};
    op->run(rc, in, out);
    const ConstTensorView in_shared[] = {ConstTensorView(shared.data(), shape)};
    const TensorView out_shared[] = {{shared.data(), shape}};
    op->run(rc, in_shared, out_shared);
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(separate[i], shared[i]) << "element " << i << " of " << layer.DebugString();
  }
}

TEST(ActivationInPlace, EveryKindMatchesSeparateBuffers) {
  const Shape shape{2, 3, 5, 40, 41};  // rank 5, C = 5; big enough for several chunks
  std::vector<spec::NeuralNetworkLayer> layers;
  auto add = [&]() -> spec::NeuralNetworkLayer& { return layers.emplace_back(); };
  add().mutable_activation()->mutable_linear()->set_alpha(0.5f);
  add().mutable_activation()->mutable_relu();
  add().mutable_activation()->mutable_leakyrelu()->set_alpha(0.1f);
  add().mutable_activation()->mutable_thresholdedrelu()->set_alpha(0.2f);
  {
    auto* alpha = add().mutable_activation()->mutable_prelu()->mutable_alpha();
    for (float a : {0.1f, -0.2f, 0.3f, 0.4f, 0.5f}) alpha->add_floatvalue(a);
  }
  add().mutable_activation()->mutable_tanh();
  add().mutable_activation()->mutable_scaledtanh()->set_alpha(2.f);
  add().mutable_activation()->mutable_sigmoid();
  add().mutable_activation()->mutable_sigmoidhard()->set_alpha(0.2f);
  add().mutable_activation()->mutable_elu()->set_alpha(1.f);
  add().mutable_activation()->mutable_softsign();
  add().mutable_activation()->mutable_softplus();
  {
    auto* ps = add().mutable_activation()->mutable_parametricsoftplus();
    ps->mutable_alpha()->add_floatvalue(1.5f);
    for (float b : {1.f, 2.f, -1.f, 0.5f, 3.f}) ps->mutable_beta()->add_floatvalue(b);
  }
  add().mutable_gelu()->set_mode(spec::GeluLayerParams::TANH_APPROXIMATION);
  add().mutable_clip()->set_maxval(1.f);
  add().mutable_clampedrelu()->set_beta(2.f);
  for (const auto& layer : layers) expect_in_place_matches(layer, shape);
}

}  // namespace
}  // namespace morel::test
