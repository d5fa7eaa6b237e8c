// Optimal / near-optimal 1-D k-means (see kmeans_1d.h for the method).
#include "tools/kmeans_1d.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "morel/error.h"

namespace morel::tools {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Fine histogram resolution for inputs above the exact limit: bins 2^18
// times narrower than the value range, thousands of times finer than the
// spacing of a 256-entry table.
constexpr int64_t kFineBins = int64_t(1) << 18;
// Dynamic-program table budget (cells of the argmin table) for max_points = 0.
constexpr int64_t kCellBudget = int64_t(1) << 21;

// Weighted points in ascending order. Each stands for `count` values whose
// sum and sum of squares (after subtracting the data's midpoint, which keeps
// the sums well conditioned) are kept, so a cluster's squared error is
// exact however many values a point merges.
struct Points {
  std::vector<double> count, sum, sumsq;
  int64_t size() const { return static_cast<int64_t>(count.size()); }
  void add(double c, double s, double q) {
    count.push_back(c);
    sum.push_back(s);
    sumsq.push_back(q);
  }
  double mean(int64_t i) const { return sum[i] / count[i]; }
};

// Squared error of a cluster of consecutive points [j, i), by prefix sums.
class ClusterCost {
 public:
  explicit ClusterCost(const Points& p) : w_(p.size() + 1), s_(p.size() + 1), q_(p.size() + 1) {
    for (int64_t i = 0; i < p.size(); ++i) {
      w_[i + 1] = w_[i] + p.count[i];
      s_[i + 1] = s_[i] + p.sum[i];
      q_[i + 1] = q_[i] + p.sumsq[i];
    }
  }
  double operator()(int64_t j, int64_t i) const {
    const double w = w_[i] - w_[j];
    if (w <= 0) return 0;
    const double s = s_[i] - s_[j];
    const double c = (q_[i] - q_[j]) - s * s / w;
    return c > 0 ? c : 0;  // rounding can leave a tiny negative
  }
  double mean(int64_t j, int64_t i) const { return (s_[i] - s_[j]) / (w_[i] - w_[j]); }

