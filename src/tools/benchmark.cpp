#include "morel/benchmark.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "morel/error.h"

namespace morel {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The generator of ort_bench.js: s = (s * 1103515245 + 12345) & 0x7fffffff
// evaluated as JavaScript does (double arithmetic, then a 32-bit integer
// conversion), value = s / 0x7fffffff - 0.5 rounded to float32.
class PeerSequence {
 public:
  float next() {
    const double product = static_cast<double>(state_) * 1103515245.0;
    const double sum = product + 12345.0;
    state_ = static_cast<int64_t>(sum) & 0x7fffffff;  // |sum| < 2^63: the cast is exact
    return static_cast<float>(static_cast<double>(state_) / 2147483647.0 - 0.5);
  }

 private:
  int64_t state_ = 12345;
};

std::vector<int64_t> default_shape(const spec::FeatureDescription& f) {
  const spec::ArrayFeatureType& a = f.type().multiarraytype();
  std::vector<int64_t> shape;
  if (a.has_enumeratedshapes() && a.enumeratedshapes().shapes_size() > 0) {
    const auto& s = a.enumeratedshapes().shapes(0).shape();
    shape.assign(s.begin(), s.end());
  } else if (a.has_shaperange()) {
    for (const auto& r : a.shaperange().sizeranges())
      shape.push_back(std::max<int64_t>(1, static_cast<int64_t>(r.lowerbound())));
  } else {
    shape.assign(a.shape().begin(), a.shape().end());
  }
  if (shape.empty())
    throw Error(ErrorCode::kInvalidInput, "input '" + f.name() +
                                              "' declares no shape; cannot make a random value "
                                              "for it");
  return shape;
}

PixelFormat pixel_format(spec::ImageFeatureType::ColorSpace c) {
  switch (c) {
    case spec::ImageFeatureType::GRAYSCALE: return PixelFormat::kGray8;
    case spec::ImageFeatureType::BGR: return PixelFormat::kBGR8;
    default: return PixelFormat::kRGB8;
  }
}

int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = static_cast<size_t>(std::floor(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, i)];
}

FeatureMap random_inputs(const spec::ModelDescription& description) {
  FeatureMap inputs;
  PeerSequence seq;
  for (const spec::FeatureDescription& f : description.input()) {
    const spec::FeatureType& t = f.type();
    if (t.has_multiarraytype()) {
      DType dtype = DType::kFloat32;
      if (t.multiarraytype().datatype() == spec::ArrayFeatureType::DOUBLE) dtype = DType::kFloat64;
      if (t.multiarraytype().datatype() == spec::ArrayFeatureType::INT32) dtype = DType::kInt32;
      if (t.multiarraytype().datatype() == spec::ArrayFeatureType::FLOAT16) dtype = DType::kFloat16;
      MultiArray a(dtype, default_shape(f));
      for (int64_t i = 0; i < a.count(); ++i) a.set_float(i, seq.next());
      inputs.emplace(f.name(), std::move(a));
    } else if (t.has_imagetype()) {
      const spec::ImageFeatureType& it = t.imagetype();
      int64_t w = static_cast<int64_t>(it.width()), h = static_cast<int64_t>(it.height());
      if (it.has_enumeratedsizes() && it.enumeratedsizes().sizes_size() > 0) {
        w = static_cast<int64_t>(it.enumeratedsizes().sizes(0).width());
        h = static_cast<int64_t>(it.enumeratedsizes().sizes(0).height());
      } else if (it.has_imagesizerange()) {
        w = std::max<int64_t>(1,
                              static_cast<int64_t>(it.imagesizerange().widthrange().lowerbound()));
        h = std::max<int64_t>(1,
                              static_cast<int64_t>(it.imagesizerange().heightrange().lowerbound()));
      }
      if (w <= 0 || h <= 0 || w > (1 << 16) || h > (1 << 16))
        throw Error(ErrorCode::kInvalidInput, "input '" + f.name() + "' declares an image of " +
                                                  std::to_string(w) + "x" + std::to_string(h) +
                                                  "; cannot make a random image for it");
      Image im(static_cast<int>(w), static_cast<int>(h), pixel_format(it.colorspace()));
      for (uint8_t& p : im.pixels) p = static_cast<uint8_t>((seq.next() + 0.5f) * 255.f);
      inputs.emplace(f.name(), std::move(im));
    } else if (t.has_int64type()) {
      inputs.emplace(f.name(), int64_t{0});
    } else if (t.has_doubletype()) {
      inputs.emplace(f.name(), double{seq.next()});
    } else if (t.has_stringtype()) {
      inputs.emplace(f.name(), std::string());
    } else {
      throw Error(ErrorCode::kInvalidInput,
                  "input '" + f.name() + "' is " + describe_feature_type(t) +
                      "; the benchmark makes values for arrays, images and numbers only");
    }
  }
  return inputs;
}

BenchmarkResult benchmark_model(const std::filesystem::path& path,
                                const BenchmarkOptions& options) {
  if (options.iterations < 1)
    throw Error(ErrorCode::kInvalidArgument, "iterations must be at least 1");
  if (options.warmup < 0) throw Error(ErrorCode::kInvalidArgument, "warm-up must be at least 0");
  BenchmarkResult r;
  r.model = path.string();
  r.threads = options.threads > 0
                  ? options.threads
                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  r.runs = options.iterations;
  r.warmup = options.warmup;

  ModelOptions mo;
  mo.threads = r.threads;
  Clock::time_point start = Clock::now();
  const Model model = Model::load(path, mo);
  r.load_ms = ms_since(start);

  const FeatureMap inputs = random_inputs(model.description());
  const int total = 1 + options.warmup + options.iterations * (options.profile ? 2 : 1);
  int done = 0;
  auto tick = [&] {
    if (options.progress) options.progress(++done, total);
  };

  start = Clock::now();
  model.predict(inputs);
  r.first_prediction_ms = ms_since(start);
  tick();
  for (int i = 0; i < options.warmup; ++i, tick()) model.predict(inputs);

  std::vector<double> times;
  for (int i = 0; i < options.iterations; ++i, tick()) {
    start = Clock::now();
    model.predict(inputs);
    times.push_back(ms_since(start));
  }
  r.median_ms = quantile(times, 0.5);
  r.p90_ms = quantile(times, 0.9);
  r.min_ms = *std::min_element(times.begin(), times.end());

  if (options.profile) {
    for (int i = 0; i < options.iterations; ++i, tick()) {
      std::vector<LayerTiming> t;
      model.profile(inputs, t);
      if (r.layers.empty())
        r.layers = t;
      else
        for (size_t k = 0; k < t.size() && k < r.layers.size(); ++k)
          r.layers[k].seconds += t[k].seconds;
    }
    for (LayerTiming& l : r.layers) l.seconds /= options.iterations;
  }
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

}  // namespace morel
