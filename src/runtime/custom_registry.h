// The process-wide registry of custom layer and custom model classes
// (declared publicly in include/morel/custom_layer.h).
#pragma once

#include <string>
#include <vector>

#include "morel/custom_layer.h"

namespace morel::runtime {

// Empty factories when no class is registered under the name.
CustomLayerFactory find_custom_layer(const std::string& class_name);
CustomModelFactory find_custom_model(const std::string& class_name);

// The messages for a className with no class: they name the class, its user
// ("layer 'swish_1'"), and the ways to provide one.
std::string missing_layer_class_message(const std::string& layer_name,
                                        const std::string& class_name);
std::string missing_model_class_message(const std::string& class_name);

// Records the classNames registered on this thread while it is alive (a
// plugin's registration function runs inside one).
class RegistrationRecorder {
 public:
  RegistrationRecorder();
  ~RegistrationRecorder();
  RegistrationRecorder(const RegistrationRecorder&) = delete;
  RegistrationRecorder& operator=(const RegistrationRecorder&) = delete;

  std::vector<std::string> layers, models;

 private:
  RegistrationRecorder* previous_;
};

}  // namespace morel::runtime
