// Custom layers and custom models: user C++ classes that implement what a
// model names by className (CustomLayerParams / CustomModel in the format).
//
// A custom layer mirrors what Core ML asks of one: it is built from its
// parameters, handed its weights, asked for output shapes, and evaluated on
// contiguous float32 tensors. A class is found by className in a process-wide
// registry, filled by MOREL_REGISTER_CUSTOM_LAYER (linked-in classes),
// register_custom_layer (at run time), or a plugin library (load_plugin).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "morel/features.h"
#include "morel/multi_array.h"
#include "morel/shape.h"
#include "morel/weights.h"

namespace morel {

// One typed parameter value (CustomLayerParamValue / CustomModelParamValue).
using ParameterValue = std::variant<double, std::string, int32_t, int64_t, bool>;

// The parameters map of a custom layer or model, with typed access. A getter
// throws Error(kCustomLayerFailed) naming the parameter when it is missing or
// has another type; the defaulted forms return the default when it is absent.
class Parameters {
 public:
  Parameters() = default;
  explicit Parameters(std::map<std::string, ParameterValue> values) : values_(std::move(values)) {}

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, ParameterValue>& all() const { return values_; }

  double get_double(const std::string& name) const;  // doubles, and integers widened
  double get_double(const std::string& name, double fallback) const;
  int64_t get_int(const std::string& name) const;  // int32 or int64
  int64_t get_int(const std::string& name, int64_t fallback) const;
  std::string get_string(const std::string& name) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  bool get_bool(const std::string& name) const;
  bool get_bool(const std::string& name, bool fallback) const;

 private:
  const ParameterValue& find(const std::string& name, const char* wanted) const;
  std::map<std::string, ParameterValue> values_;
};

// One weight blob as stored in the model, decoded to float32, raw bytes kept.
struct Weight {
  WeightStorage storage = WeightStorage::kEmpty;
  std::vector<float> values;  // decoded (per-tensor quantization parameters applied)
  std::string raw;            // the stored bytes (floats as little-endian bytes)
};

// What a custom layer class is built from.
struct CustomLayerSpec {
  std::string layer_name;
  std::string class_name;
  std::string description;
  Parameters parameters;
};

class CustomLayer {
 public:
  virtual ~CustomLayer() = default;

  // Called once after construction with the layer's weights in model order.
  virtual void set_weights(std::span<const Weight> weights) { (void)weights; }

  // Output shapes for these input shapes. Legacy (rank-5 mapped) networks pass
  // [Seq, Batch, C, H, W]; N-d networks pass their exact ranks.
  virtual std::vector<Shape> output_shapes(std::span<const Shape> inputs) const = 0;

  // Element types evaluate_cpu accepts; the runtime's tensors are float32.
  virtual std::vector<DType> supported_types() const { return {DType::kFloat32}; }

  // Compute outputs from inputs. May be called from several threads at once,
  // so it must not modify the layer. Throw (any std::exception) on failure.
  virtual void evaluate_cpu(std::span<const ConstTensorView> inputs,
                            std::span<const TensorView> outputs) const = 0;

  // A GPU backend will ask for an optional GPU method here; a layer that
  // has none keeps running on the CPU.
  virtual bool has_gpu_implementation() const { return false; }
};

using CustomLayerFactory = std::function<std::unique_ptr<CustomLayer>(const CustomLayerSpec&)>;

// A whole model implemented by a user class (CustomModel in the format).
struct CustomModelSpec {
  std::string class_name;
  std::string description;
  Parameters parameters;
};

class CustomModel {
 public:
  virtual ~CustomModel() = default;
  // May be called from several threads at once.
  virtual FeatureMap predict(const FeatureMap& inputs) const = 0;
};

using CustomModelFactory = std::function<std::unique_ptr<CustomModel>(const CustomModelSpec&)>;

// Registration. Registering a className twice replaces the earlier class.
void register_custom_layer(const std::string& class_name, CustomLayerFactory factory);
void register_custom_model(const std::string& class_name, CustomModelFactory factory);
bool has_custom_layer(const std::string& class_name);
bool has_custom_model(const std::string& class_name);
std::vector<std::string> registered_custom_layers();

// Load a plugin shared library (built with MOREL_PLUGIN) and let it register
// its classes. Loading the same path twice is a no-op. Throws Error(kPlugin)
// naming the file when it cannot be opened, is not a morel plugin, or was
// built against another morel ABI.
void load_plugin(const std::string& path);

// Bumped whenever a change to these interfaces breaks binary compatibility.
inline constexpr int kPluginAbiVersion = 1;

namespace detail {
struct Registrar {
  Registrar(const char* class_name, CustomLayerFactory factory) {
    register_custom_layer(class_name, std::move(factory));
  }
};
}  // namespace detail

}  // namespace morel

// Register class TYPE, constructible from `const morel::CustomLayerSpec&`, under
// className NAME (a string literal) for a program that links it in.
#define MOREL_REGISTER_CUSTOM_LAYER(NAME, TYPE)                                              \
  static const ::morel::detail::Registrar morel_registrar_##TYPE(                            \
      NAME, [](const ::morel::CustomLayerSpec& s) -> std::unique_ptr<::morel::CustomLayer> { \
        return std::make_unique<TYPE>(s);                                                    \
      })

// Define a plugin's entry points. The body registers the plugin's classes:
//   MOREL_PLUGIN { morel::register_custom_layer("Swish", ...); }
#define MOREL_PLUGIN                                                                 \
  extern "C" __attribute__((visibility("default"))) int morel_plugin_abi_version() { \
    return ::morel::kPluginAbiVersion;                                               \
  }                                                                                  \
  extern "C" __attribute__((visibility("default"))) void morel_plugin_register()
