#include "runtime/custom_registry.h"

#include <map>
#include <mutex>
#include <shared_mutex>

#include "morel/quantize.h"

namespace morel {

namespace {

struct Registry {
  std::shared_mutex mutex;
  std::map<std::string, CustomLayerFactory> layers;
  std::map<std::string, CustomModelFactory> models;
};

// Constructed on first use, so static registrars in other translation units
// (MOREL_REGISTER_CUSTOM_LAYER) may run before or after this file's statics.
Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: plugins may outlive static teardown
  return *r;
}

}  // namespace

void register_custom_layer(const std::string& class_name, CustomLayerFactory factory) {
  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  r.layers[class_name] = std::move(factory);
}

void register_custom_model(const std::string& class_name, CustomModelFactory factory) {
  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  r.models[class_name] = std::move(factory);
}

bool has_custom_layer(const std::string& class_name) {
  return static_cast<bool>(runtime::find_custom_layer(class_name));
}

bool has_custom_model(const std::string& class_name) {
  return static_cast<bool>(runtime::find_custom_model(class_name));
}

std::vector<std::string> registered_custom_layers() {
  Registry& r = registry();
  std::shared_lock lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, factory] : r.layers) names.push_back(name);
  return names;
}

// Named lookup-table functions for custom_lut quantization, kept apart from
// the layer and model classes: plugins register them the same way.
namespace {

struct LutRegistry {
  std::shared_mutex mutex;
  std::map<std::string, LutFunction> functions;
};

LutRegistry& lut_registry() {
  static LutRegistry* r = new LutRegistry;  // never destroyed, as above
  return *r;
}

}  // namespace

void register_lut_function(const std::string& name, LutFunction function) {
  LutRegistry& r = lut_registry();
  std::unique_lock lock(r.mutex);
  r.functions[name] = std::move(function);
}

LutFunction find_lut_function(const std::string& name) {
  LutRegistry& r = lut_registry();
  std::shared_lock lock(r.mutex);
  auto it = r.functions.find(name);
  return it == r.functions.end() ? LutFunction{} : it->second;
}

std::vector<std::string> registered_lut_functions() {
  LutRegistry& r = lut_registry();
  std::shared_lock lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, function] : r.functions) names.push_back(name);
  return names;
}

namespace runtime {

CustomLayerFactory find_custom_layer(const std::string& class_name) {
  Registry& r = registry();
  std::shared_lock lock(r.mutex);
  auto it = r.layers.find(class_name);
  return it == r.layers.end() ? CustomLayerFactory{} : it->second;
}

CustomModelFactory find_custom_model(const std::string& class_name) {
  Registry& r = registry();
  std::shared_lock lock(r.mutex);
  auto it = r.models.find(class_name);
  return it == r.models.end() ? CustomModelFactory{} : it->second;
}

std::string missing_class_message(const std::string& user, const std::string& class_name) {
  return user + " needs a custom " + std::string(user.rfind("layer", 0) == 0 ? "layer" : "model") +
         " class '" + class_name +
         "'; none is registered (link one with MOREL_REGISTER_CUSTOM_LAYER, register it with "
         "morel::register_custom_layer, or load a plugin: --plugin LIB.so)";
}

}  // namespace runtime
}  // namespace morel
