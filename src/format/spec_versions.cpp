// The specification version table. Sources: the version list in the
// format's Model.proto, the "available from specification version N"
// comments in NeuralNetwork.proto and FeatureTypes.proto, and the features
// coremltools checks when it lowers a model's version.
#include "morel/spec_versions.h"

#include <algorithm>
#include <string>

#include "format/quote.h"
#include "morel/layer_weights.h"
#include "morel/weights.h"

namespace morel {

namespace {

using spec::NeuralNetworkLayer;

// Nesting of pipelines and control-flow networks beyond this is not looked
// into (validation rejects it).
constexpr int kMaxDepth = 64;

std::string layer_label(const NeuralNetworkLayer& layer) {
  return "layer " + format_detail::quote_name(layer.name()) + " (" + layer_kind_name(layer) + ")";
}

class NeedCollector {
 public:
  explicit NeedCollector(std::vector<SpecVersionNeed>& out) : out_(out) {}

  void need(int version, const std::string& feature) {
    if (version > 1) out_.push_back({version, prefix_ + feature});
  }

  void model(const Spec& spec, int depth);
  void layer(const NeuralNetworkLayer& layer, int depth);

 private:
  void feature(const spec::FeatureDescription& f, bool input);
  void description(const spec::ModelDescription& d);
  template <class Network>
  void network(const Network& n, int depth);
  void weights(const NeuralNetworkLayer& layer);
  void pipeline(const spec::Pipeline& p, int depth);

