// The Model API end to end on models built with ModelBuilder: outputs,
// classifiers, preprocessing, batches, flexible shapes, pipelines, and the
// errors a user meets.
#include <gtest/gtest.h>

#include <cmath>

#include "morel/builder.h"
#include "morel/error.h"
#include "morel/model.h"
#include "support/compare.h"

namespace morel::test {
namespace {

// Expect `f` to throw morel::Error with `code` and every one of `parts` in the message.
template <class F>
void expect_error(F&& f, ErrorCode code, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << e.what();
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

std::vector<float> iota(size_t n, float start = 0, float step = 1) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

// y = relu(W x + b) on a rank-5 network: input [4] -> output [3].
Spec dense_model() {
  ModelBuilder b;
  b.add_array_input("x", {4});
  b.add_array_output("y", {3}, spec::ArrayFeatureType::DOUBLE);
  b.add_inner_product("fc", "x", "h", 4, 3, iota(12, -0.5f, 0.1f),
                      std::vector<float>{0.1f, -0.2f, 0.3f});
  b.add_activation("relu", "h", "y", "RELU");
  return b.build();
}

std::vector<double> dense_expected(const std::vector<float>& x) {
  std::vector<float> w = iota(12, -0.5f, 0.1f), bias = {0.1f, -0.2f, 0.3f};
  std::vector<double> y(3);
  for (int o = 0; o < 3; ++o) {
    double s = bias[o];
    for (int i = 0; i < 4; ++i) s += double(w[o * 4 + i]) * x[i];
    y[o] = std::max(0.0, s);
  }
  return y;
}

TEST(ModelApi, PredictsWithDeclaredOutputTypeAndShape) {
  Model m = Model::from_spec(dense_model());
  std::vector<float> x = {1, 2, 3, 4};
  FeatureMap out = m.predict({{"x", MultiArray::from_floats({4}, x)}});
  const MultiArray& y = std::get<MultiArray>(out.at("y"));
  EXPECT_EQ(y.dtype(), DType::kFloat64);
  EXPECT_EQ(y.shape(), std::vector<int64_t>({3}));
  std::vector<double> want = dense_expected(x);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(y.data<double>()[i], want[i], 1e-5);
}

TEST(ModelApi, UnknownInputNamesTheModelInputs) {
  Model m = Model::from_spec(dense_model());
  expect_error(
      [&] {
        m.predict({{"z", MultiArray::from_floats({4}, iota(4))}});
      },
      ErrorCode::kInvalidInput, {"input 'z' is not an input", "x (multiArray float32 4)"});
}

TEST(ModelApi, MissingInputIsNamed) {
  Model m = Model::from_spec(dense_model());
  expect_error([&] { m.predict({}); }, ErrorCode::kInvalidInput, {"missing input 'x'"});
}

TEST(ModelApi, WrongShapeSaysExpectedAndGot) {
  Model m = Model::from_spec(dense_model());
  expect_error(
      [&] {
        m.predict({{"x", MultiArray::from_floats({5}, iota(5))}});
      },
      ErrorCode::kInvalidInput, {"input 'x'", "shape 5", "model's shape 4"});
}

TEST(ModelApi, WrongFeatureKindAndElementType) {
  Model m = Model::from_spec(dense_model());
  expect_error(
      [&] {
        m.predict({{"x", 3.0}});
      },
      ErrorCode::kInvalidInput, {"input 'x'", "expected a multiArray", "got double"});
  std::vector<int32_t> ints = {1, 2, 3, 4};
  expect_error(
      [&] {
        m.predict({{"x", MultiArray::from_int32s({4}, ints)}});
      },
      ErrorCode::kInvalidInput, {"input 'x'", "got int32"});
  // float64 data for a float32 input is converted, not refused.
  std::vector<double> d = {1, 2, 3, 4};
  FeatureMap out = m.predict({{"x", MultiArray::from_doubles({4}, d)}});
  EXPECT_NEAR(std::get<MultiArray>(out.at("y")).data<double>()[2], dense_expected({1, 2, 3, 4})[2],
              1e-5);
}

TEST(ModelApi, UnsupportedLayerKindFailsAtLoadNamingTheLayer) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {2});
  b.add_array_output("y");
  // Random sampling layers are well-formed, but morel does not run them.
  b.add_layer("noise_1", {"x"}, {"y"}).mutable_randomnormallike();
  expect_error([&] { Model::from_spec(b.build()); }, ErrorCode::kUnsupported,
               {"layer 'noise_1' (randomNormalLike)"});
}

TEST(ModelApi, UnsupportedModelTypeIsNamed) {
  Spec s;
  s.set_specificationversion(1);
  s.mutable_description()->add_input()->set_name("x");
  s.mutable_description()->mutable_input(0)->mutable_type()->mutable_doubletype();
  s.mutable_description()->add_output()->set_name("y");
  s.mutable_description()->mutable_output(0)->mutable_type()->mutable_doubletype();
  s.set_glmclassifier("");  // a model type morel does not run
  expect_error([&] { Model::from_spec(s); }, ErrorCode::kUnsupported,
               {"unsupported model type 'glmClassifier'"});
}

TEST(ModelApi, MissingCustomLayerClassSaysHowToProvideIt) {
  ModelBuilder b;
  b.add_array_input("x", {2});
  b.add_array_output("y");
  b.add_custom("swish_1", {"x"}, {"y"}, "NoSuchClass");
  expect_error([&] { Model::from_spec(b.build()); }, ErrorCode::kMissingCustomLayer,
               {"layer 'swish_1'", "'NoSuchClass'", "--plugin"});
}

TEST(ModelApi, BadValueErrorLeavesModelUsable) {
  // embedding with 5 rows: index 7 is out of range at run time.
  ModelBuilder b;
  b.add_array_input("ids", {1});
  b.add_array_output("e");
  auto& layer = b.add_layer("embed", {"ids"}, {"e"});
  auto* p = layer.mutable_embedding();
  p->set_inputdim(5);
  p->set_outputchannels(2);
  for (float v : iota(10)) p->mutable_weights()->add_floatvalue(v);
  Model m = Model::from_spec(b.build());
  expect_error(
      [&] {
        m.predict({{"ids", MultiArray::from_floats({1}, std::vector<float>{7})}});
      },
      ErrorCode::kInvalidInput, {"layer 'embed' (embedding)"});
  FeatureMap ok = m.predict({{"ids", MultiArray::from_floats({1}, std::vector<float>{3})}});
  const MultiArray& e = std::get<MultiArray>(ok.at("e"));
  // Weights are [outputChannels, inputDim]: row o, column id.
  EXPECT_EQ(e.to_floats(), std::vector<float>({3, 8}));
}

TEST(ModelApi, ClassifierGivesLabelAndProbabilities) {
  ModelBuilder b(NetworkKind::kClassifier);
  b.add_array_input("x", {3});
  b.add_inner_product("fc", "x", "logits", 3, 3, std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  b.add_softmax("sm", "logits", "probs");
  b.set_class_labels(std::vector<int64_t>{10, 20, 30}, "label", "probs");
  Model m = Model::from_spec(b.build());
  FeatureMap out = m.predict({{"x", MultiArray::from_floats({3}, std::vector<float>{0, 2, 1})}});
  EXPECT_EQ(std::get<int64_t>(out.at("label")), 20);
  const auto& probs = std::get<Int64Dictionary>(out.at("probs"));
  double z = 1 + std::exp(2.0) + std::exp(1.0);
  EXPECT_NEAR(probs.at(20), std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(probs.at(10), 1 / z, 1e-6);
}

TEST(ModelApi, ImageScalerAndColourLayout) {
  // 2x1 BGR image input, identity network: the output is the preprocessed tensor.
  ModelBuilder b;
  b.add_image_input("img", 2, 1, spec::ImageFeatureType::BGR);
  b.add_array_output("y");
  b.add_activation("id", "img", "y", "LINEAR", {1, 0});
  b.set_image_scaler("img", 0.5f, /*red*/ 1, /*green*/ 2, /*blue*/ 3);
  Model m = Model::from_spec(b.build());
  Image im(2, 1, PixelFormat::kRGB8);
  im.pixels = {10, 20, 30, 40, 50, 60};  // (R,G,B) per pixel
  FeatureMap out = m.predict({{"img", im}});
  // Channels B, G, R; each 0.5 * value + that channel's bias.
  EXPECT_EQ(std::get<MultiArray>(out.at("y")).to_floats(),
            std::vector<float>({18, 33, 12, 27, 6, 21}));
  Image wrong(3, 1, PixelFormat::kRGB8);
  expect_error(
      [&] {
        m.predict({{"img", wrong}});
      },
      ErrorCode::kInvalidInput, {"input 'img'", "image is 3x1", "takes 2x1"});
}

TEST(ModelApi, BatchEqualsOneByOne) {
  Model m = Model::from_spec(dense_model());
  std::vector<FeatureMap> batch;
  for (int i = 0; i < 7; ++i)
    batch.push_back({{"x", MultiArray::from_floats({4}, iota(4, float(i), 0.5f))}});
  std::vector<FeatureMap> out = m.predict_batch(batch);
  ASSERT_EQ(out.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    FeatureMap one = m.predict(batch[i]);
    EXPECT_EQ(std::get<MultiArray>(out[i].at("y")).to_floats(),
              std::get<MultiArray>(one.at("y")).to_floats())
        << "item " << i;
    EXPECT_EQ(std::get<MultiArray>(out[i].at("y")).shape(), std::vector<int64_t>({3}));
  }
}

Spec flexible_model() {
  // N-d network: y = 2x + 1 on [1, N] with N in [2..8], or enumerated.
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 4});
  b.add_array_output("y");
  b.add_activation("lin", "x", "y", "LINEAR", {2, 1});
  b.set_shape_range("x", {{1, 1}, {2, 8}});
  return b.build();
}

TEST(ModelApi, FlexibleShapeRange) {
  Model m = Model::from_spec(flexible_model());
  for (int64_t n : {2, 5, 8, 5}) {
    FeatureMap out = m.predict({{"x", MultiArray::from_floats({1, n}, iota(size_t(n)))}});
    const MultiArray& y = std::get<MultiArray>(out.at("y"));
    EXPECT_EQ(y.shape(), std::vector<int64_t>({1, n}));
    EXPECT_EQ(y.to_floats(), iota(size_t(n), 1, 2));
  }
  expect_error(
      [&] {
        m.predict({{"x", MultiArray::from_floats({1, 9}, iota(9))}});
      },
      ErrorCode::kInvalidInput, {"input 'x'", "shape 1x9", "range 1x[2..8]"});
  // A batch of mixed allowed shapes.
  std::vector<FeatureMap> batch = {{{"x", MultiArray::from_floats({1, 2}, iota(2))}},
                                   {{"x", MultiArray::from_floats({1, 3}, iota(3))}}};
  auto out = m.predict_batch(batch);
  EXPECT_EQ(std::get<MultiArray>(out[1].at("y")).to_floats(), iota(3, 1, 2));
}

TEST(ModelApi, EnumeratedShapes) {
  Spec s = flexible_model();
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 4});
  b.add_array_output("y");
  b.add_activation("lin", "x", "y", "LINEAR", {2, 1});
  b.set_enumerated_shapes("x", {{1, 4}, {1, 6}});
  Model m = Model::from_spec(b.build());
  EXPECT_EQ(
      std::get<MultiArray>(m.predict({{"x", MultiArray::from_floats({1, 6}, iota(6))}}).at("y"))
          .count(),
      6);
  expect_error(
      [&] {
        m.predict({{"x", MultiArray::from_floats({1, 5}, iota(5))}});
      },
      ErrorCode::kInvalidInput, {"shape 1x5 is not one of the model's shapes 1x4, 1x6"});
}

