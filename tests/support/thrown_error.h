// The morel::Error a call throws, for tests that check an error's code and
// message. A call that throws nothing fails the calling test.
#pragma once

#include <functional>
#include <string>

#include "morel/error.h"

namespace morel::test {

// The error `f` throws; when it throws none, a test failure and an error with
// an empty message.
Error error_of(const std::function<void()>& f);

// Its message, and its code through `code` when given.
std::string message_of(const std::function<void()>& f, ErrorCode* code = nullptr);

}  // namespace morel::test
