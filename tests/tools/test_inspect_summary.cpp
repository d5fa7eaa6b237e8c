// inspect's summary on hand-built specs: everything the real files do not
// exercise (pipelines, model types morel does not run, custom layers and
// models, mean images, int64 labels, updatable models, control flow,
// states, specs that fail validation) and its JSON form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "graph/layer_registry.h"
#include "morel/builder.h"
#include "morel/weights.h"
#include "tools/inspect.h"

namespace morel::test {
namespace {

using tools::ModelSummary;
using Json = nlohmann::ordered_json;

// A small valid rank-5 network: x [4] -> innerProduct 4->2 -> y.
ModelBuilder dense_builder(NetworkKind kind = NetworkKind::kPlain) {
  ModelBuilder b(kind);
  b.add_array_input("x", {4});
  b.add_array_output("y");
  const std::vector<float> w(8, 0.5f), bias(2, 0.f);
  b.add_inner_product("dense", "x", "y", 4, 2, w, bias);
  return b;
}

TEST(InspectSummary, NetworkBasics) {
  const ModelSummary s = tools::summarize_model(dense_builder().build());
  EXPECT_EQ(s.model_type, "neuralNetwork");
  EXPECT_TRUE(s.runs_in_morel);
  EXPECT_FALSE(s.validation_error);
  EXPECT_EQ(s.spec_version, 1);
  EXPECT_EQ(s.minimum_spec_version, 1);
  EXPECT_TRUE(s.minimum_spec_reasons.empty());
  EXPECT_EQ(s.file_size_bytes, -1);  // no file
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->layer_count, 1);
  EXPECT_EQ(s.weights.tensor_count, 2);
  EXPECT_EQ(s.weights.parameter_count, 10);
  EXPECT_EQ(s.weights.size_bytes, 40);
  EXPECT_EQ(s.inputs.at(0).network_shape, (std::vector<int64_t>{1, 1, 4, 1, 1}));
  const Json j = tools::to_json(s);
  EXPECT_TRUE(j["path"].is_null());
  EXPECT_TRUE(j["file_size_bytes"].is_null());
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["weight_storage"]["by_precision"]["float32"]["size_bytes"], 40);
  EXPECT_EQ(j["network"]["layers_by_kind"]["innerProduct"], 1);
}

TEST(InspectSummary, MetadataDescriptionsAndOptionalInputs) {
  ModelBuilder b = dense_builder();
  b.set_author("Ada").set_license("MIT").set_description("a dense layer").set_version("1.2");
  b.set_user_defined("zeta", "last").set_user_defined("alpha", "first");
  Spec spec = b.build();
  spec.mutable_description()->mutable_input(0)->set_shortdescription("the features");
  auto* opt = spec.mutable_description()->add_input();
  opt->set_name("hint");
  opt->mutable_type()->mutable_doubletype();
  opt->mutable_type()->set_isoptional(true);
  const ModelSummary s = tools::summarize_model(spec);
  EXPECT_EQ(s.metadata.author, "Ada");
  EXPECT_EQ(s.metadata.license, "MIT");
  EXPECT_EQ(s.metadata.short_description, "a dense layer");
  EXPECT_EQ(s.metadata.version, "1.2");
  ASSERT_EQ(s.metadata.user_defined.size(), 2u);
  EXPECT_EQ(s.metadata.user_defined[0].first, "alpha");  // sorted by key
  EXPECT_EQ(s.inputs.at(0).description, "the features");
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[1].kind, "double");
  EXPECT_TRUE(s.inputs[1].optional);
  EXPECT_TRUE(s.inputs[1].network_shape.empty());  // not a tensor input
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["metadata"]["user_defined"]["zeta"], "last");
  EXPECT_EQ(j["inputs"][1]["optional"], true);
  EXPECT_EQ(j["inputs"][0]["description"], "the features");
}