 private:
  std::vector<double> w_, s_, q_;
};

// The optimal split of the points into min(k, P) contiguous clusters, as the
// mean of each cluster (shifted values), ascending.
std::vector<double> optimal_centers(const Points& pts, int k) {
  const int64_t n = pts.size();
  const int64_t clusters = std::min<int64_t>(k, n);
  const ClusterCost cost(pts);
  const int64_t stride = n + 1;
  // best[i]: least error of the first i points in m clusters (m = current row).
  std::vector<double> prev(stride, kInf), cur(stride, kInf);
  std::vector<int32_t> start(static_cast<size_t>(clusters * stride), 0);
  for (int64_t i = 1; i <= n; ++i) prev[i] = cost(0, i);

  // Row m from row m - 1 for i in [lo, hi], knowing the best split point
  // lies in [opt_lo, opt_hi] (it never decreases as i grows).
  struct Solver {
    const ClusterCost& cost;
    const std::vector<double>& prev;
    std::vector<double>& cur;
    int32_t* arg;
    int64_t m;
    void run(int64_t lo, int64_t hi, int64_t opt_lo, int64_t opt_hi) {
      while (lo <= hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int64_t j_lo = std::max(opt_lo, m - 1), j_hi = std::min(mid - 1, opt_hi);
        double best = kInf;
        int64_t best_j = j_lo;
        for (int64_t j = j_lo; j <= j_hi; ++j) {
          const double v = prev[j] + cost(j, mid);
          if (v < best) best = v, best_j = j;
        }
        cur[mid] = best;
        arg[mid] = static_cast<int32_t>(best_j);
        // Recurse into the smaller half, loop on the other: depth stays log n.
        if (mid - lo < hi - mid) {
          run(lo, mid - 1, opt_lo, best_j);
          lo = mid + 1, opt_lo = best_j;
        } else {
          run(mid + 1, hi, best_j, opt_hi);
          hi = mid - 1, opt_hi = best_j;
        }
      }
    }
  };
  for (int64_t m = 2; m <= clusters; ++m) {
    std::fill(cur.begin(), cur.end(), kInf);
    // Each of the remaining clusters needs a point of its own.
    const int64_t hi = n - (clusters - m);
    Solver{cost, prev, cur, start.data() + (m - 1) * stride, m}.run(m, hi, m - 1, hi - 1);
    std::swap(prev, cur);
  }

  std::vector<double> centers(static_cast<size_t>(clusters));
  int64_t i = n;
  for (int64_t m = clusters; m >= 1; --m) {
    const int64_t j = m == 1 ? 0 : start[(m - 1) * stride + i];
    centers[m - 1] = cost.mean(j, i);
    i = j;
  }
  return centers;
}

// Lloyd iterations on the points: assign each to its nearest center (a merge,
// since both are sorted), move each center to its cluster's mean, until the
// error stops falling.
void refine(const Points& pts, std::vector<double>& centers, int iterations) {
  const size_t k = centers.size();
  std::vector<double> count(k), sum(k);
  double last = kInf;
  for (int it = 0; it < iterations; ++it) {
    std::fill(count.begin(), count.end(), 0.0);
    std::fill(sum.begin(), sum.end(), 0.0);
    double sse = 0;
    size_t c = 0;
    for (int64_t i = 0; i < pts.size(); ++i) {
      const double x = pts.mean(i);
      while (c + 1 < k && (centers[c] + centers[c + 1]) / 2 < x) ++c;
      count[c] += pts.count[i];
      sum[c] += pts.sum[i];
      sse += pts.sumsq[i] - 2 * centers[c] * pts.sum[i] + centers[c] * centers[c] * pts.count[i];
    }
    if (sse >= last * (1 - 1e-12)) break;
    last = sse;
    for (size_t j = 0; j < k; ++j)
      if (count[j] > 0) centers[j] = sum[j] / count[j];
    std::sort(centers.begin(), centers.end());
  }
}

// Nearest-center lookup for raw values: a grid over the value range gives a
// starting cluster, a short walk past the midpoints gives the answer.
class Assigner {
 public:
  Assigner(const std::vector<double>& centers, double lo, double hi) {
    for (size_t j = 0; j + 1 < centers.size(); ++j)
      bounds_.push_back((centers[j] + centers[j + 1]) / 2);
    lo_ = lo;
    if (hi > lo && bounds_.size() > 8) {
      const int64_t cells = 1 << 16;
      inv_ = cells / (hi - lo);
      first_.resize(cells);
      size_t l = 0;
      for (int64_t c = 0; c < cells; ++c) {
        const double edge = lo + (hi - lo) * static_cast<double>(c) / cells;
        while (l < bounds_.size() && bounds_[l] < edge) ++l;
        first_[c] = static_cast<uint32_t>(l);
      }
    }
  }
  // The number of midpoints below x: the index of x's nearest center.
  size_t operator()(double x) const {
    size_t l = 0;
    if (!first_.empty()) {
      const double cell = (x - lo_) * inv_;
      l = first_[static_cast<size_t>(
          std::clamp(cell, 0.0, static_cast<double>(first_.size() - 1)))];
      while (l > 0 && bounds_[l - 1] >= x) --l;
      while (l < bounds_.size() && bounds_[l] < x) ++l;
      return l;
    }
    return static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), x) -
                               bounds_.begin());
  }

 private:
  std::vector<double> bounds_;
  std::vector<uint32_t> first_;
  double lo_ = 0, inv_ = 0;
};

// Consecutive points merged into at most `limit` groups: a group closes once
// it holds 2/limit of the values or would span more than 2/limit of the value
// range, so dense regions and sparse tails (outliers) both keep resolution.
// (At most limit/2 groups close on each rule.)
Points coarsen(const Points& fine, int64_t limit) {
  const int64_t target = std::max<int64_t>(1, (limit - 1) / 2);
  double total = 0;
  for (double c : fine.count) total += c;
  const double count_step = total / static_cast<double>(target);
  const double width_step =
      (fine.mean(fine.size() - 1) - fine.mean(0)) / static_cast<double>(target);
  Points out;
  double c = 0, s = 0, q = 0, start = 0;
  for (int64_t i = 0; i < fine.size(); ++i) {
    const double x = fine.mean(i);
    if (c > 0 && x - start > width_step) {
      out.add(c, s, q);
      c = s = q = 0;
    }
    if (c == 0) start = x;
    c += fine.count[i], s += fine.sum[i], q += fine.sumsq[i];
    if (c >= count_step) {
      out.add(c, s, q);
      c = s = q = 0;
    }
  }
  if (c > 0) out.add(c, s, q);
  return out;
}

}  // namespace

