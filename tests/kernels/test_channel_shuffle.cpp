// The channel-shuffle kernels against the general transpose (the oracle):
// a shuffle in g groups is [outer, g, k, S] -> [outer, k, g, S]. Random
// shapes, both storage layouts, one thread and several; moving floats only,
// so results must be identical.
#include <gtest/gtest.h>

#include <random>

#include "kernels/reference/layout.h"
#include "kernels/reference/transpose.h"

namespace morel::test {
namespace {

namespace ref = kernels::reference;

TEST(ChannelShuffleKernels, MatchTheGeneralTranspose) {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 40; ++round) {
    const int64_t outer = pick(1, 3), groups = pick(1, 4), k = pick(1, 9), spatial = pick(1, 40);
    const int64_t channels = groups * k, count = outer * channels * spatial;
    std::vector<float> x(static_cast<size_t>(count));
    for (float& v : x) v = std::uniform_real_distribution<float>(-1, 1)(rng);
    std::vector<float> expected(x.size());
    const int perm[] = {0, 2, 1, 3};
    ref::transpose(x.data(), Shape{outer, groups, k, spatial}, perm, expected.data(), 1);
    for (int threads : {1, 3}) {
      SCOPED_TRACE("outer " + std::to_string(outer) + ", groups " + std::to_string(groups) +
                   ", k " + std::to_string(k) + ", spatial " + std::to_string(spatial) + ", " +
                   std::to_string(threads) + " thread(s)");
      std::vector<float> got(x.size(), 0.f);
      ref::channel_shuffle(x.data(), got.data(), outer, groups, channels, spatial, threads);
      EXPECT_EQ(got, expected);

      std::vector<float> x_cl(x.size()), got_cl(x.size()), expected_cl(x.size());
      ref::to_channels_last(x.data(), x_cl.data(), outer, channels, spatial, 1);
      ref::to_channels_last(expected.data(), expected_cl.data(), outer, channels, spatial, 1);
      ref::channel_shuffle_channels_last(x_cl.data(), got_cl.data(), outer, groups, channels,
                                         spatial, threads);
      EXPECT_EQ(got_cl, expected_cl);
    }
  }
}

}  // namespace
}  // namespace morel::test