  std::vector<SpecVersionNeed>& out_;
  std::string prefix_;
};

void NeedCollector::feature(const spec::FeatureDescription& f, bool input) {
  const std::string what =
      std::string(input ? "input" : "output") + " " + format_detail::quote_name(f.name());
  const auto& t = f.type();
  switch (t.Type_case()) {
    case spec::FeatureType::kSequenceType: need(3, what + " of sequence type"); break;
    case spec::FeatureType::kStateType: need(9, what + " of state type"); break;
    case spec::FeatureType::kMultiArrayType: {
      const auto& a = t.multiarraytype();
      if (input && a.ShapeFlexibility_case() == spec::ArrayFeatureType::kEnumeratedShapes)
        need(3, what + " flexible shape (enumeratedShapes)");
      if (input && a.ShapeFlexibility_case() == spec::ArrayFeatureType::kShapeRange)
        need(3, what + " flexible shape (shapeRange)");
      if (a.datatype() == spec::ArrayFeatureType::FLOAT16) need(7, what + " dataType FLOAT16");
      if (a.datatype() == spec::ArrayFeatureType::INT8) need(9, what + " dataType INT8");
      if (input && t.isoptional() &&
          a.defaultOptionalValue_case() != spec::ArrayFeatureType::DEFAULTOPTIONALVALUE_NOT_SET)
        need(5, what + " default value for an optional input");
      break;
    }
    case spec::FeatureType::kImageType: {
      const auto& im = t.imagetype();
      if (input && im.SizeFlexibility_case() == spec::ImageFeatureType::kEnumeratedSizes)
        need(3, what + " flexible size (enumeratedSizes)");
      if (input && im.SizeFlexibility_case() == spec::ImageFeatureType::kImageSizeRange)
        need(3, what + " flexible size (imageSizeRange)");
      if (im.colorspace() == spec::ImageFeatureType::GRAYSCALE_FLOAT16)
        need(7, what + " colorSpace GRAYSCALE_FLOAT16");
      break;
    }
    default: break;
  }
}

void NeedCollector::description(const spec::ModelDescription& d) {
  for (const auto& f : d.input()) feature(f, true);
  for (const auto& f : d.output()) feature(f, false);
  if (d.input_size() == 0 && d.functions_size() == 0) need(9, "a model without inputs");
  if (d.state_size() > 0) need(9, "state features");
  if (d.functions_size() > 0 || !d.defaultfunctionname().empty())
    need(9, "multiple functions (description.functions)");
}

void NeedCollector::weights(const NeuralNetworkLayer& layer) {
  for (const LayerWeightRef& ref : layer_weights(layer)) {
    const spec::WeightParams& w = *ref.weights;
    const std::string where = layer_label(layer) + " field " + ref.field;
    if (!w.int8rawvalue().empty()) {
      need(5, where + " stored as int8RawValue");
    } else if (!w.rawvalue().empty() && w.has_quantization()) {
      need(3, where + " quantized to " + std::to_string(w.quantization().numberofbits()) + " bits");
    } else if (w.floatvalue().empty() && !w.float16value().empty()) {
      need(2, where + " stored as float16");
    }
    if (w.isupdatable()) need(4, where + " marked updatable");
  }
}

void NeedCollector::layer(const NeuralNetworkLayer& layer, int depth) {
  const std::string label = layer_label(layer);
  int kind_version = layer_min_spec_version(layer.layer_case());
  if (kind_version > 1) need(kind_version, label);
  if (layer.isupdatable()) need(4, label + " marked updatable");
  switch (layer.layer_case()) {
    case NeuralNetworkLayer::kConvolution:
      if (layer.input_size() > 1) need(4, label + " with its weights as a second input");
      break;
    case NeuralNetworkLayer::kInnerProduct:
      if (layer.innerproduct().int8dynamicquantize()) need(5, label + " int8DynamicQuantize");
      break;
    case NeuralNetworkLayer::kBatchedMatmul:
      if (layer.batchedmatmul().int8dynamicquantize()) need(5, label + " int8DynamicQuantize");
      break;
    case NeuralNetworkLayer::kUpsample:
      if (layer.upsample().linearupsamplemode() != spec::UpsampleLayerParams::DEFAULT)
        need(5, label + " linearUpsampleMode");
      if (layer.upsample().fractionalscalingfactor_size() > 0)
        need(5, label + " fractionalScalingFactor");
      break;
    case NeuralNetworkLayer::kReorganizeData:
      if (layer.reorganizedata().mode() == spec::ReorganizeDataLayerParams::PIXEL_SHUFFLE)
        need(5, label + " mode PIXEL_SHUFFLE");
      break;
    case NeuralNetworkLayer::kSliceDynamic:
      if (layer.input_size() >= 7) need(5, label + " with 7 inputs");
      if (layer.slicedynamic().squeezemasks_size() > 0) need(5, label + " squeezeMasks");
      break;
    case NeuralNetworkLayer::kConcatND:
      if (layer.concatnd().interleave()) need(5, label + " interleave");
      break;
    case NeuralNetworkLayer::kBranch:
      if (depth < kMaxDepth) {
        if (layer.branch().has_ifbranch()) network(layer.branch().ifbranch(), depth + 1);
        if (layer.branch().has_elsebranch()) network(layer.branch().elsebranch(), depth + 1);
      }
      break;
    case NeuralNetworkLayer::kLoop:
      if (depth < kMaxDepth) {
        if (layer.loop().has_conditionnetwork())
          network(layer.loop().conditionnetwork(), depth + 1);
        if (layer.loop().has_bodynetwork()) network(layer.loop().bodynetwork(), depth + 1);
      }
      break;
    default: break;
  }
  // Control-flow layers list the weights of their nested layers too; those
  // are reported when the nested layers are visited.
  if (layer.layer_case() != NeuralNetworkLayer::kBranch &&
      layer.layer_case() != NeuralNetworkLayer::kLoop)
    weights(layer);
}

template <class Network>
void NeedCollector::network(const Network& n, int depth) {
  if (n.arrayinputshapemapping() != spec::RANK5_ARRAY_MAPPING)
    need(4, "arrayInputShapeMapping " +
                spec::NeuralNetworkMultiArrayShapeMapping_Name(n.arrayinputshapemapping()));
  if (n.imageinputshapemapping() != spec::RANK5_IMAGE_MAPPING)
    need(4, "imageInputShapeMapping " +
                spec::NeuralNetworkImageShapeMapping_Name(n.imageinputshapemapping()));
  if (n.has_updateparams()) need(4, "updateParams (on-device training)");
  for (const auto& l : n.layers()) layer(l, depth);
}

void NeedCollector::pipeline(const spec::Pipeline& p, int depth) {
  if (depth >= kMaxDepth) return;
  const std::string saved = prefix_;
  for (int i = 0; i < p.models_size(); ++i) {
    std::string name = i < p.names_size() ? p.names(i) : "model" + std::to_string(i);
    prefix_ = saved + "pipeline model " + std::to_string(i) + " (" +
              format_detail::quote_name(name) + "): ";
    model(p.models(i), depth + 1);
  }
  prefix_ = saved;
}

void NeedCollector::model(const Spec& spec, int depth) {
  if (spec.isupdatable()) need(4, "isUpdatable model");
  description(spec.description());
  const std::string type = "model type " + model_type_name(spec);
  switch (spec.Type_case()) {
    case Spec::kPipeline: pipeline(spec.pipeline(), depth); break;
    case Spec::kPipelineClassifier: pipeline(spec.pipelineclassifier().pipeline(), depth); break;
    case Spec::kPipelineRegressor: pipeline(spec.pipelineregressor().pipeline(), depth); break;
    case Spec::kNeuralNetwork: network(spec.neuralnetwork(), depth); break;
    case Spec::kNeuralNetworkClassifier: network(spec.neuralnetworkclassifier(), depth); break;
    case Spec::kNeuralNetworkRegressor: network(spec.neuralnetworkregressor(), depth); break;
    case Spec::kCustomModel:
    case Spec::kTextClassifier:
    case Spec::kWordTagger:
    case Spec::kVisionFeaturePrint:
    case Spec::kNonMaximumSuppression:
    case Spec::kBayesianProbitRegressor: need(3, type); break;
    case Spec::kKNearestNeighborsClassifier:
    case Spec::kLinkedModel:
    case Spec::kItemSimilarityRecommender:
    case Spec::kSoundAnalysisPreprocessing:
    case Spec::kGazetteer:
    case Spec::kWordEmbedding: need(4, type); break;
    case Spec::kSerializedModel: need(5, type); break;
    case Spec::kMlProgram:
    case Spec::kAudioFeaturePrint: need(6, type); break;
    case Spec::kClassConfidenceThresholding: need(8, type); break;
    default: break;
  }
}

}  // namespace

std::string_view spec_version_release(int version) {
  switch (version) {
    case 1: return "iOS 11 / macOS 10.13";
    case 2: return "iOS 11.2 / macOS 10.13.2";
    case 3: return "iOS 12 / macOS 10.14";
    case 4: return "iOS 13 / macOS 10.15";
    case 5: return "iOS 14 / macOS 11";
    case 6: return "iOS 15 / macOS 12";
    case 7: return "iOS 16 / macOS 13";
    case 8: return "iOS 17 / macOS 14";
    case 9: return "iOS 18 / macOS 15";
    default: return "unknown release";
  }
}

int layer_min_spec_version(NeuralNetworkLayer::LayerCase kind) {
  // The layer oneof's field numbers group the kinds by release.
  const int number = static_cast<int>(kind);
  switch (kind) {
    case NeuralNetworkLayer::LAYER_NOT_SET: return 1;
    case NeuralNetworkLayer::kCustom: return 2;
    case NeuralNetworkLayer::kResizeBilinear:
    case NeuralNetworkLayer::kCropResize: return 3;
    default: break;
  }
  if (number < NeuralNetworkLayer::kCopy) return 1;  // convolution .. biDirectionalLSTM
  if (number <= NeuralNetworkLayer::kNonMaximumSuppression) return 4;
  return 5;  // oneHot .. convolution3d
}

int layer_min_spec_version(const NeuralNetworkLayer& layer) {
  std::vector<SpecVersionNeed> needs;
  NeedCollector(needs).layer(layer, 0);
  int v = 1;
  for (const auto& n : needs) v = std::max(v, n.version);
  return v;
}

std::vector<SpecVersionNeed> spec_version_needs(const Spec& spec) {
  std::vector<SpecVersionNeed> needs;
  NeedCollector(needs).model(spec, 0);
  return needs;
}

int minimum_spec_version(const Spec& spec) {
  int v = 1;
  for (const auto& n : spec_version_needs(spec)) v = std::max(v, n.version);
  return v;
}

}  // namespace morel
