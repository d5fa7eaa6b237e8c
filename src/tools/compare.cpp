// Model comparison: the metrics, and running two models side by side.
#include "morel/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "morel/error.h"
#include "morel/shape.h"

namespace morel {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

[[noreturn]] void bad_argument(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// The two models do not fit together (outputs of different kinds or sizes,
// nothing in common): the comparison fails, though neither model is wrong.
[[noreturn]] void mismatch(const std::string& message) {
  throw Error(ErrorCode::kInvalidModel, message);
}

}  // namespace

// ---------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------

void ArrayMetricsAccumulator::add(std::span<const float> reference, std::span<const float> test) {
  if (reference.size() != test.size())
    bad_argument("cannot compare " + std::to_string(reference.size()) + " values with " +
                 std::to_string(test.size()));
  for (size_t i = 0; i < reference.size(); ++i) {
    const double r = reference[i], t = test[i];
    ++count_;
    if (!std::isfinite(r) || !std::isfinite(t)) {
      // The same NaN or infinity on both sides agrees; anything else is an
      // unbounded error.
      const bool same = (std::isnan(r) && std::isnan(t)) || r == t;
      if (!same) noise_ = max_abs_ = abs_sum_ = kInf;
      if (std::isfinite(r)) signal_ += r * r, peak_ = std::max(peak_, std::abs(r));
      continue;
    }
    const double d = r - t;
    signal_ += r * r;
    noise_ += d * d;
    abs_sum_ += std::abs(d);
    max_abs_ = std::max(max_abs_, std::abs(d));
    peak_ = std::max(peak_, std::abs(r));
  }
}

ArrayMetrics ArrayMetricsAccumulator::result() const {
  ArrayMetrics m;
  m.count = count_;
  m.max_abs_error = max_abs_;
  m.mean_abs_error = count_ ? abs_sum_ / static_cast<double>(count_) : 0;
  if (noise_ == 0) {
    m.snr_db = m.psnr_db = kInf;
  } else {
    m.snr_db = signal_ == 0 ? -kInf : 10 * std::log10(signal_ / noise_);
    const double rmse = std::sqrt(noise_ / static_cast<double>(count_));
    m.psnr_db = peak_ == 0 ? -kInf : 20 * std::log10(peak_ / rmse);
  }
  return m;
}

ArrayMetrics array_metrics(std::span<const float> reference, std::span<const float> test) {
  ArrayMetricsAccumulator acc;
  acc.add(reference, test);
  return acc.result();
}

double snr_db(std::span<const float> reference, std::span<const float> test) {
  return array_metrics(reference, test).snr_db;
}

double psnr_db(std::span<const float> reference, std::span<const float> test) {
  return array_metrics(reference, test).psnr_db;
}

// ---------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------

namespace {

template <class Dict>
std::vector<typename Dict::key_type> top_k_of(const Dict& probabilities, int k) {
  using Key = typename Dict::key_type;
  std::vector<std::pair<Key, double>> items(probabilities.begin(), probabilities.end());
  const size_t n = std::min(items.size(), static_cast<size_t>(std::max(k, 0)));
  // Most probable first; NaN counts as least probable; ties by key (the
  // map's order, kept by stable sorting).
  auto rank = [](double p) { return std::isnan(p) ? -kInf : p; };
  std::stable_sort(items.begin(), items.end(),
                   [&](const auto& a, const auto& b) { return rank(a.second) > rank(b.second); });
  std::vector<Key> out;
  for (size_t i = 0; i < n; ++i) out.push_back(items[i].first);
  return out;
}

template <class Dict>
double overlap_of(const Dict& a, const Dict& b, int k) {
  const auto ta = top_k_of(a, k), tb = top_k_of(b, k);
  if (ta.empty()) return 1;
  size_t common = 0;
  for (const auto& key : ta)
    if (std::find(tb.begin(), tb.end(), key) != tb.end()) ++common;
  return static_cast<double>(common) / static_cast<double>(ta.size());
}

}  // namespace

std::vector<std::string> top_k_classes(const StringDictionary& p, int k) {
  return top_k_of(p, k);
}
std::vector<int64_t> top_k_classes(const Int64Dictionary& p, int k) {
  return top_k_of(p, k);
}
double top_k_overlap(const StringDictionary& a, const StringDictionary& b, int k) {
  return overlap_of(a, b, k);
}
double top_k_overlap(const Int64Dictionary& a, const Int64Dictionary& b, int k) {
  return overlap_of(a, b, k);
}

void ClassMetricsAccumulator::add_label(bool agree) {
  ++samples_;
  if (agree) ++agree_;
}

template <class Dict>
void ClassMetricsAccumulator::add_dict(const Dict& reference, const Dict& test) {
  if (reference.size() != test.size() ||
      !std::equal(reference.begin(), reference.end(), test.begin(),
                  [](const auto& a, const auto& b) { return a.first == b.first; }))
    bad_argument("the two probability dictionaries have different classes (" +
                 std::to_string(reference.size()) + " and " + std::to_string(test.size()) +
                 " entries)");
  const int k = static_cast<int>(std::min<size_t>(reference.size(), std::max(top_k_, 1)));
  k_used_ = std::max(k_used_, k);
  const auto r1 = top_k_of(reference, 1), t1 = top_k_of(test, 1);
  add_label(r1 == t1);
  overlap_sum_ += overlap_of(reference, test, k);
}

void ClassMetricsAccumulator::add(const StringDictionary& reference, const StringDictionary& test) {
  add_dict(reference, test);
}
void ClassMetricsAccumulator::add(const Int64Dictionary& reference, const Int64Dictionary& test) {
  add_dict(reference, test);
}

ClassMetrics ClassMetricsAccumulator::result() const {
  ClassMetrics m;
  m.samples = samples_;
  m.k = k_used_;
  if (samples_ > 0) {
    m.top1_agreement = static_cast<double>(agree_) / static_cast<double>(samples_);
    m.topk_overlap = overlap_sum_ / static_cast<double>(samples_);
  }
  return m;
}

// ---------------------------------------------------------------------------
// Two models
// ---------------------------------------------------------------------------

namespace {

std::string kind_of(const FeatureValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, MultiArray>) return "array";
        if constexpr (std::is_same_v<T, Image>) return "image";
        if constexpr (std::is_same_v<T, double>) return "number";
        if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, std::string>) return "label";
        return "probabilities";
      },
      v);
}

