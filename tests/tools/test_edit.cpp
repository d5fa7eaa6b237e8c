// edit_model: flexible shapes that really run, metadata, renames, and the
// errors for edits a model cannot take.
#include <gtest/gtest.h>

#include "morel/builder.h"
#include "morel/edit.h"
#include "morel/error.h"
#include "morel/model.h"

namespace morel::test {
namespace {

std::vector<float> pattern(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>((i * 37) % 11) - 5.0f;
  return v;
}

// conv 3x3 same (3 -> 2 channels) + relu on an N-d input 1x3xHxW.
Spec conv_model(int64_t h, int64_t w) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 3, h, w});
  b.add_array_output("y");
  ConvolutionOptions o;
  o.kernel_channels = 3;
  o.output_channels = 2;
  o.kernel_h = o.kernel_w = 3;
  o.same_padding = true;
  std::vector<float> weights = pattern(2 * 3 * 3 * 3), bias = {0.5f, -0.25f};
  b.add_convolution("conv", "x", "c", o, weights, bias);
  b.add_activation("relu", "c", "y", "RELU");
  return b.build();
}

std::vector<float> run(const Spec& spec, std::vector<int64_t> shape, const std::string& in = "x",
                       const std::string& out = "y") {
  Model m = Model::from_spec(spec);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  FeatureMap r = m.predict({{in, MultiArray::from_floats(shape, pattern(static_cast<size_t>(n)))}});
  return std::get<MultiArray>(r.at(out)).to_floats();
}

template <class F>
void expect_error(F&& f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(Edit, EnumeratedShapesRunLikeModelsBuiltAtThatShape) {
  ModelEdits e;
  e.enumerated_shapes["x"] = {{1, 3, 8, 8}, {1, 3, 16, 12}};
  Spec flexible = edit_model(conv_model(8, 8), e);
  EXPECT_TRUE(flexible.description().input(0).type().multiarraytype().has_enumeratedshapes());
  EXPECT_EQ(run(flexible, {1, 3, 16, 12}), run(conv_model(16, 12), {1, 3, 16, 12}));
  EXPECT_EQ(run(flexible, {1, 3, 8, 8}), run(conv_model(8, 8), {1, 3, 8, 8}));
}

TEST(Edit, ShapeRangeRunsAtItsEnds) {
  ModelEdits e;
  e.shape_ranges["x"] = parse_shape_range("1x3x[4..32]x[4..]");
  Spec flexible = edit_model(conv_model(8, 8), e);
  for (auto [h, w] : {std::pair<int64_t, int64_t>{4, 4}, {32, 40}, {9, 5}})
    EXPECT_EQ(run(flexible, {1, 3, h, w}), run(conv_model(h, w), {1, 3, h, w})) << h << "x" << w;
}

TEST(Edit, RefusesShapesTheNetworkCannotTakeNamingTheLayer) {
  // conv -> flatten -> innerProduct: the inner product's input size is fixed.
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 2, 4, 4});
  b.add_array_output("y");
  auto& flat = b.add_layer("flat", {"x"}, {"f"});
  flat.mutable_flattento2d()->set_axis(1);
  b.add_inner_product("fc", "f", "y", 32, 3, pattern(96));
  Spec fixed = b.build();
  ModelEdits e;
  e.shape_ranges["x"] = parse_shape_range("1x2x[4..8]x4");
  expect_error([&] { edit_model(fixed, e); },
               {"input 'x' at 1x2x8x4", "layer 'fc' (innerProduct)"});
  // The shape the model was made for still passes.
  ModelEdits ok;
  ok.enumerated_shapes["x"] = {{1, 2, 4, 4}};
  EXPECT_NO_THROW(edit_model(fixed, ok));
}

TEST(Edit, RaisesSpecVersionOnlyAsFarAsNeeded) {
  ModelBuilder b;
  b.add_array_input("x", {3, 4, 4});
  b.add_array_output("y");
  b.add_activation("relu", "x", "y", "RELU");
  Spec legacy = b.build();
  ASSERT_EQ(legacy.specificationversion(), 1);

  ModelEdits meta;
  meta.author = "Ada";
  EXPECT_EQ(edit_model(legacy, meta).specificationversion(), 1);

  ModelEdits flex;
  flex.enumerated_shapes["x"] = {{3, 4, 4}, {3, 8, 8}};
  Spec edited = edit_model(legacy, flex);
  EXPECT_EQ(edited.specificationversion(), 3);  // flexible shapes came with Core ML 2
  Model m = Model::from_spec(edited);
  FeatureMap out = m.predict({{"x", MultiArray::from_floats({3, 8, 8}, pattern(192))}});
  EXPECT_EQ(std::get<MultiArray>(out.at("y")).shape(), std::vector<int64_t>({3, 8, 8}));
}

