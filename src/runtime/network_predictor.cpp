#include "runtime/network_predictor.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>

#include "graph/passes/passes.h"
#include "kernels/available.h"
#include "kernels/parallel.h"
#include "morel/error.h"

namespace morel::runtime {

namespace {

// Distinct input shapes whose plans stay cached; older ones are dropped
// (a model with shape ranges could otherwise grow without bound).
constexpr size_t kMaxCachedPlans = 32;
// Items stacked into one batched run at most.
constexpr size_t kMaxStack = 64;

DType dtype_of(spec::ArrayFeatureType::ArrayDataType t) {
  switch (t) {
    case spec::ArrayFeatureType::DOUBLE: return DType::kFloat64;
    case spec::ArrayFeatureType::INT32: return DType::kInt32;
    case spec::ArrayFeatureType::FLOAT16: return DType::kFloat16;
    default: return DType::kFloat32;
  }
}

bool is_flexible(const spec::FeatureType& t) {
  if (t.has_multiarraytype())
    return t.multiarraytype().has_enumeratedshapes() || t.multiarraytype().has_shaperange();
  if (t.has_imagetype())
    return t.imagetype().has_enumeratedsizes() || t.imagetype().has_imagesizerange();
  return false;
}

std::string shape_text(const std::vector<int64_t>& d) {
  return Shape(std::span<const int64_t>(d)).str();
}

}  // namespace

struct NetworkPredictor::PlanEntry {
  std::vector<Shape> shapes;
  Plan plan;
  std::mutex mutex;
  std::vector<std::unique_ptr<Execution>> idle;
};

// Borrows an Execution of a plan for one prediction and gives it back.
class NetworkPredictor::Lease {
 public:
  Lease(std::shared_ptr<PlanEntry> entry, const graph::Graph& graph) : entry_(std::move(entry)) {
    std::lock_guard lock(entry_->mutex);
    if (!entry_->idle.empty()) {
      exec_ = std::move(entry_->idle.back());
      entry_->idle.pop_back();
    }
    if (!exec_) exec_ = std::make_unique<Execution>(graph, entry_->plan);
  }
  ~Lease() {
    std::lock_guard lock(entry_->mutex);
    entry_->idle.push_back(std::move(exec_));
  }
  Execution& operator*() { return *exec_; }
  Execution* operator->() { return exec_.get(); }

