// The process-wide registry of custom layer and custom model classes
// (declared publicly in include/morel/custom_layer.h).
#pragma once

#include <string>

#include "morel/custom_layer.h"

namespace morel::runtime {

// nullptr-like (empty) factories when no class is registered under the name.
CustomLayerFactory find_custom_layer(const std::string& class_name);
CustomModelFactory find_custom_model(const std::string& class_name);

// The message for a className with no class: names it, the user of it, and
// the ways to provide one.
std::string missing_class_message(const std::string& user, const std::string& class_name);

}  // namespace morel::runtime
