// WeightData: float32 weights read in place from the spec when the spec
// outlives the graph, decoded copies otherwise, and a copy before any change.
#include <gtest/gtest.h>

#include "graph/weight_data.h"
#include "morel/builder.h"
#include "morel/error.h"
#include "morel/model.h"

namespace morel::test {
namespace {

using graph::WeightData;

spec::WeightParams floats(const std::vector<float>& v) {
  spec::WeightParams w;
  set_float_weights(w, v);
  return w;
}

TEST(WeightData, BorrowsFloat32ValuesWhenAllowed) {
  const spec::WeightParams w = floats({1, 2, 3, 4});
  const WeightData borrowed(w, 4, "weights", {}, true);
  EXPECT_TRUE(borrowed.borrowed());
  EXPECT_EQ(borrowed.data(), w.floatvalue().data());
  EXPECT_EQ(borrowed.size(), 4u);

  const WeightData copied(w, 4, "weights", {}, false);
  EXPECT_FALSE(copied.borrowed());
  EXPECT_NE(copied.data(), w.floatvalue().data());
  EXPECT_EQ(std::vector<float>(copied.data(), copied.data() + 4), (std::vector<float>{1, 2, 3, 4}));
}

TEST(WeightData, DecodesWhatIsNotPlainFloat32) {
  spec::WeightParams w;
  set_float16_weights(w, {0.5f, -2.f});
  const WeightData d(w, 2, "weights", {}, true);
  EXPECT_FALSE(d.borrowed());
  EXPECT_EQ(std::vector<float>(d.data(), d.data() + 2), (std::vector<float>{0.5f, -2.f}));
}

TEST(WeightData, AWrongCountIsAnErrorNamingTheField) {
  const spec::WeightParams w = floats({1, 2, 3});
  try {
    WeightData(w, 4, "kernel weights", {}, true);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("kernel weights"), std::string::npos) << e.what();
  }
}

TEST(WeightData, ChangingBorrowedValuesCopiesThemFirst) {
  const spec::WeightParams w = floats({1, 2, 3});
  WeightData d(w, 3, "weights", {}, true);
  float* m = d.mutable_data();
  m[1] = 20;
  EXPECT_FALSE(d.borrowed());
  EXPECT_EQ(w.floatvalue(1), 2.f) << "the spec is left as it was";
  EXPECT_EQ(d.data()[1], 20.f);

  const WeightData copy = d;  // an owning copy has memory of its own
  EXPECT_NE(copy.data(), d.data());
  EXPECT_EQ(copy.data()[1], 20.f);
}

// Folding a batchnorm into a convolution's borrowed weights must not change
// the model's spec (Model::spec() is what a user saves or inspects).
TEST(WeightData, FoldingLeavesTheModelsSpecAlone) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 2, 3, 3});
  ConvolutionOptions o;
  o.kernel_channels = 2;
  o.output_channels = 2;
  const std::vector<float> weights{1, 2, 3, 4};
  b.add_convolution("conv", "x", "c", o, weights, {});
  auto* bn = b.add_layer("bn", {"c"}, {"y"}).mutable_batchnorm();
  bn->set_channels(2);
  for (int i = 0; i < 2; ++i) {
    bn->mutable_gamma()->add_floatvalue(3.f);
    bn->mutable_beta()->add_floatvalue(1.f);
    bn->mutable_mean()->add_floatvalue(0.f);
    bn->mutable_variance()->add_floatvalue(1.f);
  }
  b.add_array_output("y");
  const Model m = Model::from_spec(b.build());
  MultiArray x(DType::kFloat32, {1, 2, 3, 3});
  for (int64_t i = 0; i < x.count(); ++i) x.data<float>()[i] = 1.f;
  FeatureMap in;
  in.emplace("x", x);
  const auto y = std::get<MultiArray>(m.predict(in).at("y")).to_floats();
  // (1 + 2) * 3 / sqrt(1 + eps) + 1 for channel 0.
  EXPECT_NEAR(y[0], 10.f, 1e-3f);
  const auto& stored = m.spec().neuralnetwork().layers(0).convolution().weights().floatvalue();
  EXPECT_EQ(std::vector<float>(stored.begin(), stored.end()), weights);
}

}  // namespace
}  // namespace morel::test