TEST(InspectSummary, Int64LabelsMeanImageAndImageMapping) {
  ModelBuilder b(NetworkKind::kClassifier);
  b.add_image_input("photo", 4, 2, spec::ImageFeatureType::BGR);
  b.add_layer("flat", {"photo"}, {"flat"}).mutable_flatten();
  std::vector<float> w(3 * 4 * 2 * 3, 0.1f);
  b.add_inner_product("fc", "flat", "scores", 24, 3, w);
  b.add_softmax("prob", "scores", "probs");
  b.set_class_labels(std::vector<int64_t>{7, 11, -3}, "label", "probabilities", "probs");
  b.set_mean_image("photo", std::vector<float>(3 * 2 * 4, 0.5f));
  const ModelSummary s = tools::summarize_model(b.build());
  EXPECT_FALSE(s.validation_error) << *s.validation_error;
  EXPECT_EQ(s.class_labels.type, "int64");
  EXPECT_EQ(s.class_labels.int64_labels, (std::vector<int64_t>{7, 11, -3}));
  EXPECT_EQ(s.class_labels.labels, (std::vector<std::string>{"7", "11", "-3"}));
  ASSERT_TRUE(s.network);
  ASSERT_EQ(s.network->preprocessing.size(), 1u);
  EXPECT_EQ(s.network->preprocessing[0].kind, "mean_image");
  EXPECT_EQ(s.network->preprocessing[0].mean_image_values, 24);
  EXPECT_EQ(s.inputs.at(0).data_type, "BGR");
  // Rank-5 image mapping: [1, 1, C, H, W].
  EXPECT_EQ(s.inputs.at(0).network_shape, (std::vector<int64_t>{1, 1, 3, 2, 4}));
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["class_labels"]["labels"], Json::parse("[7, 11, -3]"));
  EXPECT_EQ(j["network"]["preprocessing"][0]["kind"], "mean_image");
  EXPECT_EQ(j["predicted_feature_name"], "label");
  EXPECT_EQ(j["predicted_probabilities_name"], "probabilities");
}

TEST(InspectSummary, FlexibleImageSizes) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_image_input("a", 64, 32, spec::ImageFeatureType::GRAYSCALE);
  b.add_image_input("b", 64, 32);
  b.add_array_output("ya");
  b.add_array_output("yb");
  b.add_activation("ra", "a", "ya", "RELU");
  b.add_activation("rb", "b", "yb", "RELU");
  b.set_image_sizes("a", {{64, 32}, {128, 64}});
  b.set_image_size_range("b", {16, 256}, {16, -1});
  const ModelSummary s = tools::summarize_model(b.build());
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[0].flexibility, tools::Flexibility::kEnumerated);
  EXPECT_EQ(s.inputs[0].enumerated,
            (std::vector<std::vector<int64_t>>{{64, 32}, {128, 64}}));         // width, height
  EXPECT_EQ(s.inputs[0].network_shape, (std::vector<int64_t>{1, 1, 32, 64}));  // gray, rank 4
  EXPECT_EQ(s.inputs[1].flexibility, tools::Flexibility::kRange);
  ASSERT_EQ(s.inputs[1].ranges.size(), 2u);
  EXPECT_EQ(s.inputs[1].ranges[0], (DimRange{16, 256}));
  EXPECT_EQ(s.inputs[1].ranges[1], (DimRange{16, -1}));
  EXPECT_EQ(s.inputs[1].type, "image RGB 64x32");  // flexibility has its own field
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["inputs"][0]["flexibility"]["sizes"][1], (Json{{"width", 128}, {"height", 64}}));
  EXPECT_EQ(j["inputs"][1]["flexibility"]["height"], (Json{{"lower", 16}, {"upper", nullptr}}));
}

TEST(InspectSummary, CustomLayersGroupedByClass) {
  ModelBuilder b;
  b.add_array_input("x", {4});
  b.add_array_output("y");
  auto& s1 = b.add_custom("swish_1", {"x"}, {"a"}, "Swish", "x * sigmoid(x)");
  (*s1.mutable_parameters())["beta"].set_doublevalue(1.0);
  b.add_custom("swish_2", {"a"}, {"b"}, "Swish");
  auto& other = b.add_custom("gate", {"b"}, {"y"}, "Gate", "learned gate");
  set_float16_weights(*other.add_weights(), {1.f, 2.f, 3.f});
  (*other.mutable_parameters())["mode"].set_stringvalue("soft");
  (*other.mutable_parameters())["axis"].set_intvalue(1);
  const ModelSummary s = tools::summarize_model(b.build());
  EXPECT_FALSE(s.validation_error) << *s.validation_error;
  EXPECT_EQ(s.minimum_spec_version, 2);  // custom layers and float16 weights
  EXPECT_FALSE(s.minimum_spec_reasons.empty());
  ASSERT_TRUE(s.network);
  ASSERT_EQ(s.network->custom_layers.size(), 2u);
  const auto& gate = s.network->custom_layers[0];  // sorted by class name
  EXPECT_EQ(gate.class_name, "Gate");
  EXPECT_EQ(gate.description, "learned gate");
  EXPECT_EQ(gate.layers, (std::vector<std::string>{"gate"}));
  EXPECT_EQ(gate.parameters, (std::vector<std::string>{"axis", "mode"}));
  const auto& swish = s.network->custom_layers[1];
  EXPECT_EQ(swish.class_name, "Swish");
  EXPECT_EQ(swish.description, "x * sigmoid(x)");
  EXPECT_EQ(swish.layers, (std::vector<std::string>{"swish_1", "swish_2"}));
  EXPECT_EQ(swish.parameters, (std::vector<std::string>{"beta"}));
  EXPECT_TRUE(s.network->unsupported_layer_kinds.empty());  // found by class at load time
  // The custom layer's weights count like any other.
  ASSERT_EQ(s.weights.by_precision.size(), 1u);
  EXPECT_EQ(s.weights.by_precision[0].key, "float16");
  EXPECT_EQ(s.weights.by_precision[0].parameter_count, 3);
  EXPECT_EQ(s.weights.by_precision[0].size_bytes, 6);
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["network"]["custom_layers"][1]["layers"], Json::parse(R"(["swish_1","swish_2"])"));
  EXPECT_EQ(j["network"]["layers_by_kind"]["custom"], 3);
}