std::vector<float> image_values(const Image& im) {
  return std::vector<float>(im.pixels.begin(), im.pixels.end());
}

std::string shape_text(const std::vector<int64_t>& dims) {
  return Shape(std::span<const int64_t>(dims)).str();
}

// Running metrics for one output.
struct OutputState {
  std::string name;
  std::string kind;
  ArrayMetricsAccumulator values;
  ClassMetricsAccumulator classes;
  bool has_values = false, has_classes = false;

  OutputState(std::string n, std::string k, int top_k)
      : name(std::move(n)), kind(std::move(k)), classes(top_k) {}

  void add(const FeatureValue& ref, const FeatureValue& test) {
    if (ref.index() != test.index())
      mismatch("output '" + name + "' is a " + std::string(feature_kind_name(ref)) +
               " in the reference model but a " + std::string(feature_kind_name(test)) +
               " in the test model");
    if (const auto* a = std::get_if<MultiArray>(&ref)) {
      const auto& b = std::get<MultiArray>(test);
      if (a->count() != b.count())
        mismatch("output '" + name + "' has shape " + shape_text(a->shape()) +
                 " in the reference model but " + shape_text(b.shape()) + " in the test model");
      values.add(a->to_floats(), b.to_floats());
      has_values = true;
    } else if (const auto* im = std::get_if<Image>(&ref)) {
      const auto& b = std::get<Image>(test);
      if (im->width != b.width || im->height != b.height || im->format != b.format)
        mismatch("output '" + name + "' images differ in size or pixel format");
      values.add(image_values(*im), image_values(b));
      has_values = true;
    } else if (const auto* d = std::get_if<double>(&ref)) {
      const float x = static_cast<float>(*d), y = static_cast<float>(std::get<double>(test));
      values.add(std::span<const float>(&x, 1), std::span<const float>(&y, 1));
      has_values = true;
    } else if (const auto* s = std::get_if<std::string>(&ref)) {
      classes.add_label(*s == std::get<std::string>(test));
      has_classes = true;
    } else if (const auto* i = std::get_if<int64_t>(&ref)) {
      classes.add_label(*i == std::get<int64_t>(test));
      has_classes = true;
    } else if (const auto* sd = std::get_if<StringDictionary>(&ref)) {
      add_probabilities(*sd, std::get<StringDictionary>(test));
    } else {
      add_probabilities(std::get<Int64Dictionary>(ref), std::get<Int64Dictionary>(test));
    }
  }

