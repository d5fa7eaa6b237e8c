// Typed access to custom layer / model parameters.
#include <limits>

#include "morel/custom_layer.h"
#include "morel/error.h"

namespace morel {

std::string_view parameter_type_name(const ParameterValue& v) {
  struct Name {
    std::string_view operator()(std::monostate) const { return "unset"; }
    std::string_view operator()(double) const { return "double"; }
    std::string_view operator()(const std::string&) const { return "string"; }
    std::string_view operator()(int32_t) const { return "int32"; }
    std::string_view operator()(int64_t) const { return "int64"; }
    std::string_view operator()(bool) const { return "bool"; }
    std::string_view operator()(const Bytes&) const { return "bytes"; }
  };
  return std::visit(Name{}, v);
}

namespace {

[[noreturn]] void wrong_type(const std::string& name, const ParameterValue& v,
                             std::string_view wanted) {
  throw Error(ErrorCode::kCustomLayerFailed, "parameter '" + name + "' is " +
                                                 std::string(parameter_type_name(v)) +
                                                 ", expected " + std::string(wanted));
}

}  // namespace

bool Parameters::has(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() && !std::holds_alternative<std::monostate>(it->second);
}

std::string_view Parameters::type_of(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string_view() : parameter_type_name(it->second);
}

const ParameterValue& Parameters::find(const std::string& name, std::string_view wanted) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw Error(ErrorCode::kCustomLayerFailed,
                "missing " + std::string(wanted) + " parameter '" + name + "'");
  if (std::holds_alternative<std::monostate>(it->second))
    throw Error(
        ErrorCode::kCustomLayerFailed,
        "parameter '" + name + "' is stored without a value, expected " + std::string(wanted));
  return it->second;
}

double Parameters::get_double(const std::string& name) const {
  const ParameterValue& v = find(name, "double");
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) return static_cast<double>(*l);
  wrong_type(name, v, "double");
}

int64_t Parameters::get_int(const std::string& name) const {
  const ParameterValue& v = find(name, "integer");
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) return *l;
  wrong_type(name, v, "an integer (int32 or int64)");
}

int32_t Parameters::get_int32(const std::string& name) const {
  const ParameterValue& v = find(name, "int32");
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) {
    if (*l < std::numeric_limits<int32_t>::min() || *l > std::numeric_limits<int32_t>::max())
      throw Error(ErrorCode::kCustomLayerFailed,
                  "parameter '" + name + "' is " + std::to_string(*l) + ", out of the int32 range");
    return static_cast<int32_t>(*l);
  }
  wrong_type(name, v, "int32");
}

std::string Parameters::get_string(const std::string& name) const {
  const ParameterValue& v = find(name, "string");
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  wrong_type(name, v, "string");
}

bool Parameters::get_bool(const std::string& name) const {
  const ParameterValue& v = find(name, "bool");
  if (auto* b = std::get_if<bool>(&v)) return *b;
  wrong_type(name, v, "bool");
}

Bytes Parameters::get_bytes(const std::string& name) const {
  const ParameterValue& v = find(name, "bytes");
  if (auto* b = std::get_if<Bytes>(&v)) return *b;
  wrong_type(name, v, "bytes");
}

double Parameters::get_double(const std::string& name, double fallback) const {
  return has(name) ? get_double(name) : fallback;
}
int64_t Parameters::get_int(const std::string& name, int64_t fallback) const {
  return has(name) ? get_int(name) : fallback;
}
int32_t Parameters::get_int32(const std::string& name, int32_t fallback) const {
  return has(name) ? get_int32(name) : fallback;
}
std::string Parameters::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? get_string(name) : fallback;
}
bool Parameters::get_bool(const std::string& name, bool fallback) const {
  return has(name) ? get_bool(name) : fallback;
}
Bytes Parameters::get_bytes(const std::string& name, const Bytes& fallback) const {
  return has(name) ? get_bytes(name) : fallback;
}

}  // namespace morel