 private:
  std::shared_ptr<PlanEntry> entry_;
  std::unique_ptr<Execution> exec_;
};

NetworkPredictor::NetworkPredictor(const Spec& spec, const ModelOptions& options) : spec_(spec) {
  NetworkView net = network_view(spec);
  const auto& desc = spec.description();
  const bool exact_arrays = net.array_mapping == spec::EXACT_ARRAY_MAPPING;
  const bool rank4_images = net.image_mapping == spec::RANK4_IMAGE_MAPPING;
  graph::LowerContext ctx;
  ctx.rank5 = !exact_arrays && !rank4_images;
  ctx.spec_version = spec.specificationversion();
  ctx.borrow_weights = true;  // the spec outlives the predictor (see the header)

  std::vector<std::string> input_names;
  for (const auto& f : desc.input()) {
    inputs_.emplace_back(f, net, !exact_arrays, !rank4_images);
    input_names.push_back(f.name());
    flexible_inputs_ = flexible_inputs_ || is_flexible(f.type());
  }

  classifier_ = net.classifier != nullptr;
  std::vector<std::string> output_names;
  std::string probs_blob;
  if (classifier_) {
    const auto& c = *net.classifier;
    label_feature_ = desc.predictedfeaturename();
    probs_feature_ = desc.predictedprobabilitiesname();
    if (c.has_stringclasslabels())
      string_labels_.assign(c.stringclasslabels().vector().begin(),
                            c.stringclasslabels().vector().end());
    else if (c.has_int64classlabels())
      int_labels_.assign(c.int64classlabels().vector().begin(),
                         c.int64classlabels().vector().end());
    else
      throw Error(ErrorCode::kInvalidModel, "classifier has no class labels");
    if (label_feature_.empty())
      throw Error(ErrorCode::kInvalidModel, "classifier does not name its predictedFeatureName");
    // The probabilities come from labelProbabilityLayerName, or else from a
    // blob named like the probabilities feature, or else the last layer.
    std::set<std::string> blobs;
    for (const auto& layer : *net.layers)
      for (const auto& o : layer.output()) blobs.insert(o);
    if (!c.labelprobabilitylayername().empty())
      probs_blob = c.labelprobabilitylayername();
    else if (blobs.count(probs_feature_))
      probs_blob = probs_feature_;
    else if (!net.layers->empty() && net.layers->rbegin()->output_size() > 0)
      probs_blob = net.layers->rbegin()->output(0);
    if (probs_blob.empty()) throw Error(ErrorCode::kInvalidModel, "classifier has no layers");
    output_names.push_back(probs_blob);
  }
  for (const auto& f : desc.output()) {
    if (classifier_ && (f.name() == label_feature_ || f.name() == probs_feature_)) continue;
    if (!f.type().has_multiarraytype())
      throw Error(ErrorCode::kUnsupported, "output '" + f.name() + "' is " +
                                               describe_feature_type(f.type()) +
                                               "; a network's outputs are multi-arrays");
    output_names.push_back(f.name());
    OutputBinding b;
    b.feature = f.name();
    b.dtype = dtype_of(f.type().multiarraytype().datatype());
    b.declared.assign(f.type().multiarraytype().shape().begin(),
                      f.type().multiarraytype().shape().end());
    outputs_.push_back(b);
  }

  graph_ = graph::lower_network(net, input_names, output_names, ctx);
  if (!options.reference_kernels) {
    graph::PassOptions passes;
    // Without kernels that run faster on channels-last data, reorders only cost.
    passes.channels_last = kernels::cpu_kernels_available();
    graph::optimize(graph_, passes);
  }
  size_t first = classifier_ ? 1 : 0;
  if (classifier_) probs_value_ = graph_.outputs[0];
  for (size_t i = 0; i < outputs_.size(); ++i) outputs_[i].value = graph_.outputs[first + i];

  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  run_context_.threads = threads;
  run_context_.reference = options.reference_kernels;
}

NetworkPredictor::~NetworkPredictor() = default;

std::vector<Shape> NetworkPredictor::checked_shapes(const FeatureMap& inputs) const {
  for (const auto& entry : inputs) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& name = entry.first;
    bool known = std::any_of(inputs_.begin(), inputs_.end(),
                             [&](const InputBinding& b) { return b.name() == name; });
    if (!known) {
      std::string list;
      for (const auto& f : spec_.description().input())
        list +=
            (list.empty() ? "" : ", ") + f.name() + " (" + describe_feature_type(f.type()) + ")";
      throw Error(ErrorCode::kInvalidInput,
                  "input '" + name + "' is not an input of the model; its inputs are: " + list);
    }
  }
  std::vector<Shape> shapes;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    auto it = inputs.find(inputs_[i].name());
    if (it == inputs.end())
      throw Error(ErrorCode::kInvalidInput,
                  "missing input '" + inputs_[i].name() + "' (" +
                      describe_feature_type(spec_.description().input(static_cast<int>(i)).type()) +
                      ")");
    shapes.push_back(inputs_[i].tensor_shape(it->second));
  }
  return shapes;
}

