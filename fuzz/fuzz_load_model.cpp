// libFuzzer target: any bytes through the model loader and the validator.
//
// parse_spec and validate_spec may only return or throw morel::Error. On top
// of that, two invariants abort when broken: a model re-serializes to bytes
// that parse back to the same serialization, and a model that validates
// decodes every weight whose size its layer declares (the runtime decodes
// after validating and must not meet a count validation let through).
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/spec.h"
#include "morel/spec_versions.h"
#include "morel/weights.h"

namespace {

[[noreturn]] void invariant_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_load_model: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs each string field with invalid UTF-8 it refuses; that is
  // the expected outcome here, not news.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  morel::Spec spec;
  try {
    spec = morel::parse_spec(bytes, "fuzz input");
  } catch (const morel::Error&) {
    return 0;
  }

  const std::string serialized = morel::serialize_spec(spec);
  try {
    if (morel::serialize_spec(morel::parse_spec(serialized, "re-serialized")) != serialized)
      invariant_broken("round trip", "re-serialized model serializes differently");
  } catch (const morel::Error& e) {
    invariant_broken("round trip", e.what());
  }

  (void)morel::minimum_spec_version(spec);
  try {
    morel::validate_spec(spec);
  } catch (const morel::Error&) {
    return 0;
  }

  if (const morel::NetworkView net = morel::network_view(spec)) {
    for (const auto& layer : *net.layers) {
      for (const auto& ref : morel::layer_weights(layer)) {
        if (ref.expected_count < 0) continue;
        try {
          (void)morel::decode_weights(*ref.weights, ref.expected_count, ref.layout, ref.field);
        } catch (const morel::Error& e) {
          invariant_broken("validated weights do not decode", e.what());
        }
      }
    }
  }
  return 0;
}
