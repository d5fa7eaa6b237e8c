// inspect: what a Core ML model holds, as a plain summary (what Xcode's model
// viewer shows), rendered for people (aligned text) or machines (JSON).
//
// summarize_model() only reads the spec; it never throws on a well-formed
// protobuf, so tools can describe models morel cannot run or that fail
// validation (the summary says so).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "morel/edit.h"  // DimRange
#include "morel/spec.h"
#include "morel/weights.h"

namespace morel::tools {

enum class Flexibility { kFixed, kEnumerated, kRange };
std::string_view flexibility_name(Flexibility f);  // "fixed", "enumerated", "range"

struct FeatureInfo {
  std::string name;
  std::string description;  // shortDescription
  // The type in words, without its flexibility: "multiArray float32 1x3x224x224".
  std::string type;
  // "multiArray", "image", "int64", "double", "string", "dictionary",
  // "sequence", "state" or "untyped".
  std::string kind;
  // multiArray: element type ("float32", ...); image: colour space ("RGB",
  // "gray", ...); dictionary: key type ("string" / "int64"); sequence:
  // element type. Empty for scalars.
  std::string data_type;
  bool optional = false;
  std::vector<int64_t> shape;     // multiArray: the default shape (may be empty)
  int64_t width = 0, height = 0;  // image: the default size

  Flexibility flexibility = Flexibility::kFixed;
  // kEnumerated: multiArray shapes, or image sizes as {width, height}.
  std::vector<std::vector<int64_t>> enumerated;
  // kRange: multiArray one range per dimension; image {width, height};
  // sequence {length}. Upper -1: unbounded.
  std::vector<DimRange> ranges;

  // Network inputs: the tensor shape the network sees for the default
  // shape, after the input shape mapping (rank-5 legacy or exact).
  std::vector<int64_t> network_shape;
};

// Image preprocessing of one input (NeuralNetworkPreprocessing).
struct PreprocessingInfo {
  std::string feature_name;
  std::string kind;  // "scaler", "mean_image" or "none"
  float channel_scale = 0;
  float red_bias = 0, green_bias = 0, blue_bias = 0, gray_bias = 0;
  int64_t mean_image_values = 0;  // mean_image: number of stored values (C*H*W)
};

struct LayerKindCount {
  std::string kind;  // layer_kind_name(): "convolution", "innerProduct", ...
  int64_t count = 0;
};

// One custom layer class the network needs, and the layers that use it.
struct CustomLayerInfo {
  std::string class_name;
  std::string description;  // the first non-empty one among its layers
  std::vector<std::string> layers;
  std::vector<std::string> parameters;  // parameter names used, sorted, unique
};

// Weight tensors (WeightParams) stored at one precision.
struct PrecisionInfo {
  // The key used by the shared test data and the JSON: "float32",
  // "float16", "8bit_linearQuantization", "4bit_lookupTableQuantization".
  std::string key;
  // For people: "fp32", "fp16", "8-bit linear", "4-bit LUT".
  std::string label;
  WeightStorage storage = WeightStorage::kEmpty;  // kRawFloat32 counts as kFloat32
  int bits = 0;
  int64_t tensor_count = 0;
  int64_t parameter_count = 0;  // values stored (from declared shapes for packed data)
  int64_t size_bytes = 0;       // bytes of the stored values
  // Bytes of the quantization parameters: lookup tables, scales and biases.
  int64_t quantization_params_size_bytes = 0;
};

struct WeightsInfo {
  int64_t tensor_count = 0;
  int64_t parameter_count = 0;
  int64_t size_bytes = 0;  // stored values and quantization parameters
  // Required weights a layer lacks (the model is invalid; validation says where).
  int64_t missing_count = 0;
  // Ordered: float32, float16, then quantized by bits (high to low), linear before LUT.
  std::vector<PrecisionInfo> by_precision;
};

struct NetworkInfo {
  // "RANK5_ARRAY_MAPPING" / "EXACT_ARRAY_MAPPING", "RANK5_IMAGE_MAPPING" /
  // "RANK4_IMAGE_MAPPING", as in the format.
  std::string array_shape_mapping;
  std::string image_shape_mapping;
  std::vector<PreprocessingInfo> preprocessing;
  int64_t layer_count = 0;                     // every layer, those inside control flow included
  int64_t nested_layer_count = 0;              // of which inside branch / loop networks
  std::vector<LayerKindCount> layers_by_kind;  // most frequent first, then by name
  // Kinds this build of morel has no kernel for (custom layers excepted).
  std::vector<LayerKindCount> unsupported_layer_kinds;
  std::vector<CustomLayerInfo> custom_layers;  // by class name
  std::vector<std::string> updatable_layers;
  bool has_update_params = false;  // updateParams (on-device training) present
};

struct ClassLabelsInfo {
  std::string type;                   // "string", "int64", or empty when the model has none
  std::vector<std::string> labels;    // all of them (int64 labels in decimal)
  std::vector<int64_t> int64_labels;  // the same, for int64 labels
};

struct CustomModelInfo {
  std::string class_name;
  std::string description;
  std::vector<std::string> parameters;  // names, sorted
};

struct MetadataInfo {
  std::string short_description, version, author, license;
  std::vector<std::pair<std::string, std::string>> user_defined;  // sorted by key
};

struct ModelSummary {
  // The file (top level only): its path and size; -1 when summarizing a spec.
  std::filesystem::path path;
  int64_t file_size_bytes = -1;
  // Pipeline sub-models: the name the pipeline gives it (may be empty).
  std::string name;

  int spec_version = 0;
  std::string spec_release;  // "iOS 13 / macOS 10.15"
  int minimum_spec_version = 1;
  // What needs minimum_spec_version ("layer 'up1' (upsample) ..."); empty for 1.
  std::vector<std::string> minimum_spec_reasons;

  std::string model_type;  // model_type_name(): "neuralNetwork", "glmRegressor", ...
  bool runs_in_morel = false;
  std::string not_run_reason;  // why not, when runs_in_morel is false
  // Model types our schema keeps as opaque bytes (GLM, trees, mlProgram, ...): their size.
  int64_t payload_size_bytes = -1;

  // Top level only: validate_spec's verdict; empty when valid.
  std::optional<std::string> validation_error;

  bool updatable = false;  // isUpdatable
  MetadataInfo metadata;
  std::vector<FeatureInfo> inputs, outputs, states;
  std::vector<std::string> functions;  // multi-function models (spec >= 9)
  std::string default_function;
  std::string predicted_feature_name, predicted_probabilities_name;
  ClassLabelsInfo class_labels;

  std::optional<NetworkInfo> network;           // neural network models
  std::optional<CustomModelInfo> custom_model;  // customModel
  std::vector<ModelSummary> sub_models;         // pipelines, in order

  // This model's weights, sub-models' included.
  WeightsInfo weights;
};

// Summarize a spec (validation included). Never throws for a parsed spec.
ModelSummary summarize_model(const Spec& spec);
// The same for a spec read from `file`, whose path and size it records.
ModelSummary summarize_model(const Spec& spec, const std::filesystem::path& file);
// Load a model file and summarize it. Throws Error(kIo / kInvalidModel)
// when the file cannot be read or parsed.
ModelSummary inspect_model_file(const std::filesystem::path& path);

// For people: aligned sections and tables, long lists cut short with
// "... N more". Fits a screen for a typical model.
std::string render_text(const ModelSummary& summary);
// For machines: one JSON document, snake_case keys, sizes in bytes.
// Keys in a fixed, readable order (ordered_json).
nlohmann::ordered_json to_json(const ModelSummary& summary);

}  // namespace morel::tools
