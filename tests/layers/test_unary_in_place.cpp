// The unary layers say they may run in place: check that doing so gives the
// same values as separate buffers, on 1 and 3 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "graph/layer_registry.h"

namespace morel::test {
namespace {

TEST(UnaryInPlace, EveryKindMatchesSeparateBuffers) {
  using L = spec::NeuralNetworkLayer;
  std::vector<L> layers;
  for (int type = 0; type <= 7; ++type) {
    auto* u = layers.emplace_back().mutable_unary();
    u->set_type(static_cast<spec::UnaryFunctionLayerParams::Operation>(type));
    u->set_alpha(1.5f);
    u->set_scale(0.5f);
    u->set_shift(2.f);
  }
  layers.emplace_back().mutable_ceil();
  layers.emplace_back().mutable_round();
  layers.emplace_back().mutable_sin();
  layers.emplace_back().mutable_acosh();
  layers.emplace_back().mutable_erf();

  const Shape shape{3, 50, 137};  // several parallel chunks
  for (const L& layer : layers) {
    auto op =
        graph::builtin_layers().find(layer.layer_case())(layer, graph::LowerContext{false, 4});
    ASSERT_TRUE(op->in_place()) << layer.DebugString();
    for (int threads : {1, 3}) {
      graph::RunContext rc;
      rc.threads = threads;
      std::vector<float> x(static_cast<size_t>(shape.count()));
      for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.01f * float(i)) * 4.f;
      std::vector<float> separate(x.size()), shared = x;
      const ConstTensorView in[] = {ConstTensorView(x.data(), shape)};
      const TensorView out[] = {{separate.data(), shape}};
      op->run(rc, in, out);
      const ConstTensorView in_shared[] = {ConstTensorView(shared.data(), shape)};
      const TensorView out_shared[] = {{shared.data(), shape}};
      op->run(rc, in_shared, out_shared);
      for (size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(separate[i])) {
          ASSERT_TRUE(std::isnan(shared[i])) << "element " << i << " of " << layer.DebugString();
        } else {
          ASSERT_EQ(separate[i], shared[i]) << "element " << i << " of " << layer.DebugString();
        }
      }
    }
  }
}

}  // namespace
}  // namespace morel::test
