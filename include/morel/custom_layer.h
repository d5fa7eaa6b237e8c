// Custom layers and custom models: user C++ classes that implement what a
// model names by className (CustomLayerParams / CustomModel in the format).
//
// A custom layer mirrors what Core ML asks of one: it is built from its
// parameters, handed its weights, asked for output shapes, and evaluated on
// contiguous float32 tensors. A class is found by className in a process-wide
// registry, filled by MOREL_REGISTER_CUSTOM_LAYER (linked-in classes),
// register_custom_layer (at run time), or a plugin library (load_plugin).
// See docs/custom-layers.md for a walk-through.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "morel/features.h"
#include "morel/multi_array.h"
#include "morel/shape.h"
#include "morel/weights.h"

namespace morel {

// ---------------------------------------------------------------------------
// Parameters

using Bytes = std::vector<uint8_t>;

// One typed parameter value (CustomLayerParamValue / CustomModelParamValue).
// std::monostate: the model stores the key with no value set. Bytes occur in
// custom models only.
using ParameterValue =
    std::variant<std::monostate, double, std::string, int32_t, int64_t, bool, Bytes>;

// "double", "string", "int32", "int64", "bool", "bytes", or "unset".
std::string_view parameter_type_name(const ParameterValue& value);

// The parameters map of a custom layer or model, with typed access. A getter
// throws Error(kCustomLayerFailed) naming the parameter when it is missing,
// unset, or of another type ("parameter 'beta' is string, expected double");
// the defaulted forms return the fallback when it is absent or unset, and
// still throw on a wrong type.
class Parameters {
 public:
  Parameters() = default;
  explicit Parameters(std::map<std::string, ParameterValue> values) : values_(std::move(values)) {}

  bool has(const std::string& name) const;  // present with a value set
  const std::map<std::string, ParameterValue>& all() const { return values_; }
  // The stored type's name (as parameter_type_name), or "" when absent.
  std::string_view type_of(const std::string& name) const;

  double get_double(const std::string& name) const;  // double; int32 and int64 widened
  double get_double(const std::string& name, double fallback) const;
  int64_t get_int(const std::string& name) const;  // int32 or int64
  int64_t get_int(const std::string& name, int64_t fallback) const;
  int32_t get_int32(const std::string& name) const;  // int32, or an int64 that fits
  int32_t get_int32(const std::string& name, int32_t fallback) const;
  std::string get_string(const std::string& name) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  bool get_bool(const std::string& name) const;
  bool get_bool(const std::string& name, bool fallback) const;
  Bytes get_bytes(const std::string& name) const;
  Bytes get_bytes(const std::string& name, const Bytes& fallback) const;

 private:
  const ParameterValue& find(const std::string& name, std::string_view wanted) const;
  std::map<std::string, ParameterValue> values_;
};

// ---------------------------------------------------------------------------
// Weights

// One WeightParams of a custom layer, as stored and decoded.
struct Weight {
  WeightStorage storage = WeightStorage::kEmpty;
  int bits = 0;  // bits per stored value: 32, 16, or the quantization's bits
  // The stored bytes exactly as in the model: floatValue as little-endian
  // float32, float16Value, rawValue, or int8RawValue.
  std::string raw;
  bool int8 = false;  // raw came from int8RawValue: signed 8-bit values (linear quantized)
  // Quantization parameters (empty unless quantized): linear scale and bias,
  // one per tensor or one per channel, or the lookup table.
  std::vector<float> scale, bias, lookup_table;
  // Every stored value decoded to float32. Per-channel quantization is
  // applied along the first axis. Packed sub-byte storage does not record its
  // count, so `values` then holds floor(raw bits / bits) values, possibly with
  // zero-padding values at the end; use decoded(count) when the count is known.
  std::vector<float> values;