TEST(InspectSummary, UpdatableModel) {
  Spec spec = dense_builder().build();
  spec.set_isupdatable(true);
  auto* net = spec.mutable_neuralnetwork();
  net->mutable_layers(0)->set_isupdatable(true);
  net->mutable_updateparams()->mutable_epochs()->set_defaultvalue(3);
  const ModelSummary s = tools::summarize_model(spec);
  EXPECT_TRUE(s.updatable);
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->updatable_layers, (std::vector<std::string>{"dense"}));
  EXPECT_TRUE(s.network->has_update_params);
  EXPECT_EQ(s.minimum_spec_version, 4);
  // Declared 1 but needs 4: validation says so, and so does the summary.
  EXPECT_TRUE(s.validation_error);
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["updatable"], true);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["network"]["updatable_layers"][0], "dense");
}

Spec glm_model(const std::string& payload) {
  Spec spec;
  spec.set_specificationversion(1);
  auto* in = spec.mutable_description()->add_input();
  in->set_name("features");
  in->mutable_type()->mutable_multiarraytype()->add_shape(3);
  in->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::DOUBLE);
  auto* out = spec.mutable_description()->add_output();
  out->set_name("score");
  out->mutable_type()->mutable_doubletype();
  spec.set_glmregressor(payload);
  return spec;
}

TEST(InspectSummary, ModelTypeMorelDoesNotRun) {
  const ModelSummary s = tools::summarize_model(glm_model("12345"));
  EXPECT_EQ(s.model_type, "glmRegressor");
  EXPECT_FALSE(s.runs_in_morel);
  EXPECT_NE(s.not_run_reason.find("glmRegressor"), std::string::npos);
  EXPECT_EQ(s.payload_size_bytes, 5);
  EXPECT_FALSE(s.network);
  // The description is still there.
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].type, "multiArray float64 3");
  EXPECT_EQ(s.outputs.at(0).kind, "double");
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["runs_in_morel"], false);
  EXPECT_EQ(j["payload_size_bytes"], 5);
  EXPECT_TRUE(j["network"].is_null());
}

TEST(InspectSummary, PipelineShowsEachSubModel) {
  Spec spec;
  spec.set_specificationversion(4);
  auto* in = spec.mutable_description()->add_input();
  *in = dense_builder().build().description().input(0);
  auto* pipeline = spec.mutable_pipeline();
  *pipeline->add_models() = dense_builder().build();
  *pipeline->add_models() = glm_model("abc");
  pipeline->add_names("dense part");
  pipeline->add_names("glm part");
  const ModelSummary s = tools::summarize_model(spec);
  EXPECT_EQ(s.model_type, "pipeline");
  ASSERT_EQ(s.sub_models.size(), 2u);
  EXPECT_EQ(s.sub_models[0].name, "dense part");
  EXPECT_EQ(s.sub_models[0].model_type, "neuralNetwork");
  EXPECT_TRUE(s.sub_models[0].runs_in_morel);
  ASSERT_TRUE(s.sub_models[0].network);
  EXPECT_EQ(s.sub_models[0].network->layer_count, 1);
  EXPECT_EQ(s.sub_models[1].name, "glm part");
  EXPECT_EQ(s.sub_models[1].model_type, "glmRegressor");
  EXPECT_FALSE(s.sub_models[1].runs_in_morel);
  // The pipeline does not run because its second model does not.
  EXPECT_FALSE(s.runs_in_morel);
  EXPECT_NE(s.not_run_reason.find("sub-model 2 ('glm part')"), std::string::npos)
      << s.not_run_reason;
  // Weights of the whole file.
  EXPECT_EQ(s.weights.tensor_count, 2);
  EXPECT_EQ(s.weights.size_bytes, 40);
  // Validation is of the whole file, reported once.
  EXPECT_FALSE(s.sub_models[0].validation_error);
  const Json j = tools::to_json(s);
  ASSERT_EQ(j["sub_models"].size(), 2u);
  EXPECT_EQ(j["sub_models"][0]["name"], "dense part");
  EXPECT_EQ(j["sub_models"][0]["network"]["layer_count"], 1);
  EXPECT_EQ(j["sub_models"][1]["payload_size_bytes"], 3);
  EXPECT_FALSE(j["sub_models"][0].contains("valid"));
  EXPECT_EQ(j["weight_storage"]["tensor_count"], 2);
}