std::shared_ptr<NetworkPredictor::PlanEntry> NetworkPredictor::plan_for(
    const std::vector<Shape>& shapes) const {
  {
    std::lock_guard lock(plans_mutex_);
    for (size_t i = 0; i < plans_.size(); ++i) {
      if (plans_[i]->shapes == shapes) {
        std::shared_ptr<PlanEntry> e = plans_[i];
        plans_.erase(plans_.begin() + static_cast<long>(i));
        plans_.push_back(e);
        return e;
      }
    }
  }
  // Plan outside the lock; a racing thread may plan the same shapes, and the
  // first to finish is kept.
  auto entry = std::make_shared<PlanEntry>();
  entry->shapes = shapes;
  PlanOptions options;
  options.prepare_kernels = !run_context_.reference;
  options.threads = run_context_.threads;
  use_threads();  // kernels are made for the thread count they will run on
  entry->plan = make_plan(graph_, shapes, options);
  if (!flexible_inputs_) {
    for (const OutputBinding& o : outputs_) {
      if (o.declared.empty()) continue;
      const Shape& s = entry->plan.shapes[o.value];
      // Rank-5 networks declare [C] (with H = W = 1) or [C, H, W].
      std::vector<int64_t> got = s.to_vector();
      if (graph_.rank5 && s.rank() == 5) {
        if (o.declared.size() == 3) got = {s[2], s[3], s[4]};
        if (o.declared.size() == 1 && s[3] == 1 && s[4] == 1) got = {s[2]};
      }
      if (got != o.declared)
        throw Error(ErrorCode::kInvalidModel,
                    "output '" + o.feature + "': the network computes shape " + s.str() +
                        " but the model declares " + shape_text(o.declared));
    }
  }
  std::lock_guard lock(plans_mutex_);
  for (const auto& e : plans_)
    if (e->shapes == shapes) return e;
  if (plans_.size() >= kMaxCachedPlans) plans_.erase(plans_.begin());
  plans_.push_back(entry);
  return entry;
}

FeatureMap NetworkPredictor::collect(Execution& exec, int64_t item, int64_t items) const {
  FeatureMap out;
  // Item `item` of a tensor stacked along axis 1: for each index of axis 0,
  // a contiguous run of dim1/items rows.
  auto extract = [&](int value, Shape& shape) {
    Shape full = exec.shape(value);
    const float* data = exec.value(value);
    if (items == 1 || full.rank() < 2) {
      shape = full;
      return std::vector<float>(data, data + full.count());
    }
    shape = full;
    shape[1] = full[1] / items;
    int64_t run = shape.count(1, shape.rank());
    std::vector<float> v(static_cast<size_t>(shape.count()));
    for (int64_t s = 0; s < full[0]; ++s)
      std::memcpy(v.data() + s * run, data + (s * items + item) * run,
                  static_cast<size_t>(run) * 4);
    return v;
  };

  for (const OutputBinding& o : outputs_) {
    Shape s;
    std::vector<float> v = extract(o.value, s);
    std::vector<int64_t> dims = s.to_vector();
    // Rank-5 results are given back as [C, H, W] (or [C] when so declared)
    // when Seq and Batch are 1, as Core ML presents them.
    if (graph_.rank5 && dims.size() == 5 && dims[0] == 1 && dims[1] == 1) {
      if (o.declared.size() == 1 && dims[3] == 1 && dims[4] == 1)
        dims = {dims[2]};
      else
        dims = {dims[2], dims[3], dims[4]};
    }
    MultiArray a(o.dtype, dims);
    if (o.dtype == DType::kFloat32)
      std::copy(v.begin(), v.end(), a.data<float>());
    else
      for (size_t i = 0; i < v.size(); ++i) a.set_float(static_cast<int64_t>(i), v[i]);
    out.emplace(o.feature, std::move(a));
  }

  if (classifier_) {
    Shape s;
    std::vector<float> p = extract(probs_value_, s);
    size_t n = string_labels_.empty() ? int_labels_.size() : string_labels_.size();
    if (p.size() != n)
      throw Error(ErrorCode::kInvalidModel,
                  "classifier probabilities '" + graph_.values[probs_value_] + "' have " +
                      std::to_string(p.size()) + " values (shape " + s.str() + ") for " +
                      std::to_string(n) + " class labels");
    size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    if (!string_labels_.empty()) {
      out.emplace(label_feature_, string_labels_[best]);
      if (!probs_feature_.empty()) {
        StringDictionary d;
        for (size_t i = 0; i < n; ++i) d[string_labels_[i]] = p[i];
        out.emplace(probs_feature_, std::move(d));
      }
    } else {
      out.emplace(label_feature_, int_labels_[best]);
      if (!probs_feature_.empty()) {
        Int64Dictionary d;
        for (size_t i = 0; i < n; ++i) d[int_labels_[i]] = p[i];
        out.emplace(probs_feature_, std::move(d));
      }
    }
  }
  return out;
}

