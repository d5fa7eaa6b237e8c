// validate_spec: every real coremltools model passes, and a table of
// deliberately broken specs fails with a message that names the layer,
// feature or field at fault.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "format/format_test_util.h"
#include "morel/error.h"
#include "morel/spec.h"
#include "morel/spec_versions.h"
#include "morel/weights.h"

namespace morel::test {
namespace {

using spec::NeuralNetworkLayer;

// ---------------------------------------------------------------------------
// Real models
// ---------------------------------------------------------------------------

class RealModelValidate : public ::testing::TestWithParam<std::string> {};

TEST_P(RealModelValidate, Passes) {
  const Spec spec = load_real(GetParam());
  EXPECT_NO_THROW(validate_spec(spec));
}

// coremltools writes the lowest version that holds each model; our table
// must agree on every real file.
TEST_P(RealModelValidate, MinimumVersionIsTheDeclaredOne) {
  const Spec spec = load_real(GetParam());
  EXPECT_EQ(minimum_spec_version(spec), spec.specificationversion());
}

INSTANTIATE_TEST_SUITE_P(Coreml, RealModelValidate, ::testing::ValuesIn(real_model_names()),
                         [](const auto& param_info) { return test_name_of(param_info.param); });

// ---------------------------------------------------------------------------
// Broken specs
// ---------------------------------------------------------------------------

NeuralNetworkLayer& layer(Spec& spec, int i) {
  return *mutable_network_layers(spec)->Mutable(i);
}

struct BrokenCase {
  std::string name;
  std::string file;  // real model to start from
  std::function<void(Spec&)> edit;
  std::vector<std::string> message;  // pieces the error message must contain
};

void PrintTo(const BrokenCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<BrokenCase> broken_cases() {
  const std::string image = "image/image_rgb.mlmodel";    // conv 'input.1' -> act 'input' -> conv
  const std::string conv = "torch/conv2d_basic.mlmodel";  // one conv 'var_22', 8x3x3x3
  const std::string lrn = "builder/lrn.mlmodel";          // spec 1, rank 5, lrn3 + lrn5
  const std::string q4 = "quantized/squeezenet1_1_q4_kmeans.mlmodel";
  const std::string q8 = "quantized/squeezenet1_1_q8_linear.mlmodel";
  const std::string classifier = "builder/classifier_string_labels.mlmodel";
  return {
      // Wiring.
      {"DanglingInput",
       image,
       [](Spec& s) { layer(s, 2).set_input(0, "nowhere"); },
       {"layer 'var_26' (convolution) input 'nowhere' is not a model input or the output of an "
        "earlier layer"}},
      {"DuplicateOutput",
       image,
       [](Spec& s) { layer(s, 2).set_output(0, "input.1"); },
       {"layer 'var_26' (convolution) output 'input.1' is already produced by layer 'input.1'"}},
      {"OutputShadowsModelInput",
       image,
       [](Spec& s) { layer(s, 0).set_output(0, "input"); },
       {"layer 'input.1' (convolution) output 'input' is already produced by model input 'input'"}},
      {"UsesLaterOutput",
       image,
       [](Spec& s) { layer(s, 0).set_input(0, "input_1"); },
       {"layer 'input.1' (convolution) input 'input_1' is not a model input or the output of an "
        "earlier layer",
        "produced later, by layer 'input'"}},
      {"SelfCycle",
       image,
       [](Spec& s) { layer(s, 1).set_input(0, "input_1"); },
       {"layer 'input' (activation) input 'input_1' is not a model input or the output of an "
        "earlier layer"}},
      {"MissingModelOutput",
       image,
       [](Spec& s) { s.mutable_description()->mutable_output(0)->set_name("ghost"); },
       {"model output 'ghost' is not produced by any layer"}},
      {"DuplicateLayerName",
       image,
       [](Spec& s) { layer(s, 2).set_name("input.1"); },
       {"layer name 'input.1' is used by more than one layer"}},
      {"LayerWithoutKind",
       image,
       [](Spec& s) { layer(s, 1).clear_layer(); },
       {"layer 'input' has no type"}},
      {"PreprocessingNotAnImage",
       image,
       [](Spec& s) { s.mutable_neuralnetwork()->mutable_preprocessing(0)->set_featurename("x"); },
       {"preprocessing[0] featureName 'x' is not an image input"}},
      {"MeanImageSize",
       image,
       [](Spec& s) {
         s.mutable_neuralnetwork()->mutable_preprocessing(0)->mutable_meanimage()->add_meanimage(1);
       },
       {"preprocessing[0] meanImage for 'input' has 1 values; the image needs 2304"}},

      // Specification version.
      {"SpecVersionZero",
       conv,
       [](Spec& s) { s.set_specificationversion(0); },
       {"specificationVersion is 0"}},
      {"CustomLayerNeedsSpec2",
       lrn,
       [](Spec& s) { layer(s, 1).mutable_custom()->set_classname("MyLayer"); },
       {"layer 'lrn5' (custom) needs specificationVersion >= 2 (iOS 11.2", "declares 1"}},
      {"ResizeBilinearNeedsSpec3",
       lrn,
       [](Spec& s) {
         s.set_specificationversion(2);
         layer(s, 1).mutable_resizebilinear()->add_targetsize(4);
       },
       {"layer 'lrn5' (resizeBilinear) needs specificationVersion >= 3 (iOS 12", "declares 2"}},
      {"ClampedReluNeedsSpec5",
       "torch/relu.mlmodel",
       [](Spec& s) { layer(s, 0).mutable_clampedrelu()->set_beta(6); },
       {"layer '2' (clampedReLU) needs specificationVersion >= 5 (iOS 14", "declares 4"}},
      {"ExactMappingNeedsSpec4",
       "torch/relu.mlmodel",
       [](Spec& s) { s.set_specificationversion(3); },
       {"arrayInputShapeMapping EXACT_ARRAY_MAPPING needs specificationVersion >= 4 (iOS 13",
        "declares 3"}},
      {"Rank4ImageMappingNeedsSpec4",
       lrn,
       [](Spec& s) {
         s.mutable_neuralnetwork()->set_imageinputshapemapping(spec::RANK4_IMAGE_MAPPING);
       },
       {"imageInputShapeMapping RANK4_IMAGE_MAPPING needs specificationVersion >= 4"}},
      {"FlexibleShapesNeedSpec3",
       "builder/flex_enumerated_rank5.mlmodel",
       [](Spec& s) { s.set_specificationversion(2); },
       {"input 'input' flexible shape (enumeratedShapes) needs specificationVersion >= 3"}},
      {"Float16WeightsNeedSpec2",
       "builder/embedding.mlmodel",
       [](Spec& s) {
         auto* w = layer(s, 0).mutable_embedding()->mutable_weights();
         set_float16_weights(*w,
                             std::vector<float>(w->floatvalue().begin(), w->floatvalue().end()));
       },
       {"layer 'emb' (embedding) field embedding.weights stored as float16 needs "
        "specificationVersion >= 2"}},
      {"QuantizedWeightsNeedSpec3",
       "builder/embedding.mlmodel",
       [](Spec& s) {
         s.set_specificationversion(2);
         auto* w = layer(s, 0).mutable_embedding()->mutable_weights();
         w->Clear();
         w->set_rawvalue(std::string(60, '\x01'));
         w->mutable_quantization()->set_numberofbits(8);
         w->mutable_quantization()->mutable_linearquantization()->add_scale(0.5f);
       },
       {"layer 'emb' (embedding) field embedding.weights quantized to 8 bits needs "
        "specificationVersion >= 3"}},
      {"NdLayerWithRank5Mapping",
       lrn,
       [](Spec& s) {
         s.set_specificationversion(4);
         layer(s, 1).mutable_transpose()->add_axes(0);
       },
       {"layer 'lrn5' (transpose) needs arrayInputShapeMapping EXACT_ARRAY_MAPPING"}},

      // Weights.
      {"Fp32WeightCount",
       conv,
       [](Spec& s) {
         layer(s, 0).mutable_convolution()->mutable_weights()->mutable_floatvalue()->RemoveLast();
       },
       {"layer 'var_22' (convolution) field convolution.weights: expected 216 values (shape "
        "[8, 3, 3, 3]), found 215 float32 values"}},
      {"Fp32BiasCount",
       conv,
       [](Spec& s) { layer(s, 0).mutable_convolution()->mutable_bias()->add_floatvalue(1); },
       {"layer 'var_22' (convolution) field convolution.bias: expected 8 values (shape [8]), found "
        "9 float32 values"}},
      {"MissingWeights",
       conv,
       [](Spec& s) { layer(s, 0).mutable_convolution()->clear_weights(); },
       {"layer 'var_22' (convolution) field convolution.weights: has no values; expected 216"}},
      {"Fp16WeightCount",
       "quantized/squeezenet1_1_fp16.mlmodel",
       [](Spec& s) {
         auto* w = layer(s, 0).mutable_convolution()->mutable_weights();
         w->mutable_float16value()->resize(w->float16value().size() - 2);
       },
       {"layer 'input.1' (convolution) field convolution.weights: expected 1728 values (shape "
        "[64, 3, 3, 3]), found 1727 float16 values"}},
      {"Fp16OddBytes",
       "quantized/squeezenet1_1_fp16.mlmodel",
       [](Spec& s) {
         layer(s, 0).mutable_convolution()->mutable_bias()->mutable_float16value()->push_back('x');
       },
       {"layer 'input.1' (convolution) field convolution.bias: float16Value has an odd number of "
        "bytes (129)"}},
      {"Quantized4BitCount",
       q4,
       [](Spec& s) {
         layer(s, 0).mutable_convolution()->mutable_weights()->mutable_rawvalue()->pop_back();
       },
       {"layer 'input.1' (convolution) field convolution.weights: expected 1728 values (shape "
        "[64, 3, 3, 3]) of 4 bits (864 bytes), found 863 bytes of rawValue"}},
      {"LutSize",
       q4,
       [](Spec& s) {
         layer(s, 0)
             .mutable_convolution()
             ->mutable_weights()
             ->mutable_quantization()
             ->mutable_lookuptablequantization()
             ->mutable_floatvalue()
             ->RemoveLast();
       },
       {"layer 'input.1' (convolution) field convolution.weights: lookup table has 15 entries; "
        "4-bit indices need exactly 16"}},
      {"ScaleLength",
       q8,
       [](Spec& s) {
         layer(s, 0)
             .mutable_convolution()
             ->mutable_weights()
             ->mutable_quantization()
             ->mutable_linearquantization()
             ->add_scale(1);
       },
       {"layer 'input.1' (convolution) field convolution.weights: linearQuantization.scale has 65 "
        "values; expected 1 or 64 (one per output channel)"}},
      {"QuantBiasLength",
       q8,
       [](Spec& s) {
         auto* lin = layer(s, 0)
                         .mutable_convolution()
                         ->mutable_weights()
                         ->mutable_quantization()
                         ->mutable_linearquantization();
         lin->mutable_bias()->Truncate(3);
       },
       {"field convolution.weights: linearQuantization.bias has 3 values; expected 1 or 64"}},
      {"NumberOfBits",
       q8,
       [](Spec& s) {
         layer(s, 0)
             .mutable_convolution()
             ->mutable_weights()
             ->mutable_quantization()
             ->set_numberofbits(9);
       },
       {"layer 'input.1' (convolution) field convolution.weights: quantization.numberOfBits is 9; "
        "must be 1 to 8"}},
      {"QuantizationWithoutScheme",
       q8,
       [](Spec& s) {
         layer(s, 0)
             .mutable_convolution()
             ->mutable_weights()
             ->mutable_quantization()
             ->clear_QuantizationType();
       },
       {"field convolution.weights: quantization has neither linearQuantization nor "
        "lookupTableQuantization"}},
      {"TwoStorageForms",
       conv,
       [](Spec& s) {
         layer(s, 0).mutable_convolution()->mutable_weights()->set_float16value(
             std::string(432, 0));
       },
       {"field convolution.weights: holds values in more than one storage form (floatValue, "
        "float16Value)"}},
      {"Int8RawWithoutDynamicQuantize",
       "torch/mlp.mlmodel",
       [](Spec& s) {
         auto* w = layer(s, 0).mutable_innerproduct()->mutable_weights();
         w->Clear();
         w->set_int8rawvalue(std::string(1280, '\x02'));
         w->mutable_quantization()->set_numberofbits(8);
         w->mutable_quantization()->mutable_linearquantization()->add_scale(0.1f);
       },
       {"layer 'linear_0' (innerProduct) field innerProduct.weights: int8RawValue is only "
        "allowed"}},
      {"DynamicQuantizeNeedsInt8",
       "torch/mlp.mlmodel",
       [](Spec& s) { layer(s, 0).mutable_innerproduct()->set_int8dynamicquantize(true); },
       {"layer 'linear_0' (innerProduct) field innerProduct.weights: the layer sets "
        "int8DynamicQuantize, so the weights must be int8RawValue"}},
      {"LstmRecursionCount",
       "builder/lstm.mlmodel",
       [](Spec& s) {
         layer(s, 0)
             .mutable_unidirectionallstm()
             ->mutable_weightparams()
             ->mutable_forgetgaterecursionmatrix()
             ->mutable_floatvalue()
             ->RemoveLast();
       },
       {"layer 'lstm' (uniDirectionalLSTM) field "
        "uniDirectionalLSTM.weightParams.forgetGateRecursionMatrix: expected 16 values (shape "
        "[4, 4]), found 15"}},
      {"ConvGroupsDoNotDivide",
       conv,
       [](Spec& s) { layer(s, 0).mutable_convolution()->set_ngroups(3); },
       {"layer 'var_22' (convolution) convolution.outputChannels 8 is not divisible by nGroups 3"}},
      {"ZeroInnerProductSize",
       "torch/mlp.mlmodel",
       [](Spec& s) { layer(s, 2).mutable_innerproduct()->set_inputchannels(0); },
       {"layer 'linear_1' (innerProduct) innerProduct.inputChannels must be positive"}},

      // Model description.
      {"NoOutputs",
       conv,
       [](Spec& s) { s.mutable_description()->clear_output(); },
       {"a neural network needs at least one output"}},
      {"DuplicateInputName",
       "builder/simple_rnn.mlmodel",
       [](Spec& s) { s.mutable_description()->mutable_input(1)->set_name("input"); },
       {"input name 'input' is used twice"}},
      {"FeatureWithoutType",
       image,
       [](Spec& s) { s.mutable_description()->mutable_output(0)->clear_type(); },
       {"output 'var_26' has no type"}},
      {"NegativeShape",
       conv,
       [](Spec& s) {
         s.mutable_description()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_multiarraytype()
             ->set_shape(1, -3);
       },
       {"input 'input' multiArray shape [1, -3, 16, 16] has a negative dimension"}},
      {"ArrayWithoutDataType",
       conv,
       [](Spec& s) {
         s.mutable_description()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_multiarraytype()
             ->set_datatype(spec::ArrayFeatureType::INVALID_ARRAY_DATA_TYPE);
       },
       {"input 'input' multiArray has no dataType"}},
      {"ImageWidthZero",
       image,
       [](Spec& s) {
         s.mutable_description()->mutable_input(0)->mutable_type()->mutable_imagetype()->set_width(
             0);
       },
       {"input 'input' image width 0 must be positive"}},
      {"EnumeratedShapeRank",
       "builder/flex_enumerated_rank5.mlmodel",
       [](Spec& s) {
         s.mutable_description()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_multiarraytype()
             ->mutable_enumeratedshapes()
             ->mutable_shapes(1)
             ->mutable_shape()
             ->RemoveLast();
       },
       {"input 'input' enumeratedShapes[1]",
        "has rank 2 but the default shape [3, 8, 8] has rank 3"}},
      {"RangeLowerAboveUpper",
       "builder/flex_range_nd.mlmodel",
       [](Spec& s) {
         auto* r = s.mutable_description()
                       ->mutable_input(0)
                       ->mutable_type()
                       ->mutable_multiarraytype()
                       ->mutable_shaperange()
                       ->mutable_sizeranges(2);
         r->set_lowerbound(10);
         r->set_upperbound(5);
       },
       {"input 'input' shapeRange.sizeRanges[2] lower bound 10 is above its upper bound 5"}},
      {"RangeCountDiffersFromRank",
       "builder/flex_range_nd.mlmodel",
       [](Spec& s) {
         s.mutable_description()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_multiarraytype()
             ->mutable_shaperange()
             ->mutable_sizeranges()
             ->RemoveLast();
       },
       {"input 'input' shapeRange has 3 ranges but the default shape [1, 3, 8, 8] has rank 4"}},
      {"Rank5InputRank",
       lrn,
       [](Spec& s) {
         s.mutable_description()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_multiarraytype()
             ->mutable_shape()
             ->RemoveLast();
       },
       {"input 'input' has rank 2; with RANK5_ARRAY_MAPPING a multiArray input must have rank 1"}},
      {"OptionalOutput",
       conv,
       [](Spec& s) {
         s.mutable_description()->mutable_output(0)->mutable_type()->set_isoptional(true);
       },
       {"output 'var_22' is marked optional"}},
      {"NoModelType", conv, [](Spec& s) { s.clear_Type(); }, {"the model has no type"}},

      // Classifiers.
      {"ClassifierWithoutLabels",
       classifier,
       [](Spec& s) { s.mutable_neuralnetworkclassifier()->clear_ClassLabels(); },
       {"neuralNetworkClassifier has no class labels"}},
      {"ClassifierLabelCount",
       classifier,
       [](Spec& s) {
         s.mutable_neuralnetworkclassifier()->mutable_stringclasslabels()->add_vector("extra");
       },
       {"neuralNetworkClassifier has 5 class labels, but its probabilities 'probs' have 4 values",
        "layer 'fc' (innerProduct) innerProduct.outputChannels"}},
      {"PredictedFeatureNotAnOutput",
       classifier,
       [](Spec& s) { s.mutable_description()->set_predictedfeaturename("nope"); },
       {"predictedFeatureName 'nope' is not one of the model outputs"}},
      {"PredictedFeatureWrongType",
       classifier,
       [](Spec& s) {
         for (auto& o : *s.mutable_description()->mutable_output())
           if (o.name() == "classLabel") o.mutable_type()->mutable_int64type();
       },
       {"predictedFeatureName output 'classLabel' is int64, but the class labels are strings"}},
      {"LabelProbabilityBlobMissing",
       classifier,
       [](Spec& s) { s.mutable_neuralnetworkclassifier()->set_labelprobabilitylayername("zz"); },
       {"labelProbabilityLayerName 'zz' is not a blob produced by the network"}},
  };
}

class Broken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(Broken, FailsNamingTheFault) {
  const BrokenCase& c = GetParam();
  Spec spec = load_real(c.file);
  ASSERT_NO_THROW(validate_spec(spec)) << "the starting model must be valid";
  c.edit(spec);
  try {
    validate_spec(spec);
    FAIL() << "validate_spec accepted the broken spec";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    for (const std::string& piece : c.message)
      EXPECT_NE(std::string(e.what()).find(piece), std::string::npos)
          << "message: " << e.what() << "\nmissing: " << piece;
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, Broken, ::testing::ValuesIn(broken_cases()),
                         [](const auto& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------
// Hand-built specs: pipelines, control flow, other model types
// ---------------------------------------------------------------------------

std::string error_of(const Spec& spec) {
  try {
    validate_spec(spec);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_HAS(spec, piece)                               \
  do {                                                              \
    const std::string message_ = error_of(spec);                    \
    EXPECT_NE(message_.find(piece), std::string::npos) << message_; \
  } while (0)

// A spec-1 rank-5 network: input 'input' [7,3,4] -> lrn3 -> out3, lrn5 -> out5.
Spec lrn_model() {
  return load_real("builder/lrn.mlmodel");
}

spec::FeatureDescription* add_array(
    google::protobuf::RepeatedPtrField<spec::FeatureDescription>* list, const std::string& name,
    std::vector<int64_t> shape) {
  auto* f = list->Add();
  f->set_name(name);
  auto* a = f->mutable_type()->mutable_multiarraytype();
  for (int64_t d : shape) a->add_shape(d);
  a->set_datatype(spec::ArrayFeatureType::DOUBLE);
  return f;
}

// Pipeline: model0 = lrn (input -> out3, out5); model1 = lrn renamed to read out3.
Spec two_stage_pipeline() {
  Spec first = lrn_model();
  Spec second = lrn_model();
  second.mutable_description()->mutable_input(0)->set_name("out3");
  for (auto& l : *mutable_network_layers(second)) {
    l.set_input(0, "out3");
    l.set_output(0, "second_" + l.output(0));
  }
  for (auto& o : *second.mutable_description()->mutable_output()) o.set_name("second_" + o.name());

  Spec p;
  p.set_specificationversion(1);
  *p.mutable_description()->mutable_input() = first.description().input();
  *p.mutable_description()->mutable_output() = second.description().output();
  *p.mutable_pipeline()->add_models() = first;
  *p.mutable_pipeline()->add_models() = second;
  return p;
}

TEST(Pipeline, ValidChainPasses) {
  const Spec p = two_stage_pipeline();
  EXPECT_EQ(error_of(p), "");
  EXPECT_EQ(minimum_spec_version(p), 1);
}

TEST(Pipeline, SubModelInputMustBeAvailable) {
  Spec p = two_stage_pipeline();
  p.mutable_pipeline()->mutable_models(1)->mutable_description()->mutable_input(0)->set_name(
      "ghost");
  EXPECT_ERROR_HAS(p,
                   "pipeline model 1 ('model1') input 'ghost' is not a pipeline input or an "
                   "output of an earlier model");
}

TEST(Pipeline, SubModelsAreValidatedWithTheirName) {
  Spec p = two_stage_pipeline();
  p.mutable_pipeline()->add_names("first");
  p.mutable_pipeline()->add_names("second");
  layer(*p.mutable_pipeline()->mutable_models(1), 0).set_input(0, "nope");
  EXPECT_ERROR_HAS(p,
                   "pipeline model 1 ('second'): layer 'lrn3' (lrn) input 'nope' is not a "
                   "model input");
}

TEST(Pipeline, OutputMustBeProduced) {
  Spec p = two_stage_pipeline();
  p.mutable_description()->mutable_output(0)->set_name("nobody");
  EXPECT_ERROR_HAS(p, "pipeline output 'nobody' is not produced by any model of the pipeline");
}

TEST(Pipeline, VersionCoversSubModels) {
  Spec p = two_stage_pipeline();
  layer(*p.mutable_pipeline()->mutable_models(1), 1).mutable_custom()->set_classname("X");
  p.mutable_pipeline()->mutable_models(1)->set_specificationversion(2);
  EXPECT_EQ(minimum_spec_version(p), 2);
  EXPECT_ERROR_HAS(p,
                   "pipeline model 1 ('model1'): layer 'lrn5' (custom) needs "
                   "specificationVersion >= 2");
}

TEST(Pipeline, EmptyPipelineFails) {
  Spec p = two_stage_pipeline();
  p.mutable_pipeline()->clear_models();
  EXPECT_ERROR_HAS(p, "the pipeline has no models");
}

TEST(Pipeline, DeepNestingIsRejected) {
  Spec inner = lrn_model();
  for (int i = 0; i < 70; ++i) {
    Spec outer;
    outer.set_specificationversion(1);
    *outer.mutable_description() = inner.description();
    *outer.mutable_pipeline()->add_models() = std::move(inner);
    inner = std::move(outer);
  }
  EXPECT_ERROR_HAS(inner, "nest more than 64 levels");
}

TEST(OtherModelTypes, UnsupportedTypesAreNotInvalid) {
  Spec glm;
  glm.set_specificationversion(1);
  add_array(glm.mutable_description()->mutable_input(), "x", {3});
  glm.mutable_description()->add_output()->set_name("y");
  glm.mutable_description()->mutable_output(0)->mutable_type()->mutable_doubletype();
  glm.set_glmregressor(std::string("\x0a\x00", 2));
  EXPECT_EQ(model_type_name(glm), "glmRegressor");
  EXPECT_EQ(error_of(glm), "");

  // A model type from a newer schema arrives as an unknown field.
  Spec future;
  future.set_specificationversion(12);
  add_array(future.mutable_description()->mutable_input(), "x", {3});
  Spec::GetReflection()->MutableUnknownFields(&future)->AddLengthDelimited(9000, "");
  EXPECT_EQ(error_of(future), "");
}

TEST(OtherModelTypes, UnknownLayerKindIsNotInvalid) {
  // A layer kind from a newer schema: the runtime reports it as unsupported.
  Spec m = lrn_model();
  auto& l = layer(m, 1);
  l.clear_layer();
  l.GetReflection()->MutableUnknownFields(&l)->AddLengthDelimited(1500, "");
  EXPECT_EQ(layer_kind_name(l), "unknown field 1500");
  EXPECT_EQ(error_of(m), "");
}

TEST(OtherModelTypes, VersionOfModelTypes) {
  Spec m;
  m.set_specificationversion(3);
  add_array(m.mutable_description()->mutable_input(), "x", {3});
  m.set_mlprogram("");
  EXPECT_EQ(minimum_spec_version(m), 6);
  EXPECT_ERROR_HAS(m, "model type mlProgram needs specificationVersion >= 6 (iOS 15");
  m.mutable_custommodel()->set_classname("Mine");
  EXPECT_EQ(minimum_spec_version(m), 3);
  EXPECT_EQ(error_of(m), "");
  m.mutable_custommodel()->clear_classname();
  EXPECT_ERROR_HAS(m, "customModel.className is empty");
}

TEST(Description, FeatureVersions) {
  Spec m = lrn_model();
  m.set_specificationversion(4);
  add_array(m.mutable_description()->mutable_output(), "half", {3})
      ->mutable_type()
      ->mutable_multiarraytype()
      ->set_datatype(spec::ArrayFeatureType::FLOAT16);
  EXPECT_EQ(minimum_spec_version(m), 7);
  auto* in = m.mutable_description()->mutable_input(0)->mutable_type();
  in->set_isoptional(true);
  in->mutable_multiarraytype()->set_doubledefaultvalue(1.0);
  add_array(m.mutable_description()->mutable_input(), "other", {3});
  const auto needs = spec_version_needs(m);
  bool optional_default = false, half = false;
  for (const auto& n : needs) {
    optional_default |= n.version == 5 && n.feature.find("input 'input' default value") == 0;
    half |= n.version == 7 && n.feature == "output 'half' dataType FLOAT16";
  }
  EXPECT_TRUE(optional_default);
  EXPECT_TRUE(half);
}

// Control flow: a loop whose body reads a blob from before the loop and
// produces one used after it; a branch with both arms.
Spec control_flow_model() {
  Spec m;
  m.set_specificationversion(4);
  add_array(m.mutable_description()->mutable_input(), "x", {2, 3});
  add_array(m.mutable_description()->mutable_output(), "y", {2, 3});
  auto* net = m.mutable_neuralnetwork();
  net->set_arrayinputshapemapping(spec::EXACT_ARRAY_MAPPING);

  auto* cond = net->add_layers();
  cond->set_name("cond");
  cond->add_input("x");
  cond->add_output("c");
  cond->mutable_reducesum()->set_reduceall(true);

  auto* loop = net->add_layers();
  loop->set_name("loop");
  loop->mutable_loop()->set_maxloopiterations(3);
  auto* body = loop->mutable_loop()->mutable_bodynetwork()->add_layers();
  body->set_name("body_relu");
  body->add_input("x");
  body->add_output("z");
  body->mutable_activation()->mutable_relu();
  auto* brk = loop->mutable_loop()->mutable_bodynetwork()->add_layers();
  brk->set_name("stop");
  brk->mutable_loopbreak();

  auto* branch = net->add_layers();
  branch->set_name("branch");
  branch->add_input("c");
  auto* then_layer = branch->mutable_branch()->mutable_ifbranch()->add_layers();
  then_layer->set_name("then_copy");
  then_layer->add_input("z");
  then_layer->add_output("y");
  then_layer->mutable_copy();
  auto* else_layer = branch->mutable_branch()->mutable_elsebranch()->add_layers();
  else_layer->set_name("else_copy");
  else_layer->add_input("x");
  else_layer->add_output("y");
  else_layer->mutable_copy();
  return m;
}

TEST(ControlFlow, ValidNetworkPasses) {
  const Spec m = control_flow_model();
  EXPECT_EQ(error_of(m), "");
  EXPECT_EQ(minimum_spec_version(m), 4);
}

TEST(ControlFlow, NestedLayerWiringIsChecked) {
  Spec m = control_flow_model();
  layer(m, 1).mutable_loop()->mutable_bodynetwork()->mutable_layers(0)->set_input(0, "later");
  EXPECT_ERROR_HAS(m,
                   "layer 'body_relu' (activation) input 'later' is not a model input or the "
                   "output of an earlier layer");
}

TEST(ControlFlow, BlobsOfOneArmAreNotSeenByTheOther) {
  Spec m = control_flow_model();
  auto* extra = layer(m, 2).mutable_branch()->mutable_ifbranch()->add_layers();
  extra->set_name("then_only");
  extra->add_input("x");
  extra->add_output("t");
  extra->mutable_copy();
  auto* use = layer(m, 2).mutable_branch()->mutable_elsebranch()->add_layers();
  use->set_name("else_uses_t");
  use->add_input("t");
  use->add_output("u");
  use->mutable_copy();
  EXPECT_ERROR_HAS(m, "layer 'else_uses_t' (copy) input 't' is not a model input");
}

TEST(ControlFlow, LoopBreakOutsideALoop) {
  Spec m = control_flow_model();
  auto* brk = m.mutable_neuralnetwork()->add_layers();
  brk->set_name("stray_break");
  brk->mutable_loopbreak();
  EXPECT_ERROR_HAS(m,
                   "layer 'stray_break' (loopBreak) may only appear inside a loop's bodyNetwork");
}

TEST(ControlFlow, ConditionNetworkMustProduceConditionVar) {
  Spec m = control_flow_model();
  auto* loop = layer(m, 1).mutable_loop();
  loop->set_conditionvar("keep_going");
  auto* c = loop->mutable_conditionnetwork()->add_layers();
  c->set_name("cond_copy");
  c->add_input("c");
  c->add_output("something_else");
  c->mutable_copy();
  EXPECT_ERROR_HAS(m,
                   "layer 'loop' (loop) loop.conditionNetwork does not produce conditionVar "
                   "'keep_going'");
}

TEST(ControlFlow, BranchNeedsIfBranch) {
  Spec m = control_flow_model();
  layer(m, 2).mutable_branch()->clear_ifbranch();
  EXPECT_ERROR_HAS(m, "layer 'branch' (branch) has no branch.ifBranch network");
}

TEST(ControlFlow, NestedLayerVersionsCount) {
  Spec m = control_flow_model();
  auto* body = layer(m, 1).mutable_loop()->mutable_bodynetwork()->mutable_layers(0);
  body->mutable_clampedrelu();
  EXPECT_EQ(minimum_spec_version(m), 5);
  EXPECT_ERROR_HAS(m, "layer 'body_relu' (clampedReLU) needs specificationVersion >= 5");
}

TEST(ControlFlow, DeepNestingIsRejected) {
  Spec m = control_flow_model();
  const std::string x = "x";  // (a named string: GCC 12 misreads add_input("x") here)
  NeuralNetworkLayer* current = m.mutable_neuralnetwork()->add_layers();
  for (int i = 0; i < 80; ++i) {
    std::string name = "b";
    name.append(std::to_string(i));
    current->set_name(name);
    current->add_input(x);
    current = current->mutable_branch()->mutable_ifbranch()->add_layers();
  }
  current->set_name("leaf");
  current->add_input(x);
  current->add_output("leaf_out");
  current->mutable_copy();
  EXPECT_ERROR_HAS(m, "nests networks more than 64 levels deep");
  EXPECT_NO_THROW(minimum_spec_version(m));
}

TEST(VersionTable, LayerKinds) {
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kConvolution), 1);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kBiDirectionalLSTM), 1);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kCustom), 2);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kResizeBilinear), 3);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kCropResize), 3);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kCopy), 4);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kBatchedMatmul), 4);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kLayerNormalization), 4);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kNonMaximumSuppression), 4);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kOneHot), 5);
  EXPECT_EQ(layer_min_spec_version(NeuralNetworkLayer::kConvolution3D), 5);
}

TEST(VersionTable, LayerOptions) {
  NeuralNetworkLayer l;
  l.add_input("a");
  l.mutable_convolution();
  EXPECT_EQ(layer_min_spec_version(l), 1);
  l.add_input("w");
  EXPECT_EQ(layer_min_spec_version(l), 4);  // weights from a second input
  l.mutable_upsample()->add_fractionalscalingfactor(1.5f);
  EXPECT_EQ(layer_min_spec_version(l), 5);
  l.mutable_reorganizedata()->set_mode(spec::ReorganizeDataLayerParams::PIXEL_SHUFFLE);
  EXPECT_EQ(layer_min_spec_version(l), 5);
  l.mutable_concatnd()->set_interleave(true);
  EXPECT_EQ(layer_min_spec_version(l), 5);
  l.mutable_innerproduct()->set_int8dynamicquantize(true);
  EXPECT_EQ(layer_min_spec_version(l), 5);
  l.mutable_innerproduct()->set_int8dynamicquantize(false);
  set_float16_weights(*l.mutable_innerproduct()->mutable_weights(), {1, 2});
  EXPECT_EQ(layer_min_spec_version(l), 2);
}

}  // namespace
}  // namespace morel::test
