#include "support/compare.h"

#include <cmath>

namespace morel::test {

::testing::AssertionResult all_close(std::span<const float> actual, std::span<const float> expected,
                                     Tolerance tol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected size " << expected.size();
  double max_expected = 0;
  // Only finite values set the scale: an infinite expected value must be
  // matched exactly, not widen the tolerance for every other element.
  for (float e : expected)
    if (std::isfinite(e)) max_expected = std::max(max_expected, std::fabs(double(e)));
  double limit = tol.abs + tol.rel * max_expected;
  double worst = 0;
  size_t worst_at = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    double d = std::fabs(double(actual[i]) - double(expected[i]));
    if (std::isnan(actual[i]) != std::isnan(expected[i])) d = INFINITY;
    if (std::isnan(actual[i]) && std::isnan(expected[i])) d = 0;
    if (std::isinf(expected[i]) && actual[i] == expected[i]) d = 0;
    if (d > worst || (std::isnan(d))) worst = d, worst_at = i;
  }
  if (worst <= limit) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "max |actual - expected| = " << worst << " at element " << worst_at << " (actual "
         << actual[worst_at] << ", expected " << expected[worst_at] << ") exceeds " << limit
         << " = " << tol.abs << " + " << tol.rel << " * " << max_expected;
}

}  // namespace morel::test
