// ONNX -> Core ML conversion: read an .onnx model and produce a Core ML
// neural network spec (N-d, EXACT_ARRAY_MAPPING) that morel runs and that,
// being the public format, loads in Core ML.
//
// Shapes are static: symbolic dimensions of the graph inputs are fixed (to
// OnnxConvertOptions::input_shapes, or 1), and every value-dependent shape
// computation (Shape -> Gather -> Concat -> Reshape, ConstantOfShape, Range
// with constant inputs, ...) is folded at conversion time.
//
// Ops without a Core ML equivalent can become custom layers: either through a
// conversion function registered for the op type, or wholesale with
// add_custom_layers. Without either, converting such a model fails with an
// Error(kUnsupported) that names the op type, the node and both ways out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "morel/custom_layer.h"
#include "morel/spec.h"

namespace morel {

// A tensor as the converter sees it: an ONNX element type name ("float",
// "int64", "bool", ...), a shape and its values widened to double (integer
// values beyond 2^53 lose precision).
struct OnnxTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<double> values;
};

// One ONNX attribute value: int, float, string, lists of them, or a tensor.
// (Graph-valued attributes are not exposed.)
using OnnxAttribute = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                                   std::vector<double>, std::vector<std::string>, OnnxTensor>;

// What a conversion function is shown of one ONNX node.
struct OnnxNode {
  std::string name;                  // the node's name, or a generated one when it has none
  std::string op_type;               // "Conv", "MyOp", ...
  std::string domain;                // "" for the default ONNX domain
  int opset = 0;                     // the model's opset version for that domain
  std::vector<std::string> inputs;   // value names; "" for an omitted optional input
  std::vector<std::string> outputs;  // value names
  std::map<std::string, OnnxAttribute> attributes;
  // Per input: its shape (static), and its value when known at conversion
  // time (initializers, Constant nodes, folded shape computations).
  std::vector<std::vector<int64_t>> input_shapes;
  std::vector<std::optional<OnnxTensor>> input_constants;
};

// What a conversion function returns for a node it converts: one custom
// layer (CustomLayerParams in the format).
struct OnnxCustomLayer {
  std::string class_name;
  std::string description;
  std::map<std::string, ParameterValue> parameters;
  std::vector<std::vector<float>> weights;  // stored in this order, as float32
  // Which node inputs the layer reads at run time, by index; empty means
  // every present input whose value is not known at conversion time.
  std::vector<int> layer_inputs;
  // Shapes of the node's outputs. When empty, the converter takes them from
  // the model's value_info / graph outputs, or else asks a custom layer class
  // registered under class_name (register it, or load its plugin, first).
  std::vector<std::vector<int64_t>> output_shapes;
};

// Converts one node to a custom layer, or declines (std::nullopt) to let the
// converter handle the node as it otherwise would.
using OnnxConversionFunction = std::function<std::optional<OnnxCustomLayer>(const OnnxNode&)>;

struct OnnxImageInput {
  std::string name;   // the ONNX graph input, shape [1, C, H, W] with C 1 or 3
  float scale = 1.f;  // pixel values are multiplied by scale, then biased
  float red_bias = 0.f, green_bias = 0.f, blue_bias = 0.f;
  float gray_bias = 0.f;  // for C = 1
  bool bgr = false;       // the network wants channels in B, G, R order
};

struct OnnxConvertOptions {
  // Static shapes for graph inputs with symbolic or unknown dimensions
  // (by ONNX input name); dimensions not given here become 1.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Graph inputs given fixed values (by ONNX input name): they become
  // constants of the model rather than inputs, so that shapes computed from
  // them fold. Values are cast to the input's declared element type; the
  // shape must fit the declared one.
  std::map<std::string, OnnxTensor> constant_inputs;

  // Custom conversions: op type -> function. A function is consulted before
  // the built-in conversion, so it may also replace one.
  std::map<std::string, OnnxConversionFunction> custom_conversions;
  // Turn every op that has no Core ML layer into a custom layer whose
  // parameters are the node's attributes and whose weights are its constant
  // inputs (see docs/onnx.md for the exact encoding).
  bool add_custom_layers = false;
  // className for such custom layers, by op type (default: the op type).
  // Naming an op type here also makes it a custom layer.
  std::map<std::string, std::string> custom_layer_class_names;

  std::vector<OnnxImageInput> image_inputs;

  // Classifier: when class_labels is set, the model becomes a classifier
  // whose probabilities are the graph output `probabilities_output` (the
  // first output when empty), with a predicted-label output feature.
  std::vector<std::string> class_labels;
  std::string probabilities_output;
  std::string predicted_feature_name = "classLabel";

  // Metadata.
  std::string author, license, description, version;
  std::map<std::string, std::string> input_descriptions, output_descriptions;

  // Feature renames (old ONNX name -> new name), for inputs and outputs.
  std::map<std::string, std::string> renames;
};

// Convert an ONNX model file. Throws Error(kIo) when the file cannot be read,
// Error(kInvalidModel) when it is not a well-formed ONNX model, and
// Error(kUnsupported) naming the node for what cannot be converted.
Spec convert_onnx(const std::filesystem::path& path, const OnnxConvertOptions& options = {});
// Convert ONNX model bytes; `origin` names them in messages, `base_dir` is
// where tensors stored as external data are looked up.
Spec convert_onnx_bytes(std::string_view bytes, const OnnxConvertOptions& options = {},
                        std::string_view origin = "model.onnx",
                        const std::filesystem::path& base_dir = {});

// The ONNX op types (default domain) the converter turns into Core ML layers.
std::vector<std::string> onnx_supported_ops();

}  // namespace morel