void NetworkPredictor::use_threads() const {
  // oneDNN (and any OpenMP code without num_threads) uses the calling
  // thread's default team size.
  kernels::set_default_threads(run_context_.threads);
}

void NetworkPredictor::prepare(const FeatureMap& inputs) const {
  plan_for(checked_shapes(inputs));
}

FeatureMap NetworkPredictor::predict(const FeatureMap& inputs) const {
  return run_one(inputs, nullptr);
}

FeatureMap NetworkPredictor::predict_profiled(const FeatureMap& inputs,
                                              std::vector<LayerTiming>& timings) const {
  return run_one(inputs, &timings);
}

FeatureMap NetworkPredictor::run_one(const FeatureMap& inputs,
                                     std::vector<LayerTiming>* timings) const {
  std::vector<Shape> shapes = checked_shapes(inputs);
  std::shared_ptr<PlanEntry> entry = plan_for(shapes);
  Lease exec(entry, graph_);
  for (size_t i = 0; i < inputs_.size(); ++i)
    inputs_[i].write(inputs.at(inputs_[i].name()), exec->value(graph_.inputs[i]));
  use_threads();
  if (!timings) {
    exec->run(run_context_);
    return collect(*exec, 0, 1);
  }
  std::vector<double> seconds(graph_.nodes.size(), 0.0);
  exec->run(run_context_, seconds.data());
  for (size_t i = 0; i < graph_.nodes.size(); ++i)
    timings->push_back({graph_.nodes[i].name, graph_.nodes[i].fused_kind(), seconds[i]});
  return collect(*exec, 0, 1);
}

std::vector<FeatureMap> NetworkPredictor::predict_stacked(std::span<const FeatureMap> items,
                                                          const std::vector<Shape>& shapes) const {
  const int64_t n = static_cast<int64_t>(items.size());
  std::vector<Shape> stacked = shapes;
  for (Shape& s : stacked) s[1] *= n;
  std::shared_ptr<PlanEntry> entry = plan_for(stacked);
  Lease exec(entry, graph_);
  std::vector<float> scratch;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Shape& s = shapes[i];
    const int64_t run = s.count(1, s.rank());
    float* dst = exec->value(graph_.inputs[i]);
    scratch.resize(static_cast<size_t>(s.count()));
    for (int64_t j = 0; j < n; ++j) {
      inputs_[i].write(items[j].at(inputs_[i].name()), scratch.data());
      for (int64_t q = 0; q < s[0]; ++q)
        std::memcpy(dst + (q * n + j) * run, scratch.data() + q * run,
                    static_cast<size_t>(run) * 4);
    }
  }
  use_threads();
  exec->run(run_context_);
  std::vector<FeatureMap> out;
  for (int64_t j = 0; j < n; ++j) out.push_back(collect(*exec, j, n));
  return out;
}

std::vector<FeatureMap> NetworkPredictor::predict_batch(std::span<const FeatureMap> inputs) const {
  std::vector<FeatureMap> out;
  out.reserve(inputs.size());
  // Stacking along the Batch axis is exact only in rank-5 networks whose
  // every layer keeps batch items apart; otherwise run the items one by one.
  const bool stackable = graph_.rank5 && graph_.batch_independent();
  size_t i = 0;
  while (i < inputs.size()) {
    std::vector<Shape> shapes = checked_shapes(inputs[i]);
    size_t j = i + 1;
    if (stackable) {
      while (j < inputs.size() && j - i < kMaxStack && checked_shapes(inputs[j]) == shapes) ++j;
    }
    if (j - i == 1) {
      out.push_back(predict(inputs[i]));
    } else {
      for (FeatureMap& f : predict_stacked(inputs.subspan(i, j - i), shapes))
        out.push_back(std::move(f));
    }
    i = j;
  }
  return out;
}

}  // namespace morel::runtime
