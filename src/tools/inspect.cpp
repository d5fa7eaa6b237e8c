// inspect: walk a spec once and collect what a person (or a tool) wants to
// know about it. Rendering is in inspect_text.cpp and inspect_json.cpp.
#include "tools/inspect.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "graph/layer_registry.h"
#include "morel/layer_weights.h"
#include "morel/spec_versions.h"

namespace morel::tools {

namespace {

using spec::NeuralNetworkLayer;

// Pipelines and control flow nest; the parser already bounds the depth of a
// file, this keeps a hand-built spec from recursing without end.
constexpr int kMaxDepth = 64;

std::vector<int64_t> dims_of(const google::protobuf::RepeatedField<int64_t>& dims) {
  return {dims.begin(), dims.end()};
}

DimRange range_of(const spec::SizeRange& r) {
  const uint64_t lower = std::min<uint64_t>(r.lowerbound(), INT64_MAX);
  return DimRange{static_cast<int64_t>(lower), r.upperbound() < 0 ? -1 : r.upperbound()};
}

int64_t as_dim(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX));
}

FeatureInfo array_info(FeatureInfo out, const spec::ArrayFeatureType& a) {
  out.data_type = array_dtype_name(a.datatype());
  out.shape = dims_of(a.shape());
  if (a.has_enumeratedshapes()) {
    out.flexibility = Flexibility::kEnumerated;
    for (const auto& s : a.enumeratedshapes().shapes())
      out.enumerated.push_back(dims_of(s.shape()));
  } else if (a.has_shaperange()) {
    out.flexibility = Flexibility::kRange;
    for (const auto& r : a.shaperange().sizeranges()) out.ranges.push_back(range_of(r));
  }
  return out;
}

FeatureInfo feature_info(const spec::FeatureDescription& f) {
  FeatureInfo out;
  out.name = f.name();
  out.description = f.shortdescription();
  const spec::FeatureType& t = f.type();
  out.optional = t.isoptional();
  // The type in words without flexibility and optionality, which have their own fields.
  spec::FeatureType plain = t;
  plain.set_isoptional(false);
  switch (t.Type_case()) {
    case spec::FeatureType::kMultiArrayType:
      out.kind = "multiArray";
      out = array_info(std::move(out), t.multiarraytype());
      plain.mutable_multiarraytype()->clear_ShapeFlexibility();
      break;
    case spec::FeatureType::kImageType: {
      const auto& im = t.imagetype();
      out.kind = "image";
      out.data_type = color_space_name(im.colorspace());
      out.width = im.width();
      out.height = im.height();
      if (im.has_enumeratedsizes()) {
        out.flexibility = Flexibility::kEnumerated;
        for (const auto& s : im.enumeratedsizes().sizes())
          out.enumerated.push_back({as_dim(s.width()), as_dim(s.height())});
      } else if (im.has_imagesizerange()) {
        out.flexibility = Flexibility::kRange;
        out.ranges = {range_of(im.imagesizerange().widthrange()),
                      range_of(im.imagesizerange().heightrange())};
      }
      plain.mutable_imagetype()->clear_SizeFlexibility();
      break;
    }
    case spec::FeatureType::kInt64Type: out.kind = "int64"; break;
    case spec::FeatureType::kDoubleType: out.kind = "double"; break;
    case spec::FeatureType::kStringType: out.kind = "string"; break;
    case spec::FeatureType::kDictionaryType:
      out.kind = "dictionary";
      out.data_type = t.dictionarytype().has_int64keytype() ? "int64" : "string";
      break;
    case spec::FeatureType::kSequenceType:
      out.kind = "sequence";
      out.data_type = t.sequencetype().has_int64type() ? "int64" : "string";
      if (t.sequencetype().has_sizerange()) {
        out.flexibility = Flexibility::kRange;
        out.ranges = {range_of(t.sequencetype().sizerange())};
      }
      break;
    case spec::FeatureType::kStateType:
      out.kind = "state";
      if (t.statetype().has_arraytype()) {
        out = array_info(std::move(out), t.statetype().arraytype());
        out.type = "state " + out.data_type;
        for (size_t i = 0; i < out.shape.size(); ++i)
          out.type += (i ? "x" : " ") + std::to_string(out.shape[i]);
        return out;
      }
      break;
    case spec::FeatureType::TYPE_NOT_SET: out.kind = "untyped"; break;
  }
  out.type = describe_feature_type(plain);
  return out;
}

