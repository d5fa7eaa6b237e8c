// 1-D k-means: globally optimal on small inputs (checked against brute
// force), within 0.1% of the optimum on large ones, labels that point at the
// nearest center, determinism, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "morel/error.h"
#include "tools/kmeans_1d.h"

namespace morel::test {
namespace {

using tools::KMeans1DOptions;
using tools::kmeans_1d;

double sse_of(const std::vector<float>& v, const tools::KMeans1D& km) {
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double d = v[i] - km.centers.at(km.labels.at(i));
    s += d * d;
  }
  return s;
}

// The least squared error over every split of the sorted values into k
// contiguous groups (exponential; small n only).
double brute_force(std::vector<float> v, int k) {
  std::sort(v.begin(), v.end());
  const int n = static_cast<int>(v.size());
  auto cost = [&](int a, int b) {  // [a, b)
    double mean = 0;
    for (int i = a; i < b; ++i) mean += v[i];
    mean /= (b - a);
    double s = 0;
    for (int i = a; i < b; ++i) s += (v[i] - mean) * (v[i] - mean);
    return s;
  };
  std::function<double(int, int)> best = [&](int start, int groups) -> double {
    if (groups == 1) return cost(start, n);
    double b = std::numeric_limits<double>::infinity();
    for (int end = start + 1; end <= n - groups + 1; ++end)
      b = std::min(b, cost(start, end) + best(end, groups - 1));
    return b;
  };
  return best(0, std::min(k, n));
}

std::vector<float> normal_values(size_t n, uint32_t seed, float stddev = 0.05f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, stddev);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

void expect_nearest(const std::vector<float>& v, const tools::KMeans1D& km) {
  ASSERT_EQ(km.labels.size(), v.size());
  ASSERT_TRUE(std::is_sorted(km.centers.begin(), km.centers.end()));
  for (size_t i = 0; i < v.size(); ++i) {
    const double own = std::abs(v[i] - km.centers[km.labels[i]]);
    for (double c : km.centers) ASSERT_LE(own, std::abs(v[i] - c) + 1e-12) << "value " << i;
  }
}

TEST(KMeans1D, MatchesBruteForceOnSmallInputs) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 3 + trial % 9;
    const int k = 1 + trial % 4;
    std::uniform_real_distribution<float> dist(-2.f, 2.f);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    if (trial % 5 == 0) v[1] = v[0];  // repeated values
    const auto km = kmeans_1d(v, k);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_TRUE(km.exact);
    expect_nearest(v, km);
    const double optimum = brute_force(v, k);
    EXPECT_NEAR(km.sse, optimum, 1e-6 * (1 + optimum));
    EXPECT_NEAR(sse_of(v, km), km.sse, 1e-9 * (1 + km.sse));
  }
}

TEST(KMeans1D, FewDistinctValuesAreExact) {
  std::vector<float> v;
  for (int i = 0; i < 1000; ++i) v.push_back(static_cast<float>(i % 5) * 0.3f - 0.6f);
  const auto km = kmeans_1d(v, 16);
  EXPECT_EQ(km.centers.size(), 5u);
  EXPECT_EQ(km.sse, 0.0);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(static_cast<float>(km.centers[km.labels[i]]), v[i]);

  const auto one = kmeans_1d(std::vector<float>(70000, 1.25f), 256);  // above the exact limit
  ASSERT_EQ(one.centers.size(), 1u);
  EXPECT_EQ(one.centers[0], 1.25);
  EXPECT_EQ(one.sse, 0.0);
}

TEST(KMeans1D, NearOptimalOnLargeInputs) {
  // Default path (histogram, program on groups, Lloyd refinement) against
  // the exact program run on every distinct value.
  struct Case {
    size_t n;
    int k;
  };
  for (Case c : {Case{150000, 16}, Case{120000, 4}, Case{30000, 256}}) {
    SCOPED_TRACE("n " + std::to_string(c.n) + ", k " + std::to_string(c.k));
    std::vector<float> v = normal_values(c.n, static_cast<uint32_t>(c.n + c.k));
    // A heavy tail, as real weights have.
    for (size_t i = 0; i < v.size(); i += 997) v[i] *= 8;
    const auto fast = kmeans_1d(v, c.k);
    KMeans1DOptions exact_options;
    exact_options.exact_limit = std::numeric_limits<int64_t>::max();
    exact_options.max_points = std::numeric_limits<int64_t>::max();
    const auto exact = kmeans_1d(v, c.k, exact_options);
    EXPECT_TRUE(exact.exact);
    EXPECT_FALSE(fast.exact);
    EXPECT_EQ(static_cast<int>(exact.centers.size()), c.k);
    EXPECT_LE(fast.sse, exact.sse * 1.001) << "exact " << exact.sse << ", fast " << fast.sse;
    EXPECT_GE(fast.sse, exact.sse * (1 - 1e-6));  // the optimum really is optimal
    expect_nearest(v, fast);
    EXPECT_NEAR(sse_of(v, fast), fast.sse, 1e-9 * fast.sse);
  }
}

TEST(KMeans1D, Deterministic) {
  const std::vector<float> v = normal_values(200000, 3);
  const auto a = kmeans_1d(v, 256), b = kmeans_1d(v, 256);
  EXPECT_EQ(a.centers, b.centers);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.sse, b.sse);
}

TEST(KMeans1D, BeatsUniformLevels) {
  // k-means must do at least as well as evenly spaced levels over the range.
  const std::vector<float> v = normal_values(50000, 9);
  const auto km = kmeans_1d(v, 16);
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double step = (*hi - *lo) / 15.0;
  double uniform = 0;
  for (float x : v) {
    const double q = std::round((x - *lo) / step) * step + *lo;
    uniform += (x - q) * (x - q);
  }
  EXPECT_LT(km.sse, uniform * 0.7);
}

TEST(KMeans1D, EdgeCasesAndErrors) {
  const auto empty = kmeans_1d(std::vector<float>{}, 4);
  EXPECT_TRUE(empty.centers.empty());
  EXPECT_TRUE(empty.labels.empty());
  const auto single = kmeans_1d(std::vector<float>{-3.5f}, 1);
  EXPECT_EQ(single.centers, std::vector<double>{-3.5});

  EXPECT_THROW(kmeans_1d(std::vector<float>{1.f}, 0), Error);
  EXPECT_THROW(kmeans_1d(std::vector<float>{1.f}, 257), Error);
  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    try {
      kmeans_1d(std::vector<float>{0.f, 1.f, bad}, 2);
      FAIL() << "no error for " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("value 2"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace morel::test
