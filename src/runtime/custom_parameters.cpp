// Typed access to custom layer / model parameters.
#include "morel/custom_layer.h"
#include "morel/error.h"

namespace morel {

namespace {
std::string_view type_name(const ParameterValue& v) {
  switch (v.index()) {
    case 0:
      return "double";
    case 1:
      return "string";
    case 2:
      return "int32";
    case 3:
      return "int64";
    default:
      return "bool";
  }
}
}  // namespace

const ParameterValue& Parameters::find(const std::string& name, const char* wanted) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw Error(ErrorCode::kCustomLayerFailed,
                std::string("missing ") + wanted + " parameter '" + name + "'");
  return it->second;
}

#define MOREL_WRONG_TYPE(wanted)             \
  throw Error(ErrorCode::kCustomLayerFailed, \
              "parameter '" + name + "' is " + std::string(type_name(v)) + ", expected " + wanted)

double Parameters::get_double(const std::string& name) const {
  const ParameterValue& v = find(name, "double");
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) return static_cast<double>(*l);
  MOREL_WRONG_TYPE("double");
}

int64_t Parameters::get_int(const std::string& name) const {
  const ParameterValue& v = find(name, "integer");
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) return *l;
  MOREL_WRONG_TYPE("an integer");
}

std::string Parameters::get_string(const std::string& name) const {
  const ParameterValue& v = find(name, "string");
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  MOREL_WRONG_TYPE("string");
}

bool Parameters::get_bool(const std::string& name) const {
  const ParameterValue& v = find(name, "bool");
  if (auto* b = std::get_if<bool>(&v)) return *b;
  MOREL_WRONG_TYPE("bool");
}

#undef MOREL_WRONG_TYPE

double Parameters::get_double(const std::string& name, double fallback) const {
  return has(name) ? get_double(name) : fallback;
}
int64_t Parameters::get_int(const std::string& name, int64_t fallback) const {
  return has(name) ? get_int(name) : fallback;
}
std::string Parameters::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? get_string(name) : fallback;
}
bool Parameters::get_bool(const std::string& name, bool fallback) const {
  return has(name) ? get_bool(name) : fallback;
}

}  // namespace morel