TEST(InspectSummary, CustomModel) {
  Spec spec = glm_model("");
  auto* c = spec.mutable_custommodel();
  c->set_classname("MyModel");
  c->set_description("hand-written");
  (*c->mutable_parameters())["k"].set_intvalue(3);
  const ModelSummary s = tools::summarize_model(spec);
  EXPECT_EQ(s.model_type, "customModel");
  EXPECT_TRUE(s.runs_in_morel);
  ASSERT_TRUE(s.custom_model);
  EXPECT_EQ(s.custom_model->class_name, "MyModel");
  EXPECT_EQ(s.custom_model->parameters, (std::vector<std::string>{"k"}));
  EXPECT_EQ(s.payload_size_bytes, -1);
  EXPECT_EQ(tools::to_json(s)["custom_model"]["class_name"], "MyModel");
}

TEST(InspectSummary, ControlFlowLayersAreCountedInside) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 4});
  b.add_array_output("y");
  b.add_activation("relu", "x", "y", "RELU");
  auto& loop = b.add_layer("loop", {}, {});
  loop.mutable_loop()->set_maxloopiterations(2);
  auto* body = loop.mutable_loop()->mutable_bodynetwork();
  auto* inner = body->add_layers();
  inner->set_name("inner");
  inner->add_input("y");
  inner->add_output("z");
  inner->mutable_innerproduct()->set_inputchannels(4);
  inner->mutable_innerproduct()->set_outputchannels(1);
  set_float_weights(*inner->mutable_innerproduct()->mutable_weights(), {1, 2, 3, 4});
  const ModelSummary s = tools::summarize_model(b.spec());
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->layer_count, 3);
  EXPECT_EQ(s.network->nested_layer_count, 1);
  EXPECT_EQ(s.weights.tensor_count, 1);  // the loop body's weights
  EXPECT_EQ(s.weights.parameter_count, 4);
  // Whether it runs follows the kernels this build has.
  const bool loops_run = graph::builtin_layers().find(spec::NeuralNetworkLayer::kLoop) != nullptr;
  EXPECT_EQ(s.runs_in_morel, loops_run);
  if (!loops_run) {
    ASSERT_EQ(s.network->unsupported_layer_kinds.size(), 1u);
    EXPECT_EQ(s.network->unsupported_layer_kinds[0].kind, "loop");
    EXPECT_NE(s.not_run_reason.find("loop"), std::string::npos);
  }
}