  // Decode exactly `count` values with per-channel parameters mapped by
  // `layout`. Throws Error(kInvalidModel) when the storage does not hold
  // `count` values or the parameters do not fit.
  std::vector<float> decoded(int64_t count, ChannelLayout layout = {}) const;
};

// ---------------------------------------------------------------------------
// Custom layers

// What a custom layer class is built from.
struct CustomLayerSpec {
  std::string layer_name;
  std::string class_name;
  std::string description;
  Parameters parameters;
  // True in legacy networks, whose tensors are rank 5 [Seq, Batch, C, H, W];
  // false in N-d networks (exact ranks).
  bool rank5 = true;
};

// A GPU backend's device, and a custom layer's GPU implementation for it.
// Defined by a GPU backend (Vulkan, later), which derives the interface a GPU
// layer implements from GpuLayer. Declared here so that adding a backend
// changes nothing for layers that have no GPU method.
class GpuDevice;
class GpuLayer {
 public:
  virtual ~GpuLayer() = default;
};

class CustomLayer {
 public:
  virtual ~CustomLayer() = default;

  // Called once, after construction, with the layer's weights in model
  // order. Throw to refuse them (the model then fails to load).
  virtual void set_weights(std::span<const Weight> weights) { (void)weights; }

  // Output shapes for these input shapes, one per output the layer declares.
  // Legacy networks pass and expect rank 5 [Seq, Batch, C, H, W]; N-d
  // networks their exact ranks. Called when a new input shape is planned;
  // throw to reject shapes the layer cannot take.
  virtual std::vector<Shape> output_shapes(std::span<const Shape> inputs) const = 0;

  // Element types evaluate_cpu accepts. The CPU runtime's tensors are
  // float32, so the list must contain kFloat32.
  virtual std::vector<DType> supported_types() const { return {DType::kFloat32}; }

  // Compute outputs from inputs: contiguous row-major float32 tensors with
  // the shapes output_shapes() gave, living in the prediction's memory arena
  // (outputs never alias inputs; their prior contents are unspecified). Throw
  // any std::exception on failure: the prediction fails naming the layer, and
  // the model stays usable.
  virtual void evaluate_cpu(std::span<const ConstTensorView> inputs,
                            std::span<const TensorView> outputs) const = 0;

  // True (the default) when evaluate_cpu may run on several threads at once
  // (concurrent predictions on one Model). A class with mutable state says
  // false, and the runtime then runs its evaluations one at a time.
  virtual bool thread_safe() const { return true; }

  // True when items along the Batch axis (rank-5 axis 1) never influence
  // each other, letting predict_batch stack items into one evaluation. The
  // default is false: the runtime makes no assumption about user code.
  virtual bool batch_independent() const { return false; }

