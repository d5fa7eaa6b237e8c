#include "support/thrown_error.h"

#include <gtest/gtest.h>

namespace morel::test {

Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a morel::Error; none was thrown";
  return Error(ErrorCode::kInvalidArgument, "");
}

std::string message_of(const std::function<void()>& f, ErrorCode* code) {
  const Error e = error_of(f);
  if (code) *code = e.code();
  return e.what();
}

}  // namespace morel::test
