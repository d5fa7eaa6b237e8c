#include "runtime/custom_registry.h"

#include <map>
#include <mutex>
#include <shared_mutex>

#include "morel/error.h"

namespace morel {

namespace {

struct Registry {
  std::shared_mutex mutex;
  std::map<std::string, CustomLayerFactory> layers;
  std::map<std::string, CustomModelFactory> models;
};

// Constructed on first use, so static registrars in other translation units
// (MOREL_REGISTER_CUSTOM_LAYER) may run before or after this file's statics.
// Never destroyed: factories from plugins must not be destroyed after their
// code is gone, and registrars may run during static teardown of others.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

thread_local runtime::RegistrationRecorder* current_recorder = nullptr;

void check_name(const std::string& class_name, bool has_factory, const char* what) {
  if (class_name.empty())
    throw Error(ErrorCode::kInvalidArgument,
                std::string("cannot register a custom ") + what + " class with an empty className");
  if (!has_factory)
    throw Error(ErrorCode::kInvalidArgument, std::string("cannot register custom ") + what +
                                                 " class '" + class_name + "': empty factory");
}

template <class Map>
std::vector<std::string> names_of(const Map& map) {
  std::vector<std::string> names;
  for (const auto& entry : map) names.push_back(entry.first);
  return names;  // std::map keeps them sorted
}

}  // namespace

void register_custom_layer(const std::string& class_name, CustomLayerFactory factory) {
  check_name(class_name, static_cast<bool>(factory), "layer");
  Registry& r = registry();
  {
    std::unique_lock lock(r.mutex);
    r.layers[class_name] = std::move(factory);
  }
  if (current_recorder) current_recorder->layers.push_back(class_name);
}

void register_custom_model(const std::string& class_name, CustomModelFactory factory) {
  check_name(class_name, static_cast<bool>(factory), "model");
  Registry& r = registry();
  {
    std::unique_lock lock(r.mutex);
    r.models[class_name] = std::move(factory);
  }
  if (current_recorder) current_recorder->models.push_back(class_name);
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
  return names_of(r.layers);
}

std::vector<std::string> registered_custom_models() {
  Registry& r = registry();
  std::shared_lock lock(r.mutex);
  return names_of(r.models);
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

std::string missing_layer_class_message(const std::string& layer_name,
                                        const std::string& class_name) {
  return "layer '" + layer_name + "' needs a custom layer class '" + class_name +
         "'; none is registered (link one with MOREL_REGISTER_CUSTOM_LAYER, register it with "
         "morel::register_custom_layer, or load a plugin that provides it: --plugin LIB.so)";
}

std::string missing_model_class_message(const std::string& class_name) {
  return "the model is a custom model of class '" + class_name +
         "'; none is registered (link one with MOREL_REGISTER_CUSTOM_MODEL, register it with "
         "morel::register_custom_model, or load a plugin that provides it: --plugin LIB.so)";
}

RegistrationRecorder::RegistrationRecorder() : previous_(current_recorder) {
  current_recorder = this;
}

RegistrationRecorder::~RegistrationRecorder() {
  current_recorder = previous_;
}

}  // namespace runtime
}  // namespace morel
