// Numeric comparison with the team's tolerance rule:
//   max|actual - expected| <= abs + rel * max|expected|
#pragma once

#include <gtest/gtest.h>

#include <span>

namespace morel::test {

struct Tolerance {
  double abs = 1e-5;
  double rel = 1e-4;
};

::testing::AssertionResult all_close(std::span<const float> actual, std::span<const float> expected,
                                     Tolerance tol = {});

}  // namespace morel::test
