// The one error type the morel library throws. Every message names the thing
// that is wrong (file, feature, layer, field) and what was expected.
#pragma once

#include <stdexcept>
#include <string>

namespace morel {

enum class ErrorCode {
  kInvalidModel,        // the model file or spec is malformed or inconsistent
  kUnsupported,         // well-formed, but uses something morel does not run
  kInvalidInput,        // a prediction input is missing or of the wrong name, type or shape
  kMissingCustomLayer,  // no class is registered under a custom layer's className
  kCustomLayerFailed,   // user code (a custom layer or model) reported an error
  kPlugin,              // a plugin library could not be loaded or is incompatible
  kIo,                  // a file could not be read or written
  kInvalidArgument,     // an API argument is out of its domain
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace morel