TEST(Edit, MetadataAndDescriptionsRoundTrip) {
  ModelEdits e;
  e.author = "Grace Hopper";
  e.license = "MIT";
  e.description = "A tiny conv net";
  e.version = "2.1";
  e.user_defined["source"] = "unit test";
  e.input_descriptions["x"] = "an RGB-ish tensor";
  e.output_descriptions["y"] = "activations";
  Spec edited = parse_spec(serialize_spec(edit_model(conv_model(8, 8), e)));
  const auto& m = edited.description().metadata();
  EXPECT_EQ(m.author(), "Grace Hopper");
  EXPECT_EQ(m.license(), "MIT");
  EXPECT_EQ(m.shortdescription(), "A tiny conv net");
  EXPECT_EQ(m.versionstring(), "2.1");
  EXPECT_EQ(m.userdefined().at("source"), "unit test");
  EXPECT_EQ(edited.description().input(0).shortdescription(), "an RGB-ish tensor");
  EXPECT_EQ(edited.description().output(0).shortdescription(), "activations");
}

TEST(Edit, RenamesKeepOutputsIdentical) {
  ModelEdits e;
  e.rename_inputs["x"] = "image";
  e.rename_outputs["y"] = "features";
  Spec renamed = edit_model(conv_model(8, 8), e);
  EXPECT_EQ(renamed.description().input(0).name(), "image");
  EXPECT_EQ(renamed.description().output(0).name(), "features");
  EXPECT_EQ(run(renamed, {1, 3, 8, 8}, "image", "features"), run(conv_model(8, 8), {1, 3, 8, 8}));
}

TEST(Edit, ImageSizes) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_image_input("img", 8, 8);
  b.add_array_output("y");
  b.add_activation("id", "img", "y", "LINEAR", {1, 0});
  ModelEdits e;
  e.image_sizes["img"] = parse_image_sizes("8x8,16x4");
  Spec edited = edit_model(b.build(), e);
  Model m = Model::from_spec(edited);
  FeatureMap out = m.predict({{"img", Image(16, 4, PixelFormat::kRGB8)}});
  EXPECT_EQ(std::get<MultiArray>(out.at("y")).shape(), std::vector<int64_t>({1, 3, 4, 16}));

  ModelEdits range;
  range.image_size_ranges["img"] = {DimRange{4, 64}, DimRange{4, -1}};
  EXPECT_NO_THROW(edit_model(b.build(), range));
}

TEST(Edit, ClearErrors) {
  Spec s = conv_model(8, 8);
  expect_error([] { parse_shape_range("1x3x[32..4]x4"); }, {"upper bound below its lower bound"});
  expect_error([] { parse_shape_range("1x3x[4-32]x4"); }, {"[64..512]"});
  expect_error([] { parse_shape_list("1x3xAx4"); }, {"'A' is not a size"});
  ModelEdits unknown;
  unknown.enumerated_shapes["nope"] = {{1}};
  expect_error([&] { edit_model(s, unknown); }, {"'nope' is not an input", "inputs are: x"});
  ModelEdits rank;
  rank.enumerated_shapes["x"] = {{3, 8, 8}};
  expect_error([&] { edit_model(s, rank); }, {"rank 3", "rank 4"});
  ModelEdits clash;
  clash.rename_inputs["x"] = "c";  // 'c' is an internal blob
  expect_error([&] { edit_model(s, clash); }, {"already uses that name"});
  ModelEdits out;
  out.rename_outputs["x"] = "z";
  expect_error([&] { edit_model(s, out); }, {"'x' is not an output"});
  ModelEdits image_on_array;
  image_on_array.image_sizes["x"] = {{8, 8}};
  expect_error([&] { edit_model(s, image_on_array); }, {"image sizes are for image inputs"});
}

}  // namespace
}  // namespace morel::test
