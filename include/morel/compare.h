// Model comparison: run a reference and a test model (say, a model and its
// quantized copy) on the same inputs and measure how far the test model's
// outputs are from the reference's.
//
// Array outputs (and numbers, and classifier probabilities) get, over every
// element of every sample:
//   SNR  = 10 log10( sum ref^2 / sum (ref - test)^2 )   dB
//   PSNR = 20 log10( max |ref| / RMSE ),  RMSE = sqrt(mean (ref - test)^2)   dB
//   max and mean absolute error.
// Both are +infinity when the outputs are identical. Classifier outputs get
// top-1 agreement (the predicted label, or the most probable class, is the
// same) and top-k overlap (|top-k(ref) ∩ top-k(test)| / k, averaged).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "morel/features.h"
#include "morel/model.h"

namespace morel {

struct ArrayMetrics {
  int64_t count = 0;  // elements compared
  double snr_db = 0;
  double psnr_db = 0;
  double max_abs_error = 0;
  double mean_abs_error = 0;
  bool identical() const { return count > 0 && max_abs_error == 0; }
};

// Sums the metrics over many samples. add() throws Error(kInvalidArgument)
// when the two sides differ in length. The same NaN or infinity on both
// sides agrees; a non-finite value on one side only makes the error infinite.
class ArrayMetricsAccumulator {
 public:
  void add(std::span<const float> reference, std::span<const float> test);
  ArrayMetrics result() const;

 private:
  double signal_ = 0;  // sum ref^2
  double noise_ = 0;   // sum (ref - test)^2
  double abs_sum_ = 0;
  double max_abs_ = 0;
  double peak_ = 0;  // max |ref|
  int64_t count_ = 0;
};

// The metrics of one pair of arrays.
ArrayMetrics array_metrics(std::span<const float> reference, std::span<const float> test);
double snr_db(std::span<const float> reference, std::span<const float> test);
double psnr_db(std::span<const float> reference, std::span<const float> test);

struct ClassMetrics {
  int64_t samples = 0;
  double top1_agreement = 0;  // fraction 0..1
  int k = 0;                  // top-k size used: min(top_k, number of classes); 0 for labels
  double topk_overlap = 0;    // fraction 0..1 (probabilities only)
};

// The k most probable classes, most probable first (ties: smaller key first).
std::vector<std::string> top_k_classes(const StringDictionary& probabilities, int k);
std::vector<int64_t> top_k_classes(const Int64Dictionary& probabilities, int k);
// |top-k(a) ∩ top-k(b)| / k, with k = min(k, classes).
double top_k_overlap(const StringDictionary& a, const StringDictionary& b, int k);
double top_k_overlap(const Int64Dictionary& a, const Int64Dictionary& b, int k);

class ClassMetricsAccumulator {
 public:
  explicit ClassMetricsAccumulator(int top_k = 5) : top_k_(top_k) {}
  // A predicted label (string or int64).
  void add_label(bool agree);
  // A probability dictionary; throws Error(kInvalidArgument) when the two
  // have different classes.
  void add(const StringDictionary& reference, const StringDictionary& test);
  void add(const Int64Dictionary& reference, const Int64Dictionary& test);
  ClassMetrics result() const;

 private:
  template <class Dict>
  void add_dict(const Dict& reference, const Dict& test);
  int top_k_;
  int k_used_ = 0;
  int64_t samples_ = 0, agree_ = 0;
  double overlap_sum_ = 0;
};

struct OutputComparison {
  std::string name;
  std::string kind;                     // "array", "number", "label", "probabilities"
  std::optional<ArrayMetrics> values;   // arrays, numbers, probabilities
  std::optional<ClassMetrics> classes;  // labels, probabilities
};

struct CompareReport {
  int64_t samples = 0;
  std::vector<OutputComparison> outputs;
};

struct CompareOptions {
  // Outputs to compare; empty: every output both models have.
  std::vector<std::string> outputs;
  int top_k = 5;
  // Optional names of the samples (file names), for error messages.
  std::vector<std::string> sample_names;
  // Optional: samples done and in all, after each sample.
  std::function<void(int64_t done, int64_t total)> progress;
};

// Samples produced one at a time (read from files as they are needed), so a
// big data set need not fit in memory. `load` may throw; its error comes
// through unchanged.
struct SampleSource {
  int64_t count = 0;
  std::function<FeatureMap(int64_t index)> load;
  // Optional: the sample's name (its file), for messages.
  std::function<std::string(int64_t index)> name;
};

// Predict every sample with both models and compare the outputs. Throws
// Error(kInvalidArgument) when there are no samples or a requested output is
// not one of the reference model's, Error(kInvalidModel) when the models do
// not fit together (no common output, an output of different kinds or sizes);
// prediction errors come through as the runtime reports them, prefixed with
// the sample's name.
CompareReport compare_models(const Model& reference, const Model& test,
                             std::span<const FeatureMap> samples, const CompareOptions& options);
// The same over samples read one at a time (options.sample_names unused).
CompareReport compare_models(const Model& reference, const Model& test, const SampleSource& samples,
                             const CompareOptions& options);

}  // namespace morel