TEST(InspectSummary, StatesAndFunctions) {
  Spec spec = dense_builder().build();
  auto* state = spec.mutable_description()->add_state();
  state->set_name("cache");
  auto* a = state->mutable_type()->mutable_statetype()->mutable_arraytype();
  a->add_shape(2);
  a->add_shape(3);
  a->set_datatype(spec::ArrayFeatureType::FLOAT16);
  spec.mutable_description()->add_functions()->set_name("main");
  spec.mutable_description()->add_functions()->set_name("decode");
  spec.mutable_description()->set_defaultfunctionname("main");
  const ModelSummary s = tools::summarize_model(spec);
  ASSERT_EQ(s.states.size(), 1u);
  EXPECT_EQ(s.states[0].kind, "state");
  EXPECT_EQ(s.states[0].type, "state float16 2x3");
  EXPECT_EQ(s.states[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(s.functions, (std::vector<std::string>{"main", "decode"}));
  EXPECT_EQ(s.default_function, "main");
  EXPECT_GE(s.minimum_spec_version, 8);
  const Json j = tools::to_json(s);
  EXPECT_EQ(j["states"][0]["shape"], Json::parse("[2, 3]"));
  EXPECT_EQ(j["functions"][1], "decode");
}

TEST(InspectSummary, InvalidSpecsAreDescribedNotThrown) {
  // Missing required weights.
  ModelBuilder b;
  b.add_array_input("x", {4});
  b.add_array_output("y");
  auto& ip = b.add_layer("dense", {"x"}, {"y"});
  ip.mutable_innerproduct()->set_inputchannels(4);
  ip.mutable_innerproduct()->set_outputchannels(2);
  Spec spec = b.spec();
  spec.set_specificationversion(1);
  ModelSummary s;
  ASSERT_NO_THROW(s = tools::summarize_model(spec));
  EXPECT_EQ(s.weights.missing_count, 1);
  EXPECT_EQ(s.weights.tensor_count, 0);
  ASSERT_TRUE(s.validation_error);
  EXPECT_NE(s.validation_error->find("dense"), std::string::npos) << *s.validation_error;

  // No model type at all, no version.
  ASSERT_NO_THROW(s = tools::summarize_model(Spec()));
  EXPECT_EQ(s.model_type, "none");
  EXPECT_FALSE(s.runs_in_morel);
  EXPECT_TRUE(s.validation_error);
  EXPECT_EQ(s.spec_release, "unknown release");
  EXPECT_NO_THROW(tools::render_text(s));
  EXPECT_NO_THROW(tools::to_json(s).dump());
}

TEST(InspectSummary, QuantizedSubByteWeightsUseTheDeclaredCount) {
  ModelBuilder b;
  b.add_array_input("x", {5});
  b.add_array_output("y");
  auto& ip = b.add_layer("dense", {"x"}, {"y"});
  ip.mutable_innerproduct()->set_inputchannels(5);
  ip.mutable_innerproduct()->set_outputchannels(3);
  auto* w = ip.mutable_innerproduct()->mutable_weights();
  w->set_rawvalue(std::string(8, '\0'));  // 15 values at 4 bits: 7.5 bytes, padded to 8
  auto* q = w->mutable_quantization();
  q->set_numberofbits(4);
  for (int i = 0; i < 16; ++i) q->mutable_lookuptablequantization()->add_floatvalue(float(i));
  const ModelSummary s = tools::summarize_model(b.build());
  ASSERT_EQ(s.weights.by_precision.size(), 1u);
  const auto& p = s.weights.by_precision[0];
  EXPECT_EQ(p.key, "4bit_lookupTableQuantization");
  EXPECT_EQ(p.label, "4-bit LUT");
  EXPECT_EQ(p.parameter_count, 15);
  EXPECT_EQ(p.size_bytes, 8);
  EXPECT_EQ(p.quantization_params_size_bytes, 64);
  EXPECT_EQ(s.weights.size_bytes, 72);
}

TEST(InspectSummary, PrecisionOrder) {
  // float32, float16, then quantized from wide to narrow, linear before LUT.
  ModelBuilder b;
  b.add_array_input("x", {2});
  b.add_array_output("y");
  auto add_dense = [&](const std::string& name, const std::string& in, const std::string& out) {
    auto& l = b.add_layer(name, {in}, {out});
    l.mutable_innerproduct()->set_inputchannels(2);
    l.mutable_innerproduct()->set_outputchannels(2);
    return l.mutable_innerproduct()->mutable_weights();
  };
  auto quantize = [](spec::WeightParams* w, int bits, bool lut) {
    w->set_rawvalue(std::string((4 * bits + 7) / 8, '\0'));
    auto* q = w->mutable_quantization();
    q->set_numberofbits(bits);
    if (lut) {
      for (int i = 0; i < (1 << bits); ++i) q->mutable_lookuptablequantization()->add_floatvalue(0);
    } else {
      q->mutable_linearquantization()->add_scale(1);
      q->mutable_linearquantization()->add_bias(0);
    }
  };
  quantize(add_dense("a", "x", "a"), 2, true);
  quantize(add_dense("b", "a", "b"), 8, true);
  quantize(add_dense("c", "b", "c"), 8, false);
  set_float16_weights(*add_dense("d", "c", "d"), {1, 2, 3, 4});
  set_float_weights(*add_dense("e", "d", "y"), {1, 2, 3, 4});
  const ModelSummary s = tools::summarize_model(b.build());
  std::vector<std::string> keys;
  for (const auto& p : s.weights.by_precision) keys.push_back(p.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"float32", "float16", "8bit_linearQuantization",
                                            "8bit_lookupTableQuantization",
                                            "2bit_lookupTableQuantization"}));
  std::vector<std::string> json_keys;
  const Json j = tools::to_json(s);
  for (const auto& [key, row] : j["weight_storage"]["by_precision"].items())
    json_keys.push_back(key);
  EXPECT_EQ(json_keys, keys);
}

}  // namespace
}  // namespace morel::test