  // The GPU implementation for `device`, or nullptr (the default) to run on
  // the CPU. Asked only by a GPU backend.
  virtual std::unique_ptr<GpuLayer> make_gpu_layer(GpuDevice& device) const {
    (void)device;
    return nullptr;
  }
};

using CustomLayerFactory = std::function<std::unique_ptr<CustomLayer>(const CustomLayerSpec&)>;

// ---------------------------------------------------------------------------
// Custom models

// What a custom model class is built from.
struct CustomModelSpec {
  std::string class_name;
  std::string description;
  Parameters parameters;
  std::vector<std::string> input_names;   // the model's declared inputs
  std::vector<std::string> output_names;  // the model's declared outputs
};

class CustomModel {
 public:
  virtual ~CustomModel() = default;
  // Compute the declared outputs from the declared inputs (the runtime checks
  // both against the model description). May be called from several threads
  // at once. Throw any std::exception on failure.
  virtual FeatureMap predict(const FeatureMap& inputs) const = 0;
};

using CustomModelFactory = std::function<std::unique_ptr<CustomModel>(const CustomModelSpec&)>;

// ---------------------------------------------------------------------------
// Registration

// Register a class under a className. Registering a name again replaces the
// earlier class for models loaded from then on. Throws Error(kInvalidArgument)
// for an empty name or an empty factory.
void register_custom_layer(const std::string& class_name, CustomLayerFactory factory);
void register_custom_model(const std::string& class_name, CustomModelFactory factory);
bool has_custom_layer(const std::string& class_name);
bool has_custom_model(const std::string& class_name);
std::vector<std::string> registered_custom_layers();  // sorted
std::vector<std::string> registered_custom_models();  // sorted

// A factory for class T, built from `const CustomLayerSpec&` (or
// `const CustomModelSpec&`) when it has such a constructor, else by default.
template <class T>
CustomLayerFactory custom_layer_factory() {
  static_assert(std::is_base_of_v<CustomLayer, T>, "T must derive from morel::CustomLayer");
  return [](const CustomLayerSpec& spec) -> std::unique_ptr<CustomLayer> {
    if constexpr (std::is_constructible_v<T, const CustomLayerSpec&>)
      return std::make_unique<T>(spec);
    else
      return std::make_unique<T>();
  };
}
template <class T>
CustomModelFactory custom_model_factory() {
  static_assert(std::is_base_of_v<CustomModel, T>, "T must derive from morel::CustomModel");
  return [](const CustomModelSpec& spec) -> std::unique_ptr<CustomModel> {
    if constexpr (std::is_constructible_v<T, const CustomModelSpec&>)
      return std::make_unique<T>(spec);
    else
      return std::make_unique<T>();
  };
}

// ---------------------------------------------------------------------------
// Plugins

// Bumped whenever a change to these interfaces breaks binary compatibility.
inline constexpr int kPluginAbiVersion = 1;

// What a plugin registered.
struct PluginInfo {
  std::string path;
  std::vector<std::string> layers;  // custom layer classNames
  std::vector<std::string> models;  // custom model classNames
};

// Load a plugin shared library (one that defines MOREL_PLUGIN) and let it
// register its classes. Loading the same file again returns what the first
// load registered. Throws Error(kPlugin) naming the file when it is missing,
// cannot be opened, is not a morel plugin, was built for another plugin ABI,
// or its registration throws. A loaded plugin stays loaded.
PluginInfo load_plugin(const std::string& path);

namespace detail {
struct LayerRegistrar {
  LayerRegistrar(const char* class_name, CustomLayerFactory factory) {
    register_custom_layer(class_name, std::move(factory));
  }
};
struct ModelRegistrar {
  ModelRegistrar(const char* class_name, CustomModelFactory factory) {
    register_custom_model(class_name, std::move(factory));
  }
};
}  // namespace detail

}  // namespace morel

#define MOREL_DETAIL_CONCAT_(a, b) a##b
#define MOREL_DETAIL_CONCAT(a, b) MOREL_DETAIL_CONCAT_(a, b)

// Register class TYPE under className NAME (a string) in a program that links
// it in: one line at namespace scope in the class's .cpp. In a plugin, register
// in the MOREL_PLUGIN body instead (static registrars would run before the
// plugin's ABI is checked).
#define MOREL_REGISTER_CUSTOM_LAYER(NAME, TYPE)                     \
  static const ::morel::detail::LayerRegistrar MOREL_DETAIL_CONCAT( \
      morel_layer_registrar_, __COUNTER__)(NAME, ::morel::custom_layer_factory<TYPE>())

// The same for a custom model class.
#define MOREL_REGISTER_CUSTOM_MODEL(NAME, TYPE)                     \
  static const ::morel::detail::ModelRegistrar MOREL_DETAIL_CONCAT( \
      morel_model_registrar_, __COUNTER__)(NAME, ::morel::custom_model_factory<TYPE>())

// Define a plugin's entry points; the body that follows registers its classes:
//   MOREL_PLUGIN {
//     morel::register_custom_layer("Swish", morel::custom_layer_factory<Swish>());
//   }
#define MOREL_PLUGIN                                                                 \
  extern "C" __attribute__((visibility("default"))) int morel_plugin_abi_version() { \
    return ::morel::kPluginAbiVersion;                                               \
  }                                                                                  \
  extern "C" __attribute__((visibility("default"))) void morel_plugin_register()