KMeans1D kmeans_1d(std::span<const float> values, int k, const KMeans1DOptions& options) {
  if (k < 1 || k > 256)
    throw Error(ErrorCode::kInvalidArgument,
                "k-means needs 1 to 256 clusters, not " + std::to_string(k));
  KMeans1D out;
  const int64_t n = static_cast<int64_t>(values.size());
  if (n == 0) {
    out.exact = true;
    return out;
  }
  float lo_f = values[0], hi_f = values[0];
  for (int64_t i = 0; i < n; ++i) {
    const float v = values[i];
    if (!std::isfinite(v))
      throw Error(ErrorCode::kInvalidArgument, "value " + std::to_string(i) + " is " +
                                                   (std::isnan(v) ? "NaN" : "infinite") +
                                                   "; k-means needs finite values");
    lo_f = std::min(lo_f, v);
    hi_f = std::max(hi_f, v);
  }
  const double lo = lo_f, hi = hi_f;
  const double shift = lo + (hi - lo) / 2;
  const int64_t max_points = options.max_points > 0
                                 ? options.max_points
                                 : std::clamp<int64_t>(kCellBudget / k, 4 * int64_t(k), 1 << 16);

  // Summarize the values as weighted points.
  Points pts;
  bool exact_points = true;
  if (n <= options.exact_limit || lo == hi) {
    std::vector<float> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < n;) {
      int64_t j = i;
      while (j < n && sorted[j] == sorted[i]) ++j;
      const double x = static_cast<double>(sorted[i]) - shift;
      const double c = static_cast<double>(j - i);
      pts.add(c, c * x, c * x * x);
      i = j;
    }
  } else {
    const int64_t bins = std::min<int64_t>(kFineBins, n);
    const double inv = static_cast<double>(bins) / (hi - lo);
    std::vector<double> count(bins), sum(bins), sumsq(bins);
    std::vector<float> vmin(bins, std::numeric_limits<float>::infinity());
    std::vector<float> vmax(bins, -std::numeric_limits<float>::infinity());
    for (int64_t i = 0; i < n; ++i) {
      const float v = values[i];
      const int64_t b = std::min(bins - 1, static_cast<int64_t>((v - lo) * inv));
      const double x = static_cast<double>(v) - shift;
      count[b] += 1;
      sum[b] += x;
      sumsq[b] += x * x;
      vmin[b] = std::min(vmin[b], v);
      vmax[b] = std::max(vmax[b], v);
    }
    for (int64_t b = 0; b < bins; ++b) {
      if (count[b] == 0) continue;
      pts.add(count[b], sum[b], sumsq[b]);
      if (vmin[b] != vmax[b]) exact_points = false;
    }
  }

  // Cluster the points.
  std::vector<double> centers;
  if (pts.size() <= max_points) {
    centers = optimal_centers(pts, k);
    out.exact = exact_points;
  } else {
    centers = optimal_centers(coarsen(pts, max_points), k);
    refine(pts, centers, options.max_refinements);
  }

  // Store centers as float32 (what the table holds), then label each value
  // with its nearest stored center.
  for (double& c : centers) c = static_cast<double>(static_cast<float>(c + shift));
  std::sort(centers.begin(), centers.end());
  centers.erase(std::unique(centers.begin(), centers.end()), centers.end());
  const Assigner nearest(centers, lo, hi);
  out.labels.resize(static_cast<size_t>(n));
  double sse = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = values[i];
    const size_t l = nearest(v);
    out.labels[i] = static_cast<uint8_t>(l);
    sse += (v - centers[l]) * (v - centers[l]);
  }
  out.sse = sse;
  out.centers = std::move(centers);
  return out;
}

}  // namespace morel::tools
