// The ONNX converter's API: shapes and folding, options (image inputs,
// classifier, metadata, renames), custom layers (conversion functions,
// add_custom_layers, a plugin class), and errors on bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "morel/convert_onnx.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"
#include "support/onnx_builder.h"
#include "tools/load_model.h"

namespace morel::test {
namespace {

using onnx::TensorProto;

// What convert_onnx threw, or "" when it did not.
std::string convert_error(const OnnxBuilder& b, const OnnxConvertOptions& o = {},
                          ErrorCode* code = nullptr) {
  try {
    convert_onnx_bytes(b.bytes(), o, "test.onnx");
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

MultiArray arange(const std::vector<int64_t>& shape, float scale = 1.f, float offset = 0.f) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<float>(i);
  return MultiArray::from_floats(shape, v);
}

std::vector<float> floats(const FeatureMap& out, const std::string& name) {
  return std::get<MultiArray>(out.at(name)).to_floats();
}

int count_layers(const Spec& spec, spec::NeuralNetworkLayer::LayerCase kind) {
  int n = 0;
  for (const auto& l : *network_view(spec).layers) n += l.layer_case() == kind;
  return n;
}

// x [N, 3, 4] with a symbolic batch, reshaped by a shape computed from
// Shape -> Gather -> Concat: the chain folds to constants.
OnnxBuilder reshape_chain() {
  OnnxBuilder b(13);
  b.input("x", {-1, 3, 4}).output("y");
  b.initializer_i64("zero", {}, {0});
  b.initializer_i64("minus_one", {1}, {-1});
  b.initializer_i64("axes0", {1}, {0});
  b.node("Shape", {"x"}, {"s"});
  set_attr(b.node("Gather", {"s", "zero"}, {"n"}), "axis", int64_t{0});
  b.node("Unsqueeze", {"n", "axes0"}, {"n1"});
  set_attr(b.node("Concat", {"n1", "minus_one"}, {"target"}), "axis", int64_t{0});
  b.node("Reshape", {"x", "target"}, {"y"});
  return b;
}

TEST(ConvertOnnx, ShapeChainFoldsToAStaticReshape) {
  OnnxConvertOptions o;
  o.input_shapes["x"] = {2, 3, 4};
  Spec spec = convert_onnx_bytes(reshape_chain().bytes(), o);
  EXPECT_EQ(count_layers(spec, spec::NeuralNetworkLayer::kGetShape), 0);
  ASSERT_EQ(spec.description().output(0).type().multiarraytype().shape_size(), 2);
  EXPECT_EQ(spec.description().output(0).type().multiarraytype().shape(0), 2);
  EXPECT_EQ(spec.description().output(0).type().multiarraytype().shape(1), 12);
  EXPECT_GE(spec.specificationversion(), 4);
  Model m = Model::from_spec(spec);
  FeatureMap out = m.predict({{"x", arange({2, 3, 4})}});
  EXPECT_EQ(std::get<MultiArray>(out.at("y")).shape(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(floats(out, "y"), arange({2, 12}).to_floats());
}

TEST(ConvertOnnx, SymbolicDimensionsDefaultToOne) {
  Spec spec = convert_onnx_bytes(reshape_chain().bytes());
  EXPECT_EQ(spec.description().input(0).type().multiarraytype().shape(0), 1);
}

TEST(ConvertOnnx, InputShapeMustMatchFixedDimensions) {
  OnnxConvertOptions o;
  o.input_shapes["x"] = {2, 5, 4};
  ErrorCode code{};
  const std::string msg = convert_error(reshape_chain(), o, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fixes at 3"), std::string::npos) << msg;
  o.input_shapes = {{"nope", {1}}};
  EXPECT_NE(convert_error(reshape_chain(), o).find("'nope'"), std::string::npos);
}

// A small CNN head: Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.
OnnxBuilder small_cnn() {
  OnnxBuilder b(13);
  b.input("image", {1, 3, 4, 4}).output("probs");
  std::vector<float> w(2 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i)) * 0.1f;
  b.initializer("w", {2, 3, 3, 3}, w).initializer("b", {2}, {0.1f, -0.2f});
  b.initializer("fc_w", {2, 3}, {1.f, -1.f, 0.5f, 2.f, -0.5f, 0.25f});
  b.initializer("fc_b", {3}, {0.f, 0.1f, -0.1f});
  auto& conv = b.node("Conv", {"image", "w", "b"}, {"c"}, "conv");
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.node("Relu", {"c"}, {"r"});
  b.node("GlobalAveragePool", {"r"}, {"g"});
  b.node("Flatten", {"g"}, {"f"});
  b.node("Gemm", {"f", "fc_w", "fc_b"}, {"logits"});
  b.node("Softmax", {"logits"}, {"probs"});
  return b;
}

TEST(ConvertOnnx, ImageInputWithScaleAndBias) {
  OnnxConvertOptions o;
  OnnxImageInput im;
  im.name = "image";
  im.scale = 1.f / 255.f;
  im.red_bias = -0.5f;
  im.green_bias = -0.25f;
  im.blue_bias = 0.f;
  o.image_inputs.push_back(im);
  Spec spec = convert_onnx_bytes(small_cnn().bytes(), o);
  const auto& t = spec.description().input(0).type();
  ASSERT_TRUE(t.has_imagetype());
  EXPECT_EQ(t.imagetype().width(), 4);
  EXPECT_EQ(t.imagetype().colorspace(), spec::ImageFeatureType::RGB);

  // The image run equals the array model fed the preprocessed pixels.
  Image img(4, 4, PixelFormat::kRGB8);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 13 % 256);
  std::vector<float> chw(3 * 16);
  const float bias[3] = {-0.5f, -0.25f, 0.f};
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 16; ++p) chw[c * 16 + p] = img.pixels[p * 3 + c] / 255.f + bias[c];
  FeatureMap a = Model::from_spec(spec).predict({{"image", img}});
  FeatureMap b = Model::from_spec(convert_onnx_bytes(small_cnn().bytes()))
                     .predict({{"image", MultiArray::from_floats({1, 3, 4, 4}, chw)}});
  const auto fa = floats(a, "probs"), fb = floats(b, "probs");
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) EXPECT_NEAR(fa[i], fb[i], 1e-6);
}

TEST(ConvertOnnx, ImageInputMustBeOneImage) {
  OnnxBuilder b(13);
  b.input("x", {2, 3, 4, 4}).output("y");
  b.node("Relu", {"x"}, {"y"});
  OnnxConvertOptions o;
  o.image_inputs.push_back({"x"});
  ErrorCode code{};
  const std::string msg = convert_error(b, o, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("[1, C, H, W]"), std::string::npos) << msg;
  o.image_inputs = {{"y"}};
  EXPECT_NE(convert_error(b, o).find("not an input"), std::string::npos);
}

TEST(ConvertOnnx, ClassifierWithLabels) {
  OnnxConvertOptions o;
  o.class_labels = {"cat", "dog", "bird"};
  Spec spec = convert_onnx_bytes(small_cnn().bytes(), o);
  ASSERT_TRUE(spec.has_neuralnetworkclassifier());
  EXPECT_EQ(spec.description().predictedfeaturename(), "classLabel");
  EXPECT_EQ(spec.description().predictedprobabilitiesname(), "probs");
  MultiArray x = arange({1, 3, 4, 4}, 0.05f, -1.f);
  FeatureMap out = Model::from_spec(spec).predict({{"image", x}});
  std::vector<float> p = floats(
      Model::from_spec(convert_onnx_bytes(small_cnn().bytes())).predict({{"image", x}}), "probs");
  const auto& dict = std::get<StringDictionary>(out.at("probs"));
  EXPECT_NEAR(dict.at("dog"), p[1], 1e-6);
  const size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  EXPECT_EQ(std::get<std::string>(out.at("classLabel")), o.class_labels[best]);

  o.class_labels = {"a", "b"};
  const std::string msg = convert_error(small_cnn(), o);
  EXPECT_NE(msg.find("2 class labels"), std::string::npos) << msg;
}

TEST(ConvertOnnx, MetadataDescriptionsAndRenames) {
  OnnxConvertOptions o;
  o.author = "A. Author";
  o.license = "MIT";
  o.description = "a small CNN";
  o.version = "1.2";
  o.input_descriptions["image"] = "the picture";
  o.output_descriptions["probs"] = "class probabilities";
  o.renames = {{"image", "pixels"}, {"probs", "scores"}};
  Spec spec = convert_onnx_bytes(small_cnn().bytes(), o);
  const auto& d = spec.description();
  EXPECT_EQ(d.metadata().author(), "A. Author");
  EXPECT_EQ(d.metadata().license(), "MIT");
  EXPECT_EQ(d.metadata().shortdescription(), "a small CNN");
  EXPECT_EQ(d.metadata().versionstring(), "1.2");
  EXPECT_EQ(d.metadata().userdefined().at("morel.converted_from"), "onnx");
  EXPECT_EQ(d.input(0).name(), "pixels");
  EXPECT_EQ(d.input(0).shortdescription(), "the picture");
  EXPECT_EQ(d.output(0).name(), "scores");
  EXPECT_EQ(d.output(0).shortdescription(), "class probabilities");
  FeatureMap out = Model::from_spec(spec).predict({{"pixels", arange({1, 3, 4, 4}, 0.01f)}});
  EXPECT_EQ(out.count("scores"), 1u);

  o = {};
  o.renames = {{"nothing", "x"}};
  EXPECT_NE(convert_error(small_cnn(), o).find("'nothing'"), std::string::npos);
  o.renames = {{"image", "probs"}};
  EXPECT_NE(convert_error(small_cnn(), o).find("two features"), std::string::npos);
  o = {};
  o.input_descriptions["nope"] = "x";
  EXPECT_NE(convert_error(small_cnn(), o).find("'nope'"), std::string::npos);
}

TEST(ConvertOnnx, SavedModelRoundTrips) {
  const auto dir = scratch_dir("ConvertOnnx.SavedModelRoundTrips");
  Spec spec = convert_onnx(small_cnn().save(dir / "cnn.onnx"));
  save_spec(spec, dir / "cnn.mlmodel");
  MultiArray x = arange({1, 3, 4, 4}, 0.1f, -0.5f);
  EXPECT_EQ(floats(Model::load(dir / "cnn.mlmodel").predict({{"image", x}}), "probs"),
            floats(tools::load_any_model(dir / "cnn.onnx").predict({{"image", x}}), "probs"));
}

// Det has no Core ML layer in morel's converter.
OnnxBuilder det_model() {
  OnnxBuilder b(13);
  b.input("x", {2, 3, 3}).output("y", {2});
  b.initializer("scale", {1}, {2.f});
  b.node("Mul", {"x", "scale"}, {"x2"});
  b.node("Det", {"x2"}, {"d"}, "det");
  b.node("Relu", {"d"}, {"y"});
  b.value_info("d", {2});
  return b;
}

TEST(ConvertOnnx, UnsupportedOpNamesTheWaysOut) {
  ErrorCode code{};
  const std::string msg = convert_error(det_model(), {}, &code);
  EXPECT_EQ(code, ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("node 'det' (Det)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--add-custom-layers"), std::string::npos) << msg;
  EXPECT_NE(msg.find("conversion function"), std::string::npos) << msg;
}

TEST(ConvertOnnx, AddCustomLayersCarriesAttributesAndWeights) {
  OnnxBuilder b(13);
  b.input("x", {3}).output("y", {3});
  b.initializer("table", {2}, {0.5f, 1.5f});
  auto& n = b.node("MyOp", {"x", "table"}, {"y"}, "mine");
  n.set_domain("com.example");
  b.opset_import("com.example", 1);
  set_attr(n, "alpha", 0.25f);
  set_attr(n, "mode", std::string("fast"));
  set_attr(n, "sizes", std::vector<int64_t>{3, 4});
  OnnxConvertOptions o;
  o.add_custom_layers = true;
  o.custom_layer_class_names["MyOp"] = "MyOpLayer";
  Spec spec = convert_onnx_bytes(b.bytes(), o);
  const auto& layers = *network_view(spec).layers;
  const spec::NeuralNetworkLayer* custom = nullptr;
  for (const auto& l : layers)
    if (l.has_custom()) custom = &l;
  ASSERT_NE(custom, nullptr);
  const auto& p = custom->custom();
  EXPECT_EQ(p.classname(), "MyOpLayer");
  EXPECT_EQ(custom->input_size(), 1);
  EXPECT_DOUBLE_EQ(p.parameters().at("alpha").doublevalue(), 0.25);
  EXPECT_EQ(p.parameters().at("mode").stringvalue(), "fast");
  EXPECT_EQ(p.parameters().at("sizes").stringvalue(), "3,4");
  EXPECT_EQ(p.parameters().at("onnx_op_type").stringvalue(), "MyOp");
  EXPECT_EQ(p.parameters().at("onnx_weight_inputs").stringvalue(), "1");
  ASSERT_EQ(p.weights_size(), 1);
  EXPECT_EQ(p.weights(0).floatvalue(1), 1.5f);
  EXPECT_GE(spec.specificationversion(), 4);
  // No class is registered: loading names the class and the way out.
  try {
    Model::from_spec(spec);
    FAIL() << "loaded without the custom class";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMissingCustomLayer);
    EXPECT_NE(std::string(e.what()).find("MyOpLayer"), std::string::npos) << e.what();
  }
}

TEST(ConvertOnnx, CustomLayerNeedsAShape) {
  OnnxBuilder b = det_model();
  b.model.mutable_graph()->clear_value_info();
  OnnxConvertOptions o;
  o.custom_layer_class_names["Det"] = "NoSuchDetClass";
  const std::string msg = convert_error(b, o);
  EXPECT_NE(msg.find("needs the shape of output 'd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--plugin"), std::string::npos) << msg;
}

TEST(ConvertOnnx, ConversionFunctionMakesTheLayer) {
  OnnxConvertOptions o;
  int calls = 0;
  o.custom_conversions["Det"] = [&](const OnnxNode& n) -> std::optional<OnnxCustomLayer> {
    ++calls;
    EXPECT_EQ(n.name, "det");
    EXPECT_EQ(n.op_type, "Det");
    EXPECT_EQ(n.input_shapes.at(0), (std::vector<int64_t>{2, 3, 3}));
    EXPECT_FALSE(n.input_constants.at(0).has_value());
    OnnxCustomLayer l;
    l.class_name = "Determinant";
    l.description = "det";
    l.parameters["pivoting"] = true;
    l.weights.push_back({1.f, 2.f});
    l.output_shapes = {{2}};
    return l;
  };
  Spec spec = convert_onnx_bytes(det_model().bytes(), o);
  EXPECT_EQ(calls, 1);
  bool found = false;
  for (const auto& l : *network_view(spec).layers)
    if (l.has_custom()) {
      found = true;
      EXPECT_EQ(l.custom().classname(), "Determinant");
      EXPECT_TRUE(l.custom().parameters().at("pivoting").boolvalue());
      EXPECT_EQ(l.custom().weights_size(), 1);
    }
  EXPECT_TRUE(found);

  // Declining leaves the node to the converter: Relu is converted as usual.
  int relu_calls = 0;
  o.custom_conversions = {{"Relu", [&](const OnnxNode&) -> std::optional<OnnxCustomLayer> {
                             ++relu_calls;
                             return std::nullopt;
                           }}};
  o.add_custom_layers = true;
  Spec s2 = convert_onnx_bytes(det_model().bytes(), o);
  EXPECT_EQ(relu_calls, 1);
  EXPECT_EQ(count_layers(s2, spec::NeuralNetworkLayer::kActivation), 1);
}

TEST(ConvertOnnx, PluginRunsAnAddedCustomLayer) {
  const auto dir = scratch_dir("ConvertOnnx.PluginRunsAnAddedCustomLayer");
  const auto path = det_model().save(dir / "det.onnx");
  OnnxConvertOptions o;
  o.add_custom_layers = true;
  Spec spec = convert_onnx(path, o);
  save_spec(spec, dir / "det.mlmodel");
  ModelOptions mo;
  mo.plugins.push_back(std::filesystem::path(MOREL_TEST_PLUGIN_DIR) / "libdet_plugin.so");
  Model m = Model::load(dir / "det.mlmodel", mo);
  // det(2A) = 8 det(A) for 3x3 A; the Relu keeps positive determinants.
  FeatureMap out =
      m.predict({{"x", MultiArray::from_floats(
                           {2, 3, 3}, std::vector<float>{2, 0, 0, 0, 3, 0, 0, 0, 4,       // 24
                                                         0, 1, 0, 1, 0, 0, 0, 0, 1})}});  // -1
  EXPECT_EQ(floats(out, "y"), (std::vector<float>{192.f, 0.f}));
  // With the class registered, the converter asks it for the output shape:
  // no value_info needed.
  OnnxBuilder b = det_model();
  b.model.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  b.model.mutable_graph()->clear_value_info();
  Model m2 = tools::load_any_model(b.save(dir / "undeclared.onnx"), mo, o);
  EXPECT_EQ(
      floats(m2.predict({{"x", MultiArray::from_floats({2, 3, 3}, std::vector<float>(18, 1.f))}}),
             "y"),
      (std::vector<float>{0.f, 0.f}));
}

TEST(ConvertOnnx, BadFilesGiveOneClearError) {
  const auto dir = scratch_dir("ConvertOnnx.BadFilesGiveOneClearError");
  ErrorCode code{};
  try {
    convert_onnx(dir / "missing.onnx");
  } catch (const Error& e) {
    code = e.code();
  }
  EXPECT_EQ(code, ErrorCode::kIo);
  for (const std::string& bytes :
       {std::string(), std::string("not a model at all \x01\x02\xff", 23),
        small_cnn().bytes().substr(0, 40)}) {
    try {
      convert_onnx_bytes(bytes, {}, "junk.onnx");
      ADD_FAILURE() << "accepted junk";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << e.what();
      EXPECT_NE(std::string(e.what()).find("junk.onnx"), std::string::npos) << e.what();
    }
  }
}

TEST(ConvertOnnx, BadGraphsGiveOneClearError) {
  OnnxBuilder late(13);
  late.input("x", {2}).output("y");
  late.node("Relu", {"z"}, {"y"});
  ErrorCode code{};
  std::string msg = convert_error(late, {}, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidModel);
  EXPECT_NE(msg.find("'z'"), std::string::npos) << msg;

  OnnxBuilder future(99);
  future.input("x", {2}).output("y");
  future.node("Relu", {"x"}, {"y"});
  msg = convert_error(future, {}, &code);
  EXPECT_EQ(code, ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("opset 99"), std::string::npos) << msg;

  OnnxBuilder badattr(13);
  badattr.input("x", {1, 1, 4, 4}).output("y");
  auto& pool = badattr.node("MaxPool", {"x"}, {"y"}, "pool");
  set_attr(pool, "kernel_shape", std::string("3x3"));
  msg = convert_error(badattr, {}, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidModel);
  EXPECT_NE(msg.find("node 'pool' (MaxPool)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel_shape"), std::string::npos) << msg;

  OnnxBuilder strings(13);
  strings.input("s", {2}, TensorProto::STRING).output("y");
  strings.node("Identity", {"s"}, {"y"});
  msg = convert_error(strings, {}, &code);
  EXPECT_EQ(code, ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("'s'"), std::string::npos) << msg;

  OnnxBuilder dynamic(13);
  dynamic.input("x", {6}).input("shape", {2}, TensorProto::INT64).output("y");
  dynamic.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
  msg = convert_error(dynamic, {}, &code);
  EXPECT_EQ(code, ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("node 'reshape' (Reshape)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("conversion time"), std::string::npos) << msg;
}

TEST(ConvertOnnx, SupportedOpsAreListed) {
  const auto ops = onnx_supported_ops();
  for (const char* op : {"Conv",
                         "ConvTranspose",
                         "Gemm",
                         "MatMul",
                         "BatchNormalization",
                         "InstanceNormalization",
                         "LayerNormalization",
                         "MaxPool",
                         "AveragePool",
                         "GlobalAveragePool",
                         "Pad",
                         "Resize",
                         "Upsample",
                         "Concat",
                         "Split",
                         "Slice",
                         "Reshape",
                         "Flatten",
                         "Transpose",
                         "Squeeze",
                         "Unsqueeze",
                         "Gather",
                         "Softmax",
                         "LogSoftmax",
                         "Clip",
                         "Constant",
                         "Shape",
                         "Cast",
                         "Dropout",
                         "Identity",
                         "ReduceMean",
                         "Add",
                         "Mul",
                         "Where"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}

}  // namespace
}  // namespace morel::test
