// batch_independent(): in a rank-5 network a softmaxND over axis 1 (Batch)
// mixes the items of a batched prediction; the legacy softmax never does.
#include <gtest/gtest.h>

#include "graph/layer_registry.h"

namespace morel::test {
namespace {

bool independent(const spec::NeuralNetworkLayer& layer, bool rank5) {
  graph::LowerContext lc;
  lc.rank5 = rank5;
  return graph::builtin_layers().find(layer.layer_case())(layer, lc)->batch_independent();
}

TEST(SoftmaxBatchIndependent, Axes) {
  spec::NeuralNetworkLayer legacy;
  legacy.mutable_softmax();
  EXPECT_TRUE(independent(legacy, true));
  for (int64_t axis : {-5, -3, -2, -1, 0, 2, 3, 4}) {
    spec::NeuralNetworkLayer nd;
    nd.mutable_softmaxnd()->set_axis(axis);
    EXPECT_TRUE(independent(nd, true)) << "axis " << axis;
  }
  for (int64_t axis : {1, -4}) {
    spec::NeuralNetworkLayer nd;
    nd.mutable_softmaxnd()->set_axis(axis);
    EXPECT_FALSE(independent(nd, true)) << "axis " << axis;
    EXPECT_TRUE(independent(nd, false)) << "axis " << axis << " (N-d network)";
  }
}

}  // namespace
}  // namespace morel::test