std::vector<FeatureInfo> features_of(
    const google::protobuf::RepeatedPtrField<spec::FeatureDescription>& list) {
  std::vector<FeatureInfo> out;
  for (const auto& f : list) out.push_back(feature_info(f));
  return out;
}

// The tensor shape a network input becomes for its default shape (see
// NeuralNetwork.proto on arrayInputShapeMapping / imageInputShapeMapping).
std::vector<int64_t> network_shape(const FeatureInfo& f, const NetworkView& net) {
  if (f.kind == "multiArray") {
    if (net.array_mapping == spec::EXACT_ARRAY_MAPPING) return f.shape;
    if (f.shape.size() == 1) return {1, 1, f.shape[0], 1, 1};
    if (f.shape.size() == 3) return {1, 1, f.shape[0], f.shape[1], f.shape[2]};
    return {};  // not a shape the legacy mapping accepts (validation says so)
  }
  if (f.kind == "image") {
    const int64_t channels = (f.data_type == "RGB" || f.data_type == "BGR") ? 3 : 1;
    if (net.image_mapping == spec::RANK4_IMAGE_MAPPING) return {1, channels, f.height, f.width};
    return {1, 1, channels, f.height, f.width};
  }
  return {};
}

PreprocessingInfo preprocessing_info(const spec::NeuralNetworkPreprocessing& p) {
  PreprocessingInfo out;
  out.feature_name = p.featurename();
  switch (p.preprocessor_case()) {
    case spec::NeuralNetworkPreprocessing::kScaler:
      out.kind = "scaler";
      out.channel_scale = p.scaler().channelscale();
      out.red_bias = p.scaler().redbias();
      out.green_bias = p.scaler().greenbias();
      out.blue_bias = p.scaler().bluebias();
      out.gray_bias = p.scaler().graybias();
      break;
    case spec::NeuralNetworkPreprocessing::kMeanImage:
      out.kind = "mean_image";
      out.mean_image_values = p.meanimage().meanimage_size();
      break;
    default: out.kind = "none"; break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------

std::string precision_key(WeightStorage storage, int bits) {
  switch (storage) {
    case WeightStorage::kFloat32:
    case WeightStorage::kRawFloat32: return "float32";
    case WeightStorage::kFloat16: return "float16";
    case WeightStorage::kLinearQuantized: return std::to_string(bits) + "bit_linearQuantization";
    case WeightStorage::kLookupTable: return std::to_string(bits) + "bit_lookupTableQuantization";
    case WeightStorage::kEmpty: break;
  }
  return "empty";
}

std::string precision_label(WeightStorage storage, int bits) {
  switch (storage) {
    case WeightStorage::kFloat32:
    case WeightStorage::kRawFloat32: return "fp32";
    case WeightStorage::kFloat16: return "fp16";
    case WeightStorage::kLinearQuantized: return std::to_string(bits) + "-bit linear";
    case WeightStorage::kLookupTable: return std::to_string(bits) + "-bit LUT";
    case WeightStorage::kEmpty: break;
  }
  return "empty";
}

// float32 first, then float16, then quantized from wide to narrow, linear before LUT.
bool precision_before(const PrecisionInfo& a, const PrecisionInfo& b) {
  auto rank = [](const PrecisionInfo& p) {
    if (p.storage == WeightStorage::kFloat32) return 0;
    if (p.storage == WeightStorage::kFloat16) return 1;
    return 2;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  if (a.bits != b.bits) return a.bits > b.bits;
  return a.storage == WeightStorage::kLinearQuantized && b.storage == WeightStorage::kLookupTable;
}

PrecisionInfo& precision_row(WeightsInfo& w, WeightStorage storage, int bits) {
  if (storage == WeightStorage::kRawFloat32) storage = WeightStorage::kFloat32;
  const std::string key = precision_key(storage, bits);
  for (auto& p : w.by_precision)
    if (p.key == key) return p;
  PrecisionInfo p;
  p.key = key;
  p.label = precision_label(storage, bits);
  p.storage = storage;
  p.bits = bits;
  w.by_precision.push_back(p);
  return w.by_precision.back();
}

int64_t quantization_params_bytes(const spec::WeightParams& w) {
  if (!w.has_quantization()) return 0;
  const auto& q = w.quantization();
  if (q.has_linearquantization())
    return 4 * (int64_t(q.linearquantization().scale_size()) + q.linearquantization().bias_size());
  if (q.has_lookuptablequantization())
    return 4 * int64_t(q.lookuptablequantization().floatvalue_size());
  return 0;
}

void add_weight(WeightsInfo& out, const LayerWeightRef& ref) {
  const spec::WeightParams& w = *ref.weights;
  const WeightInfo info = describe_weights(w);
  if (info.storage == WeightStorage::kEmpty) {
    if (ref.required) ++out.missing_count;
    return;
  }
  int64_t values = stored_weight_count(w);
  if (values < 0 && info.bits > 0) {
    // Packed sub-byte values: the bytes hold up to this many (the tail may
    // be padding); the declared shape says exactly, when it agrees.
    values = info.size_bytes * 8 / info.bits;
    if (ref.expected_count >= 0 && ref.expected_count <= values &&
        (ref.expected_count * info.bits + 7) / 8 == info.size_bytes)
      values = ref.expected_count;
  }
  values = std::max<int64_t>(values, 0);
  const bool quantized = info.storage == WeightStorage::kLinearQuantized ||
                         info.storage == WeightStorage::kLookupTable;
  const int64_t params = quantized ? quantization_params_bytes(w) : 0;
  PrecisionInfo& row = precision_row(out, info.storage, info.bits);
  ++row.tensor_count;
  row.parameter_count += values;
  row.size_bytes += info.size_bytes;
  row.quantization_params_size_bytes += params;
  ++out.tensor_count;
  out.parameter_count += values;
  out.size_bytes += info.size_bytes + params;
}

void merge_weights(WeightsInfo& into, const WeightsInfo& from) {
  into.tensor_count += from.tensor_count;
  into.parameter_count += from.parameter_count;
  into.size_bytes += from.size_bytes;
  into.missing_count += from.missing_count;
  for (const auto& p : from.by_precision) {
    PrecisionInfo& row = precision_row(into, p.storage, p.bits);
    row.tensor_count += p.tensor_count;
    row.parameter_count += p.parameter_count;
    row.size_bytes += p.size_bytes;
    row.quantization_params_size_bytes += p.quantization_params_size_bytes;
  }
}

// ---------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------

struct LayerWalk {
  std::map<std::string, int64_t> kinds;
  std::map<std::string, int64_t> unsupported;  // kinds without a kernel in this build
  std::map<std::string, CustomLayerInfo> custom;
  std::vector<std::string> updatable;
  int64_t total = 0, nested = 0;

  void layers(const google::protobuf::RepeatedPtrField<NeuralNetworkLayer>& list, int depth) {
    for (const auto& layer : list) visit(layer, depth);
  }

  void visit(const NeuralNetworkLayer& layer, int depth) {
    ++total;
    if (depth > 0) ++nested;
    const std::string kind = layer_kind_name(layer);
    ++kinds[kind];
    // Custom layers are found by class at load time, every other kind in the registry.
    if (!layer.has_custom() && !graph::builtin_layers().find(layer.layer_case()))
      ++unsupported[kind];
    if (layer.isupdatable()) updatable.push_back(layer.name());
    if (layer.has_custom()) {
      const auto& c = layer.custom();
      CustomLayerInfo& info = custom[c.classname()];
      info.class_name = c.classname();
      if (info.description.empty()) info.description = c.description();
      info.layers.push_back(layer.name());
      for (const auto& [key, value] : c.parameters()) info.parameters.push_back(key);
    }
    if (depth >= kMaxDepth) return;
    if (layer.has_branch()) {
      layers(layer.branch().ifbranch().layers(), depth + 1);
      layers(layer.branch().elsebranch().layers(), depth + 1);
    } else if (layer.has_loop()) {
      layers(layer.loop().conditionnetwork().layers(), depth + 1);
      layers(layer.loop().bodynetwork().layers(), depth + 1);
    }
  }
};

// Most frequent first, ties by name.
std::vector<LayerKindCount> by_count(const std::map<std::string, int64_t>& counts) {
  std::vector<LayerKindCount> out;
  for (const auto& [kind, count] : counts) out.push_back({kind, count});
  std::stable_sort(out.begin(), out.end(), [](const LayerKindCount& a, const LayerKindCount& b) {
    return a.count > b.count;
  });
  return out;
}

template <class Network>
bool has_update_params(const Network& n) {
  return n.has_updateparams();
}

bool network_has_update_params(const Spec& spec) {
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork: return has_update_params(spec.neuralnetwork());
    case Spec::kNeuralNetworkClassifier: return has_update_params(spec.neuralnetworkclassifier());
    case Spec::kNeuralNetworkRegressor: return has_update_params(spec.neuralnetworkregressor());
    default: return false;
  }
}

NetworkInfo network_info(const Spec& spec, const NetworkView& net, WeightsInfo& weights) {
  NetworkInfo out;
  out.array_shape_mapping = spec::NeuralNetworkMultiArrayShapeMapping_Name(net.array_mapping);
  out.image_shape_mapping = spec::NeuralNetworkImageShapeMapping_Name(net.image_mapping);
  if (out.array_shape_mapping.empty())
    out.array_shape_mapping = "unknown (" + std::to_string(net.array_mapping) + ")";
  if (out.image_shape_mapping.empty())
    out.image_shape_mapping = "unknown (" + std::to_string(net.image_mapping) + ")";
  for (const auto& p : *net.preprocessing) out.preprocessing.push_back(preprocessing_info(p));

  LayerWalk walk;
  walk.layers(*net.layers, 0);
  out.layer_count = walk.total;
  out.nested_layer_count = walk.nested;
  out.layers_by_kind = by_count(walk.kinds);
  out.unsupported_layer_kinds = by_count(walk.unsupported);
  for (auto& [name, info] : walk.custom) {
    std::sort(info.parameters.begin(), info.parameters.end());
    info.parameters.erase(std::unique(info.parameters.begin(), info.parameters.end()),
                          info.parameters.end());
    out.custom_layers.push_back(std::move(info));
  }
  out.updatable_layers = std::move(walk.updatable);
  out.has_update_params = network_has_update_params(spec);

  // layer_weights() already descends into control flow, so only the top level here.
  for (const auto& layer : *net.layers)
    for (const auto& ref : layer_weights(layer)) add_weight(weights, ref);
  return out;
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

// Size of the payload of a model type the schema keeps as bytes (or that
// arrives as an unknown field); -1 for message types.
int64_t payload_size(const Spec& spec) {
  const auto* oneof = Spec::descriptor()->FindOneofByName("Type");
  const auto* reflection = Spec::GetReflection();
  if (const auto* field = reflection->GetOneofFieldDescriptor(spec, oneof)) {
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_BYTES) return -1;
    std::string scratch;
    return static_cast<int64_t>(reflection->GetStringReference(spec, field, &scratch).size());
  }
  const auto& unknown = reflection->GetUnknownFields(spec);
  for (int i = 0; i < unknown.field_count(); ++i)
    if (unknown.field(i).number() >= 200 &&
        unknown.field(i).type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED)
      return static_cast<int64_t>(unknown.field(i).length_delimited().size());
  return -1;
}

const spec::Pipeline* pipeline_of(const Spec& spec) {
  switch (spec.Type_case()) {
    case Spec::kPipeline: return &spec.pipeline();
    case Spec::kPipelineClassifier: return &spec.pipelineclassifier().pipeline();
    case Spec::kPipelineRegressor: return &spec.pipelineregressor().pipeline();
    default: return nullptr;
  }
}

MetadataInfo metadata_info(const spec::Metadata& m) {
  MetadataInfo out;
  out.short_description = m.shortdescription();
  out.version = m.versionstring();
  out.author = m.author();
  out.license = m.license();
  for (const auto& [key, value] : m.userdefined()) out.user_defined.emplace_back(key, value);
  std::sort(out.user_defined.begin(), out.user_defined.end());
  return out;
}

ModelSummary summarize(const Spec& spec, int depth) {
  ModelSummary out;
  out.spec_version = spec.specificationversion();
  out.spec_release = std::string(spec_version_release(out.spec_version));
  for (const auto& need : spec_version_needs(spec)) {
    if (need.version > out.minimum_spec_version) {
      out.minimum_spec_version = need.version;
      out.minimum_spec_reasons.clear();
    }
    if (need.version == out.minimum_spec_version && need.version > 1)
      out.minimum_spec_reasons.push_back(need.feature);
  }
  out.model_type = model_type_name(spec);
  out.payload_size_bytes = payload_size(spec);
  out.updatable = spec.isupdatable();

  const auto& d = spec.description();
  out.metadata = metadata_info(d.metadata());
  out.inputs = features_of(d.input());
  out.outputs = features_of(d.output());
  out.states = features_of(d.state());
  for (const auto& fn : d.functions()) out.functions.push_back(fn.name());
  out.default_function = d.defaultfunctionname();
  out.predicted_feature_name = d.predictedfeaturename();
  out.predicted_probabilities_name = d.predictedprobabilitiesname();

  if (const NetworkView net = network_view(spec)) {
    out.network = network_info(spec, net, out.weights);
    out.runs_in_morel = out.network->unsupported_layer_kinds.empty();
    if (!out.runs_in_morel) {
      out.not_run_reason = "morel does not run these layer kinds yet:";
      for (const auto& k : out.network->unsupported_layer_kinds) out.not_run_reason += " " + k.kind;
    }
    for (auto& f : out.inputs) f.network_shape = network_shape(f, net);
    if (net.classifier) {
      const auto& c = *net.classifier;
      if (c.has_stringclasslabels()) {
        out.class_labels.type = "string";
        out.class_labels.labels.assign(c.stringclasslabels().vector().begin(),
                                       c.stringclasslabels().vector().end());
      } else if (c.has_int64classlabels()) {
        out.class_labels.type = "int64";
        for (int64_t label : c.int64classlabels().vector()) {
          out.class_labels.int64_labels.push_back(label);
          out.class_labels.labels.push_back(std::to_string(label));
        }
      }
    }
  } else if (const spec::Pipeline* p = pipeline_of(spec)) {
    out.runs_in_morel = true;
    for (int i = 0; i < p->models_size(); ++i) {
      if (depth >= kMaxDepth) {
        out.runs_in_morel = false;
        out.not_run_reason = "pipelines nest more than " + std::to_string(kMaxDepth) + " deep";
        break;
      }
      ModelSummary sub = summarize(p->models(i), depth + 1);
      if (i < p->names_size()) sub.name = p->names(i);
      if (!sub.runs_in_morel && out.runs_in_morel) {
        out.runs_in_morel = false;
        out.not_run_reason = "sub-model " + std::to_string(i + 1) +
                             (sub.name.empty() ? "" : " ('" + sub.name + "')") + ": " +
                             sub.not_run_reason;
      }
      merge_weights(out.weights, sub.weights);
      out.sub_models.push_back(std::move(sub));
    }
  } else if (spec.has_custommodel()) {
    out.runs_in_morel = true;
    CustomModelInfo info;
    info.class_name = spec.custommodel().classname();
    info.description = spec.custommodel().description();
    for (const auto& [key, value] : spec.custommodel().parameters()) info.parameters.push_back(key);
    std::sort(info.parameters.begin(), info.parameters.end());
    out.custom_model = std::move(info);
  } else {
    out.not_run_reason =
        "morel runs neural networks, pipelines of them and custom models; this is " +
        out.model_type;
  }
  std::sort(out.weights.by_precision.begin(), out.weights.by_precision.end(), precision_before);

  if (depth == 0) {
    out.validation_error.reset();
    try {
      validate_spec(spec);
    } catch (const std::exception& e) {
      out.validation_error = e.what();
    }
  }
  return out;
}

}  // namespace

std::string_view flexibility_name(Flexibility f) {
  switch (f) {
    case Flexibility::kFixed: return "fixed";
    case Flexibility::kEnumerated: return "enumerated";
    case Flexibility::kRange: return "range";
  }
  return "fixed";
}

ModelSummary summarize_model(const Spec& spec) {
  return summarize(spec, 0);
}

ModelSummary summarize_model(const Spec& spec, const std::filesystem::path& file) {
  ModelSummary out = summarize_model(spec);
  out.path = file;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  out.file_size_bytes = ec ? -1 : static_cast<int64_t>(size);
  return out;
}

ModelSummary inspect_model_file(const std::filesystem::path& path) {
  return summarize_model(load_spec(path), path);
}

}  // namespace morel::tools
