// Weight quantization: rewrite a model's weights in a smaller storage form
// the format defines (float16, 1-8 bit linear, 1-8 bit lookup table), or
// back to float32. Spec in, spec out; the runtime decodes every form.
//
//   morel::Spec spec = morel::load_spec("model.mlmodel");
//   morel::QuantizeOptions options;
//   options.bits = 4;
//   options.mode = morel::QuantizationMode::kKMeans;
//   morel::QuantizeReport report = morel::quantize(spec, options);
//   morel::save_spec(spec, "model_q4.mlmodel");
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "morel/spec.h"
#include "morel/weights.h"

namespace morel {

enum class QuantizationMode : uint8_t {
  kLinear,           // per output channel: w = q * scale + bias over [min, max]
  kLinearSymmetric,  // per output channel, range [-max|w|, max|w|], zero exactly representable
  kKMeans,           // lookup table of k-means centers (one table per weight tensor)
  kLinearLut,        // lookup table of 2^bits evenly spaced values over [min, max]
  kCustomLut,        // lookup table from a user function (QuantizeOptions::lut_function)
  kFloat16,          // IEEE half precision (bits = 16)
  kDequantize,       // every quantized or float16 weight back to float32
};

// "linear", "linear_symmetric", "kmeans", "linear_lut", "custom_lut", "fp16", "dequantize".
std::string_view quantization_mode_name(QuantizationMode mode);
// The mode with that name; nullopt when there is none.
std::optional<QuantizationMode> parse_quantization_mode(std::string_view name);

// What a custom lookup-table function returns for one weight tensor:
// `table` (at most 2^bits entries; shorter tables are padded by repeating
// the last entry) and one index into it per weight.
struct LookupTable {
  std::vector<float> table;
  std::vector<uint8_t> indices;
};
// Called with one tensor's weights (row-major, as stored) and the bit width.
// May throw; the quantizer reports the error with the layer and field.
using LutFunction = std::function<LookupTable(std::span<const float> weights, int bits)>;

// Named lookup-table functions, for the command line's --lut-function. A
// plugin registers them in its MOREL_PLUGIN body (include morel/custom_layer.h
// for the macro). Registering a name twice replaces the earlier function.
// Throws Error(kInvalidArgument) for an empty name or function.
void register_lut_function(const std::string& name, LutFunction function);
// An empty function when none is registered under the name.
LutFunction find_lut_function(const std::string& name);
std::vector<std::string> registered_lut_functions();

// One weight tensor the quantizer may rewrite.
struct WeightSite {
  const spec::NeuralNetworkLayer* layer = nullptr;
  std::string_view layer_kind;  // "convolution", "innerProduct", ...
  std::string_view field;       // "convolution.weights", "gru.updateGateBiasVector", ...
  int64_t count = 0;            // number of weights
};
// Return false to leave the tensor as it is.
using WeightSelector = std::function<bool(const WeightSite& site)>;

struct QuantizeOptions {
  QuantizationMode mode = QuantizationMode::kLinear;
  // 1-8 for the quantizing modes (linear_symmetric: 2-8), 16 for fp16;
  // ignored by dequantize.
  int bits = 8;
  // Layer kinds to leave alone, in the format's names ("batchnorm", "innerProduct").
  std::vector<std::string> skip_layer_types;
  // Tensors with fewer weights than this are left alone.
  int64_t min_weight_count = 0;
  WeightSelector selector;   // optional; called after the checks above
  LutFunction lut_function;  // required by kCustomLut
  int threads = 0;           // tensors quantized at once; 0 = every hardware thread
  // Optional: weights handled so far and in all. Called from one thread at a time.
  std::function<void(int64_t done, int64_t total)> progress;
};

// What happened to one weight tensor.
struct WeightChange {
  std::string network;  // "" for the main network; "pipeline model 1", "loop 'l1' bodyNetwork", ...
  std::string layer;    // layer name
  std::string layer_kind;
  std::string field;
  int64_t count = 0;
  WeightInfo before, after;
  bool changed = false;
  std::string reason;  // why it was left alone (empty when changed)
};

struct QuantizeReport {
  int64_t size_before_bytes = 0;  // serialized model
  int64_t size_after_bytes = 0;
  int spec_version_before = 0;
  int spec_version_after = 0;
  int64_t weights_changed = 0;  // tensors rewritten
  std::vector<WeightChange> weights;
};

// Rewrite the weights of every neural network in the spec (pipelines
// included) in place, and raise specificationVersion to what the new
// storage needs (never lower it). Layer kinds quantized: convolution
// (and deconvolution), innerProduct, batchedMatmul, embedding, embeddingND,
// batchnorm, scale, bias, loadConstant, simpleRecurrent, gru,
// uniDirectionalLSTM, biDirectionalLSTM, and these inside branch and loop
// layers. Throws Error(kInvalidArgument) for bad options and
// Error(kInvalidModel) naming the layer and field for weights that cannot
// be read or quantized (wrong count, NaN); the spec is then unchanged.
QuantizeReport quantize(Spec& spec, const QuantizeOptions& options);

}  // namespace morel
