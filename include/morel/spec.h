// The Core ML model specification: our protobuf schema (proto/), and reading,
// writing and validating it. Every tool passes this one type around.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "Model.pb.h"

namespace morel {

using Spec = spec::Model;

// Parse a model file. Throws Error(kIo) when it cannot be read and
// Error(kInvalidModel) when the bytes are not a Core ML model.
Spec load_spec(const std::filesystem::path& path);
// Parse model bytes; `origin` names them in error messages.
Spec parse_spec(std::string_view bytes, std::string_view origin = "model");

void save_spec(const Spec& spec, const std::filesystem::path& path);
std::string serialize_spec(const Spec& spec);

// Check structure and consistency: spec version against the features used,
// layer wiring (inputs defined before use, unique outputs, no cycles), model
// outputs produced, weight counts against declared shapes, quantization
// parameters. Throws Error(kInvalidModel) naming the layer and field.
void validate_spec(const Spec& spec);

// The Model.Type oneof case as named in the format ("neuralNetwork",
// "pipelineClassifier", "glmRegressor", ...); "none" when unset and
// "unknown field N" for a case our schema does not know.
std::string model_type_name(const Spec& spec);

// A feature type in a few words: "multiArray float32 1x3x224x224",
// "image RGB 224x224", "multiArray float32 1x3x[64..512]x[64..512]",
// "image RGB 224x224 | 320x320", "int64", "dictionary string -> double".
std::string describe_feature_type(const spec::FeatureType& type);
// A size range: "[64..512]", "[64..]" (unbounded), or "3" when fixed.
std::string describe_size_range(const spec::SizeRange& range);
// "float32", "float64", "int32", "float16", "int8", "unspecified".
std::string array_dtype_name(spec::ArrayFeatureType::ArrayDataType dtype);
// "RGB", "BGR", "gray", "gray float16", "unspecified".
std::string color_space_name(spec::ImageFeatureType::ColorSpace color);

// Name of a NeuralNetworkLayer's kind, as in the format ("convolution", ...).
std::string layer_kind_name(const spec::NeuralNetworkLayer& layer);

// The network inside a neuralNetwork, neuralNetworkClassifier or
// neuralNetworkRegressor model: three message types with the same layout.
struct NetworkView {
  const google::protobuf::RepeatedPtrField<spec::NeuralNetworkLayer>* layers = nullptr;
  const google::protobuf::RepeatedPtrField<spec::NeuralNetworkPreprocessing>* preprocessing =
      nullptr;
  spec::NeuralNetworkMultiArrayShapeMapping array_mapping = spec::RANK5_ARRAY_MAPPING;
  spec::NeuralNetworkImageShapeMapping image_mapping = spec::RANK5_IMAGE_MAPPING;
  const spec::NeuralNetworkClassifier* classifier = nullptr;  // set for classifiers only
  explicit operator bool() const { return layers != nullptr; }
};
// An empty view (false) for other model types.
NetworkView network_view(const Spec& spec);
// The layers, to rewrite them; nullptr for other model types.
google::protobuf::RepeatedPtrField<spec::NeuralNetworkLayer>* mutable_network_layers(Spec& spec);

}  // namespace morel
