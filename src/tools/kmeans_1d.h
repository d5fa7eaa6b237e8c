// One-dimensional k-means: the lookup table of k-means weight quantization.
//
// Method. In one dimension an optimal clustering splits the sorted values
// into contiguous runs, so dynamic programming over sorted points finds the
// global optimum (the approach of Wang & Song's Ckmeans.1d.dp); the
// "divide and conquer" speed-up applies because the cluster cost satisfies
// the quadrangle inequality, giving O(k * P log P) for P points.
//
// Inputs up to `exact_limit` values are sorted and the program runs on their
// distinct values: globally optimal when there are at most `max_points` of
// them (otherwise grouped as below). Larger inputs are first
// summarized by a fine histogram (up to 2^18 bins, each a weighted point
// with its count, sum and sum of squares, so within-bin spread is still
// counted exactly). The program runs on those points, or on at most
// `max_points` groups of consecutive points when there are more, and Lloyd
// iterations on the points then move the boundaries off the group grid.
// That is near-optimal (within 0.1% of the exact optimum's squared error in
// the tests; 0.04% or better measured for k = 256) and reads the data twice.
//
// Deterministic: the same values give the same table and labels on every
// run and thread count (everything is sequential double arithmetic).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace morel::tools {

struct KMeans1DOptions {
  // Inputs of at most this many values are clustered exactly.
  int64_t exact_limit = int64_t(1) << 16;
  // Most points the dynamic program runs on; 0 picks a budget of about 2M
  // table cells (8192 points for k = 256, 65536 for k <= 32).
  int64_t max_points = 0;
  // Lloyd passes over the histogram after an approximate program.
  int max_refinements = 50;
};

struct KMeans1D {
  // Cluster centers, ascending, each rounded to float32 (the value a lookup
  // table stores). At most k; fewer when there are fewer distinct values.
  std::vector<double> centers;
  // For each input value, the index of its nearest center.
  std::vector<uint8_t> labels;
  // Sum of squared distances between the values and their centers.
  double sse = 0;
  // The centers are a globally optimal clustering (before float rounding).
  bool exact = false;
};

// Cluster `values` into at most k groups (1 <= k <= 256). Throws
// Error(kInvalidArgument) when k is out of range or a value is not finite.
KMeans1D kmeans_1d(std::span<const float> values, int k, const KMeans1DOptions& options = {});

}  // namespace morel::tools