  template <class Dict>
  void add_probabilities(const Dict& ref, const Dict& test) {
    try {
      classes.add(ref, test);
    } catch (const Error& e) {
      mismatch("output '" + name + "': " + e.what());
    }
    std::vector<float> a, b;
    for (const auto& [key, p] : ref) a.push_back(static_cast<float>(p));
    for (const auto& [key, p] : test) b.push_back(static_cast<float>(p));
    values.add(a, b);
    has_values = has_classes = true;
  }
};

std::string names_of(const FeatureMap& m) {
  std::string out;
  for (const auto& [name, value] : m) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

}  // namespace

CompareReport compare_models(const Model& reference, const Model& test,
                             std::span<const FeatureMap> samples, const CompareOptions& options) {
  SampleSource source;
  source.count = static_cast<int64_t>(samples.size());
  source.load = [samples](int64_t i) { return samples[static_cast<size_t>(i)]; };
  if (!options.sample_names.empty())
    source.name = [&options](int64_t i) {
      return static_cast<size_t>(i) < options.sample_names.size()
                 ? options.sample_names[static_cast<size_t>(i)]
                 : std::to_string(i);
    };
  return compare_models(reference, test, source, options);
}

CompareReport compare_models(const Model& reference, const Model& test, const SampleSource& samples,
                             const CompareOptions& options) {
  if (samples.count <= 0) bad_argument("no samples to compare the models on");
  if (!samples.load) bad_argument("the sample source has no load function");
  if (options.top_k < 1)
    bad_argument("top_k must be at least 1, not " + std::to_string(options.top_k));
  std::vector<OutputState> outputs;
  const int64_t total = samples.count;
  for (int64_t s = 0; s < total; ++s) {
    const std::string sample = samples.name ? "'" + samples.name(s) + "'" : std::to_string(s);
    const FeatureMap inputs = samples.load(s);
    auto run = [&](const Model& model, const char* which) {
      try {
        return model.predict(inputs);
      } catch (const Error& e) {
        throw Error(e.code(),
                    std::string("sample ") + sample + ", " + which + " model: " + e.what());
      }
    };
    const FeatureMap ra = run(reference, "reference");
    const FeatureMap rb = run(test, "test");
    if (s == 0) {
      std::vector<std::string> names = options.outputs;
      if (names.empty()) {
        for (const auto& [name, value] : ra)
          if (rb.count(name)) names.push_back(name);
        if (names.empty())
          mismatch("the models have no output in common: the reference model's are " +
                   names_of(ra) + "; the test model's are " + names_of(rb));
      }
      for (const std::string& name : names) {
        if (!ra.count(name))
          bad_argument("output '" + name +
                       "' is not an output of the reference model; its outputs are " +
                       names_of(ra));
        if (!rb.count(name))
          mismatch("output '" + name + "' is not an output of the test model; its outputs are " +
                   names_of(rb));
        outputs.emplace_back(name, kind_of(ra.at(name)), options.top_k);
      }
    }
    for (OutputState& o : outputs) {
      auto a = ra.find(o.name), b = rb.find(o.name);
      if (a == ra.end() || b == rb.end())
        mismatch("sample " + sample + ": output '" + o.name + "' is missing");
      o.add(a->second, b->second);
    }
    if (options.progress) options.progress(s + 1, total);
  }

  CompareReport report;
  report.samples = total;
  for (const OutputState& o : outputs) {
    OutputComparison c;
    c.name = o.name;
    c.kind = o.kind;
    if (o.has_values) c.values = o.values.result();
    if (o.has_classes) c.classes = o.classes.result();
    report.outputs.push_back(std::move(c));
  }
  return report;
}

}  // namespace morel
