// Weight quantization: walk every neural network of a spec, decide per
// weight tensor, rewrite the chosen ones (in parallel), raise the version.
#include "tools/quantize.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "format/quote.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/spec_versions.h"
#include "tools/kmeans_1d.h"

namespace morel {

namespace {

[[noreturn]] void bad_argument(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

void check_finite(std::span<const float> w, std::string_view what) {
  for (size_t i = 0; i < w.size(); ++i)
    if (!std::isfinite(w[i]))
      bad_argument("weight " + std::to_string(i) + " is " +
                   (std::isnan(w[i]) ? "NaN" : "infinite") + "; " + std::string(what) +
                   " needs finite weights");
}

uint8_t clamp_level(double q, int bits) {
  const double top = static_cast<double>((1 << bits) - 1);
  return static_cast<uint8_t>(std::clamp(q, 0.0, top));
}

// A scale that survives as a usable float32 divisor.
bool usable_scale(double scale) {
  return static_cast<float>(scale) >= std::numeric_limits<float>::min();
}

}  // namespace

namespace tools {

LinearQuantized quantize_linear(std::span<const float> w, ChannelLayout layout, int bits,
                                bool symmetric) {
  if (bits < 1 || bits > 8)
    bad_argument("linear quantization takes 1 to 8 bits, not " + std::to_string(bits));
  if (symmetric && bits < 2)
    bad_argument("symmetric linear quantization needs at least 2 bits (1 bit has no zero level)");
  check_finite(w, "linear quantization");
  const int64_t n = static_cast<int64_t>(w.size());
  const int64_t channels = std::max<int64_t>(1, layout.channels);
  const int64_t inner = std::max<int64_t>(1, layout.inner);
  auto channel = [&](int64_t i) { return channels == 1 ? 0 : (i / inner) % channels; };

  std::vector<double> lo(channels, std::numeric_limits<double>::infinity());
  std::vector<double> hi(channels, -std::numeric_limits<double>::infinity());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = channel(i);
    lo[c] = std::min(lo[c], static_cast<double>(w[i]));
    hi[c] = std::max(hi[c], static_cast<double>(w[i]));
  }

