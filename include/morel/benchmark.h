// Benchmarking a model: load time, first prediction, steady-state latency,
// peak memory, and (optionally) where the time goes layer by layer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "morel/features.h"
#include "morel/model.h"
#include "morel/spec.h"

namespace morel {

struct BenchmarkOptions {
  int threads = 0;       // threads per prediction; 0 = every hardware thread
  int iterations = 30;   // timed predictions
  int warmup = 5;        // untimed predictions before them (after the first)
  bool profile = false;  // also time each layer (in `iterations` more predictions)
  // Called after each prediction with how many of all are done.
  std::function<void(int done, int total)> progress;
};

struct BenchmarkResult {
  std::string model;               // the path given
  int threads = 0;                 // the thread count used
  double load_ms = 0;              // reading, validating and optimizing the model
  double first_prediction_ms = 0;  // includes planning: kernels, weight layouts, memory
  double median_ms = 0, p90_ms = 0, min_ms = 0;
  int runs = 0, warmup = 0;
  int64_t peak_rss_bytes = 0;  // the process's peak resident memory so far
  // With profile: each layer's mean time per prediction, in execution order.
  std::vector<LayerTiming> layers;
};

// Loads `path` (an .mlmodel) and predicts on pseudo-random inputs. Throws
// Error for a model that does not load or inputs it cannot make.
BenchmarkResult benchmark_model(const std::filesystem::path& path,
                                const BenchmarkOptions& options = {});

// One value per input of `description`, at its default shape (the declared
// one; the first enumerated shape or the smallest of a range when flexible).
// Array elements are the pseudo-random sequence ONNX Runtime gets from the
// team's peer benchmark (../shared/bench/ort_bench.js), so both runtimes see
// the same input; image pixels come from the same sequence.
FeatureMap random_inputs(const spec::ModelDescription& description);

// Sorted-sample quantile as the peer benchmark takes it: element
// floor(q * n) of the sorted times (the upper median for even n).
double quantile(std::vector<double> values, double q);

}  // namespace morel