TEST(ModelApi, DeclaredOutputShapeMismatchIsAnError) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 4});
  b.add_array_output("y", {1, 5});
  b.add_activation("lin", "x", "y", "LINEAR", {1, 0});
  Model m = Model::from_spec(b.build());
  expect_error(
      [&] {
        m.predict({{"x", MultiArray::from_floats({1, 4}, iota(4))}});
      },
      ErrorCode::kInvalidModel, {"output 'y'", "computes shape 1x4", "declares 1x5"});
}

TEST(ModelApi, PipelineChainsModels) {
  Spec first = dense_model();
  ModelBuilder second_b;
  second_b.add_array_input("y", {3});
  second_b.add_array_output("z");
  second_b.add_activation("double", "y", "z", "LINEAR", {2, 0});
  Spec second = second_b.build();

  Spec p;
  p.set_specificationversion(1);
  *p.mutable_description()->add_input() = first.description().input(0);
  *p.mutable_description()->add_output() = second.description().output(0);
  *p.mutable_pipeline()->add_models() = first;
  *p.mutable_pipeline()->add_models() = second;
  Model m = Model::from_spec(p);
  std::vector<float> x = {1, -1, 2, 0.5f};
  FeatureMap out = m.predict({{"x", MultiArray::from_floats({4}, x)}});
  std::vector<double> want = dense_expected(x);
  std::vector<float> z = std::get<MultiArray>(out.at("z")).to_floats();
  ASSERT_EQ(z.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(z[i], 2 * want[i], 1e-5);
}

}  // namespace
}  // namespace morel::test