  LinearQuantized out;
  out.scale.resize(channels);
  out.bias.resize(channels);
  std::vector<double> offset(channels), step(channels), inv(channels);
  for (int64_t c = 0; c < channels; ++c) {
    if (lo[c] > hi[c]) lo[c] = hi[c] = 0;  // a channel without values
    double scale, bias;
    if (symmetric) {
      const double r = std::max(std::abs(lo[c]), std::abs(hi[c]));
      scale = r / (static_cast<double>(1 << (bits - 1)) - 1);
      bias = -static_cast<double>(1 << (bits - 1)) * scale;
    } else {
      scale = (hi[c] - lo[c]) / static_cast<double>((1 << bits) - 1);
      bias = lo[c];
    }
    if (!usable_scale(scale)) {
      // All values equal (or a range below float precision): q = 0 and the
      // bias holds the value.
      // (Symmetric zeros keep coremltools' -0.0 bias: -2^(bits-1) * 0.)
      scale = 0;
      bias = !symmetric || (lo[c] == hi[c] && lo[c] != 0) ? lo[c] : -0.0;
    }
    out.scale[c] = static_cast<float>(scale);
    out.bias[c] = static_cast<float>(bias);
    offset[c] = bias;
    step[c] = scale;
    inv[c] = scale > 0 ? 1.0 / scale : 0;
  }
  out.values.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = channel(i);
    // Asymmetric as (w - min) * (1 / scale), symmetric as (w - bias) / scale:
    // the two expressions coremltools evaluates, for identical rounding.
    const double d = static_cast<double>(w[i]) - offset[c];
    const double q = symmetric ? (step[c] > 0 ? d / step[c] : 0) : d * inv[c];
    out.values[i] = clamp_level(std::nearbyint(q), bits);
  }
  return out;
}

LutQuantized quantize_linear_lut(std::span<const float> w, int bits) {
  LinearQuantized lin = quantize_linear(w, ChannelLayout{}, bits, false);
  // The table in double from the unrounded step, as coremltools builds it.
  double lo = 0, hi = 0;
  if (!w.empty()) {
    auto [mn, mx] = std::minmax_element(w.begin(), w.end());
    lo = *mn, hi = *mx;
  }
  const double step = lin.scale[0] == 0 ? 0 : (hi - lo) / static_cast<double>((1 << bits) - 1);
  LutQuantized out;
  out.values = std::move(lin.values);
  out.table.resize(size_t(1) << bits);
  for (size_t i = 0; i < out.table.size(); ++i)
    out.table[i] = static_cast<float>(static_cast<double>(i) * step + lo);
  return out;
}

LutQuantized quantize_kmeans(std::span<const float> w, int bits) {
  if (bits < 1 || bits > 8)
    bad_argument("k-means quantization takes 1 to 8 bits, not " + std::to_string(bits));
  KMeans1D km = kmeans_1d(w, 1 << bits);
  LutQuantized out;
  out.values = std::move(km.labels);
  out.table.assign(km.centers.begin(), km.centers.end());
  if (out.table.empty()) out.table.push_back(0.f);
  out.table.resize(size_t(1) << bits, out.table.back());
  return out;
}

LutQuantized check_custom_lut(LookupTable lut, int64_t count, int bits) {
  const size_t entries = size_t(1) << bits;
  if (lut.table.empty() || lut.table.size() > entries)
    bad_argument("the lookup-table function returned a table of " +
                 std::to_string(lut.table.size()) + " entries; " + std::to_string(bits) +
                 "-bit indices take 1 to " + std::to_string(entries));
  for (size_t i = 0; i < lut.table.size(); ++i)
    if (!std::isfinite(lut.table[i]))
      bad_argument("the lookup-table function returned a table whose entry " + std::to_string(i) +
                   " is not finite");
  if (static_cast<int64_t>(lut.indices.size()) != count)
    bad_argument("the lookup-table function returned " + std::to_string(lut.indices.size()) +
                 " indices for " + std::to_string(count) + " weights");
  for (size_t i = 0; i < lut.indices.size(); ++i)
    if (lut.indices[i] >= lut.table.size())
      bad_argument("the lookup-table function returned index " + std::to_string(lut.indices[i]) +
                   " (weight " + std::to_string(i) + ") into a table of " +
                   std::to_string(lut.table.size()) + " entries");
  LutQuantized out;
  out.values = std::move(lut.indices);
  out.table = std::move(lut.table);
  out.table.resize(entries, out.table.back());
  return out;
}

}  // namespace tools

// ---------------------------------------------------------------------------
// Modes
// ---------------------------------------------------------------------------

namespace {

struct ModeName {
  QuantizationMode mode;
  std::string_view name;
};
constexpr ModeName kModeNames[] = {
    {QuantizationMode::kLinear, "linear"},
    {QuantizationMode::kLinearSymmetric, "linear_symmetric"},
    {QuantizationMode::kKMeans, "kmeans"},
    {QuantizationMode::kLinearLut, "linear_lut"},
    {QuantizationMode::kCustomLut, "custom_lut"},
    {QuantizationMode::kFloat16, "fp16"},
    {QuantizationMode::kDequantize, "dequantize"},
};

}  // namespace

std::string_view quantization_mode_name(QuantizationMode mode) {
  for (const auto& m : kModeNames)
    if (m.mode == mode) return m.name;
  return "unknown";
}

