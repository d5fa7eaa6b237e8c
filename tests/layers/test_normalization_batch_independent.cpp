// batch_independent(): batched prediction in rank-5 networks stacks items
// along axis 1, so a layer whose statistics span that axis must say so.
#include <gtest/gtest.h>

#include "graph/layer_registry.h"

namespace morel::test {
namespace {

std::unique_ptr<graph::Op> lower(const spec::NeuralNetworkLayer& layer, bool rank5) {
  graph::LowerContext lc;
  lc.rank5 = rank5;
  lc.spec_version = rank5 ? 1 : 4;
  return graph::builtin_layers().find(layer.layer_case())(layer, lc);
}

spec::NeuralNetworkLayer batchnorm(bool compute, bool instance) {
  spec::NeuralNetworkLayer layer;
  auto* b = layer.mutable_batchnorm();
  b->set_channels(2);
  for (auto* w :
       {b->mutable_gamma(), b->mutable_beta(), b->mutable_mean(), b->mutable_variance()}) {
    w->add_floatvalue(1.f);
    w->add_floatvalue(1.f);
  }
  b->set_computemeanvar(compute);
  b->set_instancenormalization(instance);
  return layer;
}

spec::NeuralNetworkLayer layer_norm(int axes) {
  spec::NeuralNetworkLayer layer;
  auto* l = layer.mutable_layernormalization();
  for (int i = 0; i < axes; ++i) l->add_normalizedshape(1);
  l->mutable_gamma()->add_floatvalue(1.f);
  l->mutable_beta()->add_floatvalue(0.f);
  return layer;
}

TEST(NormalizationBatchIndependent, Batchnorm) {
  EXPECT_TRUE(lower(batchnorm(false, false), true)->batch_independent());
  EXPECT_TRUE(lower(batchnorm(true, true), true)->batch_independent());
  EXPECT_FALSE(lower(batchnorm(true, false), true)->batch_independent());
}

TEST(NormalizationBatchIndependent, LayerNormalization) {
  EXPECT_TRUE(lower(layer_norm(3), true)->batch_independent());
  EXPECT_FALSE(lower(layer_norm(4), true)->batch_independent());
  EXPECT_TRUE(lower(layer_norm(4), false)->batch_independent());
}

TEST(NormalizationBatchIndependent, PerItemLayers) {
  spec::NeuralNetworkLayer mvn, l2, lrn;
  mvn.mutable_mvn()->set_acrosschannels(true);
  l2.mutable_l2normalize();
  lrn.mutable_lrn()->set_localsize(3);
  for (const auto* layer : {&mvn, &l2, &lrn}) EXPECT_TRUE(lower(*layer, true)->batch_independent());
}

}  // namespace
}  // namespace morel::test