std::optional<QuantizationMode> parse_quantization_mode(std::string_view name) {
  for (const auto& m : kModeNames)
    if (m.name == name) return m.mode;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Walking the model
// ---------------------------------------------------------------------------

namespace {

using spec::NeuralNetworkLayer;
using spec::WeightParams;
using LayerList = google::protobuf::RepeatedPtrField<NeuralNetworkLayer>;

// The layer kinds whose weights coremltools quantizes and Core ML loads in
// quantized form. Others (convolution3d, loadConstantND, layerNormalization,
// activation parameters) are left in float; custom layers get their
// weights as stored, so rewriting them would change what the class sees.
const std::set<std::string, std::less<>>& quantizable_kinds() {
  static const std::set<std::string, std::less<>> kinds = {
      "convolution",      "innerProduct",    "batchedMatmul", "embedding",
      "embeddingND",      "batchnorm",       "scale",         "bias",
      "loadConstant",     "simpleRecurrent", "gru",           "uniDirectionalLSTM",
      "biDirectionalLSTM"};
  return kinds;
}

// Kinds whose matrices get one scale and bias per output channel in linear
// modes (coremltools' choice); everything else uses one for the tensor.
bool per_channel_kind(std::string_view kind) {
  static const std::set<std::string, std::less<>> kinds = {
      "convolution",     "innerProduct", "batchedMatmul",      "embedding",        "embeddingND",
      "simpleRecurrent", "gru",          "uniDirectionalLSTM", "biDirectionalLSTM"};
  return kinds.count(kind) > 0;
}

bool is_quantized(WeightStorage s) {
  return s == WeightStorage::kLinearQuantized || s == WeightStorage::kLookupTable;
}
bool is_float32(WeightStorage s) {
  return s == WeightStorage::kFloat32 || s == WeightStorage::kRawFloat32;
}

// One weight tensor considered, and (when it is rewritten) its new value.
struct Job {
  WeightChange change;
  WeightParams* target = nullptr;
  int64_t count = 0;
  ChannelLayout layout;
  bool per_channel = false;
  size_t layer_index = 0;  // which layer (for the one-precision-per-layer rule)
  bool selected = false;
  WeightParams result;
};

class Planner {
 public:
  Planner(const QuantizeOptions& o, std::vector<Job>& jobs) : opt_(o), jobs_(jobs) {}

  void model(Spec& spec, const std::string& network, int depth) {
    if (depth > 64) return;  // validation rejects such nesting
    switch (spec.Type_case()) {
      case Spec::kNeuralNetwork:
      case Spec::kNeuralNetworkClassifier:
      case Spec::kNeuralNetworkRegressor:
        network_layers(*mutable_network_layers(spec), network, depth);
        break;
      case Spec::kPipeline: pipeline(*spec.mutable_pipeline(), network, depth); break;
      case Spec::kPipelineClassifier:
        pipeline(*spec.mutable_pipelineclassifier()->mutable_pipeline(), network, depth);
        break;
      case Spec::kPipelineRegressor:
        pipeline(*spec.mutable_pipelineregressor()->mutable_pipeline(), network, depth);
        break;
      default: break;
    }
  }

 private:
  void pipeline(spec::Pipeline& p, const std::string& network, int depth) {
    for (int i = 0; i < p.models_size(); ++i)
      model(*p.mutable_models(i), join(network, "pipeline model " + std::to_string(i)), depth + 1);
  }

  static std::string join(const std::string& a, const std::string& b) {
    return a.empty() ? b : a + " / " + b;
  }

  void network_layers(LayerList& list, const std::string& network, int depth) {
    for (NeuralNetworkLayer& layer : list) {
      const std::string where = join(network, "layer " + format_detail::quote_name(layer.name()));
      if (layer.has_branch()) {
        auto* b = layer.mutable_branch();
        if (b->has_ifbranch())
          network_layers(*b->mutable_ifbranch()->mutable_layers(), where + " ifBranch", depth + 1);
        if (b->has_elsebranch())
          network_layers(*b->mutable_elsebranch()->mutable_layers(), where + " elseBranch",
                         depth + 1);
      } else if (layer.has_loop()) {
        auto* l = layer.mutable_loop();
        if (l->has_conditionnetwork())
          network_layers(*l->mutable_conditionnetwork()->mutable_layers(),
                         where + " conditionNetwork", depth + 1);
        if (l->has_bodynetwork())
          network_layers(*l->mutable_bodynetwork()->mutable_layers(), where + " bodyNetwork",
                         depth + 1);
      } else {
        visit_layer(layer, network);
      }
    }
  }

  void visit_layer(NeuralNetworkLayer& layer, const std::string& network);

  const QuantizeOptions& opt_;
  std::vector<Job>& jobs_;
  size_t layer_count_ = 0;
};

void Planner::visit_layer(NeuralNetworkLayer& layer, const std::string& network) {
  const std::string kind = layer_kind_name(layer);
  const size_t index = layer_count_++;
  const QuantizationMode mode = opt_.mode;
  const bool dequantize = mode == QuantizationMode::kDequantize;
  const bool fp16 = mode == QuantizationMode::kFloat16;
  const bool skipped_kind = std::find(opt_.skip_layer_types.begin(), opt_.skip_layer_types.end(),
                                      kind) != opt_.skip_layer_types.end();
  for (MutableLayerWeightRef& ref : mutable_layer_weights(layer)) {
    const WeightInfo info = describe_weights(*ref.weights);
    if (info.storage == WeightStorage::kEmpty) continue;
    Job job;
    job.change.network = network;
    job.change.layer = layer.name();
    job.change.layer_kind = kind;
    job.change.field = ref.field;
    job.change.before = job.change.after = info;
    job.target = ref.weights;
    job.layout = ref.layout;
    job.per_channel = per_channel_kind(kind) && ref.shape.size() >= 2;
    job.layer_index = index;
    job.count = ref.expected_count >= 0 ? ref.expected_count : stored_weight_count(*ref.weights);
    job.change.count = job.count;

    std::string& why = job.change.reason;
    if (kind == "custom") {
      why = "custom layer: its class reads the weights as stored";
    } else if (!dequantize && !quantizable_kinds().count(kind)) {
      why = "layer kind not quantized (coremltools and Core ML keep it in float)";
    } else if (skipped_kind) {
      why = "layer type skipped";
    } else if (job.count < 0) {
      why = "element count not determined by the layer's parameters";
    } else if (job.count < opt_.min_weight_count) {
      why = "fewer than " + std::to_string(opt_.min_weight_count) + " weights";
    } else if (ref.int8_dynamic) {
      why = "int8 weights of a dynamically quantized layer";
    } else if (dequantize && is_float32(info.storage)) {
      why = "already float32";
    } else if (fp16 && info.storage == WeightStorage::kFloat16) {
      why = "already float16";
    } else if (!dequantize && is_quantized(info.storage)) {
      why = "already quantized (dequantize first)";
    } else if (opt_.selector) {
      WeightSite site{&layer, kind, ref.field, job.count};
      if (!opt_.selector(site)) why = "not selected";
    }
    job.selected = why.empty();
    jobs_.push_back(std::move(job));
  }
}

// Core ML wants one precision per layer: a float16 tensor beside a float32
// one is rejected. When fp16 (or dequantize) changes one tensor of a layer,
// its other float32 (or float16) tensors follow.
void keep_layer_precision(std::vector<Job>& jobs, QuantizationMode mode) {
  const bool fp16 = mode == QuantizationMode::kFloat16;
  if (!fp16 && mode != QuantizationMode::kDequantize) return;
  auto follows = [&](const Job& j) {
    const WeightStorage s = j.change.before.storage;
    return fp16 ? is_float32(s) : s == WeightStorage::kFloat16;
  };
  for (size_t i = 0; i < jobs.size();) {
    size_t end = i;
    bool any = false;
    while (end < jobs.size() && jobs[end].layer_index == jobs[i].layer_index) {
      any = any || jobs[end].selected;
      ++end;
    }
    for (size_t j = i; any && j < end; ++j) {
      Job& job = jobs[j];
      if (job.selected || !follows(job) || job.count < 0 ||
          job.change.reason.rfind("layer kind", 0) == 0 ||
          job.change.reason.rfind("custom", 0) == 0)
        continue;
      job.selected = true;
      job.change.reason.clear();
    }
    i = end;
  }
}

std::string site_name(const WeightChange& c) {
  return (c.network.empty() ? "" : c.network + " / ") + "layer " +
         format_detail::quote_name(c.layer) + " (" + c.layer_kind + ") field " + c.field;
}

// Rewrite one tensor into job.result.
void run_job(Job& job, const QuantizeOptions& opt) {
  const std::string what = site_name(job.change);
  const std::vector<float> w =
      decode_weights(*job.target, job.count, job.layout, what);  // kInvalidModel on bad data
  WeightParams& out = job.result;
  const int bits = opt.bits;
  try {
    switch (opt.mode) {
      case QuantizationMode::kDequantize: set_float_weights(out, w); break;
      case QuantizationMode::kFloat16:
        for (size_t i = 0; i < w.size(); ++i)
          if (std::isfinite(w[i]) && std::abs(w[i]) > 65504.f)
            throw Error(ErrorCode::kInvalidArgument, "weight " + std::to_string(i) + " (" +
                                                         std::to_string(w[i]) +
                                                         ") is beyond float16's range of +-65504");
        set_float16_weights(out, w);
        break;
      case QuantizationMode::kLinear:
      case QuantizationMode::kLinearSymmetric: {
        const bool symmetric = opt.mode == QuantizationMode::kLinearSymmetric;
        tools::LinearQuantized q = tools::quantize_linear(
            w, job.per_channel ? job.layout : ChannelLayout{}, bits, symmetric);
        set_linear_quantized_weights(out, bits, q.values, q.scale, q.bias);
        break;
      }
      case QuantizationMode::kLinearLut:
      case QuantizationMode::kKMeans:
      case QuantizationMode::kCustomLut: {
        tools::LutQuantized q;
        if (opt.mode == QuantizationMode::kLinearLut) {
          q = tools::quantize_linear_lut(w, bits);
        } else if (opt.mode == QuantizationMode::kKMeans) {
          q = tools::quantize_kmeans(w, bits);
        } else {
          check_finite(w, "custom lookup-table quantization");
          q = tools::check_custom_lut(opt.lut_function(w, bits), job.count, bits);
        }
        set_lut_quantized_weights(out, bits, q.values, q.table);
        break;
      }
    }
  } catch (const Error& e) {
    if (opt.mode == QuantizationMode::kCustomLut)
      throw Error(ErrorCode::kCustomLayerFailed, what + ": " + e.what());
    std::string way_out;
    if (e.code() == ErrorCode::kInvalidArgument)
      way_out = " (leave the layer out with --skip-layer-types " + job.change.layer_kind + ")";
    throw Error(ErrorCode::kInvalidModel, what + ": " + e.what() + way_out);
  } catch (const std::exception& e) {
    // Only user code (a lookup-table function) throws other exceptions.
    throw Error(ErrorCode::kCustomLayerFailed,
                what + ": the lookup-table function failed: " + e.what());
  }
  out.set_isupdatable(job.target->isupdatable());
  job.change.after = describe_weights(out);
  job.change.changed = true;
}

void check_options(const QuantizeOptions& o) {
  using M = QuantizationMode;
  const std::string mode(quantization_mode_name(o.mode));
  if (o.mode == M::kFloat16) {
    if (o.bits != 16)
      bad_argument("mode fp16 stores 16 bits per weight; bits must be 16, not " +
                   std::to_string(o.bits));
  } else if (o.mode != M::kDequantize) {
    if (o.bits == 16)
      bad_argument("16 bits means float16: use mode fp16 (mode " + mode + " takes 1 to 8 bits)");
    const int lowest = o.mode == M::kLinearSymmetric ? 2 : 1;
    if (o.bits < lowest || o.bits > 8)
      bad_argument("mode " + mode + " takes " + std::to_string(lowest) + " to 8 bits, not " +
                   std::to_string(o.bits));
  }
  if (o.mode == M::kCustomLut && !o.lut_function)
    bad_argument("mode custom_lut needs a lookup-table function (QuantizeOptions::lut_function)");
  if (o.min_weight_count < 0)
    bad_argument("min_weight_count must not be negative, found " +
                 std::to_string(o.min_weight_count));
  for (const std::string& kind : o.skip_layer_types) {
    if (quantizable_kinds().count(kind)) continue;
    std::string list;
    for (const std::string& k : quantizable_kinds()) list += (list.empty() ? "" : ", ") + k;
    bad_argument("cannot skip layer type '" + kind + "': it is not one the quantizer handles (" +
                 list + ")");
  }
}

// Raise each model's version (sub-models of pipelines first) to what it now needs.
void raise_versions(Spec& spec, int depth) {
  if (depth > 64) return;
  spec::Pipeline* p = nullptr;
  if (spec.has_pipeline()) p = spec.mutable_pipeline();
  if (spec.has_pipelineclassifier()) p = spec.mutable_pipelineclassifier()->mutable_pipeline();
  if (spec.has_pipelineregressor()) p = spec.mutable_pipelineregressor()->mutable_pipeline();
  if (p)
    for (Spec& m : *p->mutable_models()) raise_versions(m, depth + 1);
  const int need = minimum_spec_version(spec);
  if (need > spec.specificationversion()) spec.set_specificationversion(need);
}

}  // namespace

QuantizeReport quantize(Spec& spec, const QuantizeOptions& options) {
  check_options(options);
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork:
    case Spec::kNeuralNetworkClassifier:
    case Spec::kNeuralNetworkRegressor:
    case Spec::kPipeline:
    case Spec::kPipelineClassifier:
    case Spec::kPipelineRegressor: break;
    default:
      throw Error(ErrorCode::kUnsupported,
                  "the model is a " + model_type_name(spec) +
                      "; only neural networks (and pipelines holding them) have weights to "
                      "quantize");
  }

  QuantizeReport report;
  report.size_before_bytes = static_cast<int64_t>(spec.ByteSizeLong());
  report.spec_version_before = spec.specificationversion();

  std::vector<Job> jobs;
  Planner(options, jobs).model(spec, "", 0);
  keep_layer_precision(jobs, options.mode);

  // Quantize the selected tensors into new messages; the spec is touched
  // only when every one succeeded.
  std::vector<size_t> selected;
  int64_t total = 0;
  for (size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].selected) selected.push_back(i), total += jobs[i].count;
  std::vector<std::exception_ptr> errors(selected.size());
  std::mutex progress_mutex;
  int64_t done = 0;
  auto work = [&](size_t s) {
    Job& job = jobs[selected[s]];
    try {
      run_job(job, options);
    } catch (...) {
      errors[s] = std::current_exception();
    }
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      done += job.count;
      options.progress(done, total);
    }
  };
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(selected.size())));
  if (threads > 1) {
    // Largest tensors first, handed out one at a time.
    std::vector<size_t> order(selected.size());
    for (size_t s = 0; s < order.size(); ++s) order[s] = s;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return jobs[selected[a]].count > jobs[selected[b]].count;
    });
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (size_t s; (s = next.fetch_add(1)) < order.size();) work(order[s]);
      });
    for (std::thread& t : pool) t.join();
  } else {
    for (size_t s = 0; s < selected.size(); ++s) work(s);
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);

  for (Job& job : jobs) {
    if (job.change.changed) {
      job.target->Swap(&job.result);
      ++report.weights_changed;
    }
    report.weights.push_back(std::move(job.change));
  }
  raise_versions(spec, 0);
  report.size_after_bytes = static_cast<int64_t>(spec.ByteSizeLong());
  report.spec_version_after = spec.specificationversion();
  return report;
}

}  // namespace morel
