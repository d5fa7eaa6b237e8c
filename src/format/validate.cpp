// validate_spec: structural and consistency checks of a model, before any
// kernel sees it. Every message names the feature, layer (name and kind) or
// field at fault and what was expected.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "format/quote.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/spec.h"
#include "morel/spec_versions.h"
#include "morel/weights.h"

namespace morel {

namespace {

using spec::FeatureDescription;
using spec::FeatureType;
using spec::NeuralNetworkLayer;
using Features = google::protobuf::RepeatedPtrField<FeatureDescription>;
using Layers = google::protobuf::RepeatedPtrField<NeuralNetworkLayer>;

// Pipelines inside pipelines, and networks inside branch / loop layers,
// nest at most this deep.
constexpr int kMaxDepth = 64;

std::string str(int64_t v) {
  return std::to_string(v);
}
std::string in_quotes(const std::string& s) {
  return format_detail::quote_name(s);
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + str(dims[i]);
  return s + "]";
}
template <class Repeated>
std::string shape_text(const Repeated& dims) {
  return shape_text(std::vector<int64_t>(dims.begin(), dims.end()));
}

std::string layer_label(const NeuralNetworkLayer& layer) {
  return "layer " + in_quotes(layer.name()) + " (" + layer_kind_name(layer) + ")";
}

std::string feature_type_name(const FeatureType& t) {
  switch (t.Type_case()) {
    case FeatureType::kInt64Type: return "int64";
    case FeatureType::kDoubleType: return "double";
    case FeatureType::kStringType: return "string";
    case FeatureType::kImageType: return "image";
    case FeatureType::kMultiArrayType: return "multiArray";
    case FeatureType::kDictionaryType: return "dictionary";
    case FeatureType::kSequenceType: return "sequence";
    case FeatureType::kStateType: return "state";
    default: return "none";
  }
}

class Validator {
 public:
  void model(const Spec& spec, const std::string& prefix, int depth);

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorCode::kInvalidModel, prefix_ + message);
  }

  // Model description.
  void features(const Features& list, const char* role, bool inputs);
  void feature(const FeatureDescription& f, const std::string& what, bool input);
  void array_type(const spec::ArrayFeatureType& a, const std::string& what, bool input);
  void image_type(const spec::ImageFeatureType& im, const std::string& what);
  void size_range(const spec::SizeRange& r, const std::string& what);

  // Neural networks.
  // Blobs defined so far. A nested network's scope sees its parent's.
  struct Scope {
    const Scope* parent = nullptr;
    // blob name -> what produced it ("model input 'x'", "layer 'x'").
    std::unordered_map<std::string, std::string> local;
    const std::string* find(const std::string& blob) const {
      for (const Scope* s = this; s; s = s->parent) {
        auto it = s->local.find(blob);
        if (it != s->local.end()) return &it->second;
      }
      return nullptr;
    }
  };
  void neural_network(const Spec& spec, const NetworkView& net);
  void layers(const Layers& layers, Scope& scope, int depth, bool in_loop_body);
  void layer(const NeuralNetworkLayer& layer, Scope& scope, int depth, bool in_loop_body);
  void nested(const NeuralNetworkLayer& owner, const std::string& field,
              const spec::NeuralNetwork& net, Scope& inner, int depth, bool in_loop_body,
              const std::string& must_produce = "");
  void layer_params(const NeuralNetworkLayer& layer);
  void weights(const NeuralNetworkLayer& layer, const LayerWeightRef& ref);
  void quantization(const std::string& where, const LayerWeightRef& ref, int bits);
  void preprocessing(const Spec& spec, const NetworkView& net);
  void classifier(const Spec& spec, const NetworkView& net, const Scope& scope);

  void pipeline(const Spec& spec, const spec::Pipeline& p, int depth);
  void versions(const Spec& spec);

  std::string prefix_;
  // Layer names seen in the current network (nested networks included).
  std::unordered_set<std::string> layer_names_;
  // Producers of every blob in the network, for "produced by a later layer".
  std::unordered_map<std::string, std::string> all_producers_;
};

// ---------------------------------------------------------------------------
// Model description
// ---------------------------------------------------------------------------

void Validator::size_range(const spec::SizeRange& r, const std::string& what) {
  if (r.upperbound() >= 0 && r.lowerbound() > static_cast<uint64_t>(r.upperbound()))
    fail(what + " lower bound " + std::to_string(r.lowerbound()) + " is above its upper bound " +
         str(r.upperbound()) + " (a negative upper bound means unbounded)");
}

void Validator::array_type(const spec::ArrayFeatureType& a, const std::string& what, bool input) {
  for (int64_t d : a.shape())
    if (d < 0)
      fail(what + " multiArray shape " + shape_text(a.shape()) + " has a negative dimension");
  if (input && a.shape().empty()) fail(what + " multiArray has no shape");
  switch (a.datatype()) {
    case spec::ArrayFeatureType::FLOAT32:
    case spec::ArrayFeatureType::DOUBLE:
    case spec::ArrayFeatureType::INT32:
    case spec::ArrayFeatureType::INT8:
    case spec::ArrayFeatureType::FLOAT16: break;
    case spec::ArrayFeatureType::INVALID_ARRAY_DATA_TYPE:
      fail(what + " multiArray has no dataType (expected FLOAT32, DOUBLE, INT32, FLOAT16 or INT8)");
    default: fail(what + " multiArray has unknown dataType " + str(a.datatype()));
  }
  const int64_t rank = a.shape_size();
  switch (a.ShapeFlexibility_case()) {
    case spec::ArrayFeatureType::kEnumeratedShapes: {
      const auto& shapes = a.enumeratedshapes().shapes();
      if (shapes.empty()) fail(what + " enumeratedShapes lists no shapes");
      for (int i = 0; i < shapes.size(); ++i) {
        const auto& s = shapes[i].shape();
        const std::string which = what + " enumeratedShapes[" + str(i) + "] " + shape_text(s);
        if (s.size() != rank)
          fail(which + " has rank " + str(s.size()) + " but the default shape " +
               shape_text(a.shape()) + " has rank " + str(rank));
        for (int64_t d : s)
          if (d < 0) fail(which + " has a negative dimension");
      }
      break;
    }
    case spec::ArrayFeatureType::kShapeRange: {
      const auto& ranges = a.shaperange().sizeranges();
      if (ranges.size() != rank)
        fail(what + " shapeRange has " + str(ranges.size()) + " ranges but the default shape " +
             shape_text(a.shape()) + " has rank " + str(rank));
      for (int i = 0; i < ranges.size(); ++i)
        size_range(ranges[i], what + " shapeRange.sizeRanges[" + str(i) + "]");
      break;
    }
    default: break;
  }
}

void Validator::image_type(const spec::ImageFeatureType& im, const std::string& what) {
  if (im.width() <= 0) fail(what + " image width " + str(im.width()) + " must be positive");
  if (im.height() <= 0) fail(what + " image height " + str(im.height()) + " must be positive");
  switch (im.colorspace()) {
    case spec::ImageFeatureType::GRAYSCALE:
    case spec::ImageFeatureType::RGB:
    case spec::ImageFeatureType::BGR:
    case spec::ImageFeatureType::GRAYSCALE_FLOAT16: break;
    default:
      fail(what + " image has no or an unknown colorSpace " + str(im.colorspace()) +
           " (expected GRAYSCALE, RGB, BGR or GRAYSCALE_FLOAT16)");
  }
  switch (im.SizeFlexibility_case()) {
    case spec::ImageFeatureType::kEnumeratedSizes: {
      const auto& sizes = im.enumeratedsizes().sizes();
      if (sizes.empty()) fail(what + " enumeratedSizes lists no sizes");
      for (int i = 0; i < sizes.size(); ++i)
        if (sizes[i].width() == 0 || sizes[i].height() == 0)
          fail(what + " enumeratedSizes[" + str(i) + "] " + std::to_string(sizes[i].width()) + "x" +
               std::to_string(sizes[i].height()) + " must have a positive width and height");
      break;
    }
    case spec::ImageFeatureType::kImageSizeRange:
      size_range(im.imagesizerange().widthrange(), what + " imageSizeRange.widthRange");
      size_range(im.imagesizerange().heightrange(), what + " imageSizeRange.heightRange");
      break;
    default: break;
  }
}

void Validator::feature(const FeatureDescription& f, const std::string& what, bool input) {
  const FeatureType& t = f.type();
  switch (t.Type_case()) {
    case FeatureType::kInt64Type:
    case FeatureType::kDoubleType:
    case FeatureType::kStringType: break;
    case FeatureType::kMultiArrayType: array_type(t.multiarraytype(), what, input); break;
    case FeatureType::kImageType: image_type(t.imagetype(), what); break;
    case FeatureType::kDictionaryType:
      if (t.dictionarytype().KeyType_case() == spec::DictionaryFeatureType::KEYTYPE_NOT_SET)
        fail(what + " dictionary has no key type (expected int64 or string keys)");
      break;
    case FeatureType::kSequenceType:
      if (t.sequencetype().Type_case() == spec::SequenceFeatureType::TYPE_NOT_SET)
        fail(what + " sequence has no element type (expected int64 or string)");
      size_range(t.sequencetype().sizerange(), what + " sequence sizeRange");
      break;
    case FeatureType::kStateType:
      if (!t.statetype().has_arraytype()) fail(what + " state has no arrayType");
      array_type(t.statetype().arraytype(), what, input);
      break;
    default: fail(what + " has no type");
  }
  if (!input && t.isoptional()) fail(what + " is marked optional; outputs cannot be optional");
}

void Validator::features(const Features& list, const char* role, bool inputs) {
  std::unordered_set<std::string> names;
  for (int i = 0; i < list.size(); ++i) {
    const FeatureDescription& f = list[i];
    if (f.name().empty()) fail(std::string(role) + " " + str(i) + " has an empty name");
    if (!names.insert(f.name()).second)
      fail(std::string(role) + " name " + in_quotes(f.name()) + " is used twice");
    feature(f, std::string(role) + " " + in_quotes(f.name()), inputs);
  }
}

// ---------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------

void Validator::quantization(const std::string& where, const LayerWeightRef& ref, int bits) {
  const spec::QuantizationParams& q = ref.weights->quantization();
  if (bits < 1 || bits > 8)
    fail(where + " quantization.numberOfBits is " + std::to_string(q.numberofbits()) +
         "; must be 1 to 8");
  if (q.has_lookuptablequantization()) {
    const int64_t entries = q.lookuptablequantization().floatvalue_size();
    if (entries != (int64_t(1) << bits))
      fail(where + " lookup table has " + str(entries) + " entries; " + str(bits) +
           "-bit indices need exactly " + str(int64_t(1) << bits));
    return;
  }
  if (!q.has_linearquantization())
    fail(where + " quantization has neither linearQuantization nor lookupTableQuantization");
  const auto& lin = q.linearquantization();
  // One value, one per channel, or (for a 1-D vector) one per element.
  auto check = [&](int64_t n, const char* field, bool may_be_empty) {
    if (n == 0 && may_be_empty) return;
    const int64_t channels = ref.layout.channels;
    bool ok = n == 1 || (channels > 1 && n == channels);
    if (channels <= 1 && ref.expected_count > 1 && n == ref.expected_count) ok = true;
    if (channels <= 1 && ref.expected_count < 0 && n >= 1) ok = true;  // shape not determined
    if (!ok) {
      std::string expect = "1";
      if (channels > 1) expect += " or " + str(channels) + " (one per output channel)";
      if (channels <= 1 && ref.expected_count > 1)
        expect += " or " + str(ref.expected_count) + " (one per element)";
      fail(where + " linearQuantization." + field + " has " + str(n) + " values; expected " +
           expect);
    }
  };
  check(lin.scale_size(), "scale", false);
  check(lin.bias_size(), "bias", true);
}

void Validator::weights(const NeuralNetworkLayer& layer, const LayerWeightRef& ref) {
  const spec::WeightParams& w = *ref.weights;
  const std::string where = layer_label(layer) + " field " + ref.field + ":";
  const int64_t expected = ref.expected_count;
  const std::string shape = ref.shape.empty() ? "" : " (shape " + shape_text(ref.shape) + ")";

  std::vector<std::string> forms;
  if (!w.floatvalue().empty()) forms.push_back("floatValue");
  if (!w.float16value().empty()) forms.push_back("float16Value");
  if (!w.rawvalue().empty()) forms.push_back("rawValue");
  if (!w.int8rawvalue().empty()) forms.push_back("int8RawValue");
  if (forms.size() > 1) {
    std::string list;
    for (const auto& f : forms) list += (list.empty() ? "" : ", ") + f;
    fail(where + " holds values in more than one storage form (" + list + ")");
  }

  auto compare = [&](int64_t found, const std::string& form) {
    if (expected == std::numeric_limits<int64_t>::max())
      fail(where + " the declared parameters give an element count too large to store" + shape);
    if (expected >= 0 && found != expected)
      fail(where + " expected " + str(expected) + " values" + shape + ", found " + str(found) +
           " " + form + " values");
  };

  if (forms.empty()) {
    if (ref.required && expected != 0) {
      fail(where + " has no values" +
           (expected > 0 ? "; expected " + str(expected) + shape : std::string()));
    }
    return;
  }
  const std::string& form = forms[0];
  if (ref.int8_dynamic && form != "int8RawValue")
    fail(where + " the layer sets int8DynamicQuantize, so the weights must be int8RawValue, not " +
         form);
  if (form == "floatValue" || form == "float16Value") {
    // Quantization parameters left beside float values (coremltools'
    // dequantization does that) are ignored, as by Core ML.
    if (form == "floatValue") {
      compare(w.floatvalue_size(), "float32");
    } else {
      const int64_t bytes = static_cast<int64_t>(w.float16value().size());
      if (bytes % 2) fail(where + " float16Value has an odd number of bytes (" + str(bytes) + ")");
      compare(bytes / 2, "float16");
    }
    return;
  }
  if (form == "int8RawValue") {
    if (!ref.int8_dynamic)
      fail(where +
           " int8RawValue is only allowed for the weights of a layer with "
           "int8DynamicQuantize");
    const auto& q = w.quantization();
    if (!q.has_linearquantization())
      fail(where + " int8RawValue needs linearQuantization parameters");
    if (q.numberofbits() != 8)
      fail(where + " int8RawValue needs quantization.numberOfBits 8, found " +
           std::to_string(q.numberofbits()));
    if (q.linearquantization().scale_size() != 1)
      fail(where + " int8RawValue needs exactly one linearQuantization.scale value, found " +
           str(q.linearquantization().scale_size()));
    if (q.linearquantization().bias_size() != 0)
      fail(where + " int8RawValue takes no linearQuantization.bias, found " +
           str(q.linearquantization().bias_size()) + " values");
    compare(static_cast<int64_t>(w.int8rawvalue().size()), "int8");
    return;
  }
  // rawValue: quantized, or little-endian float32 without quantization.
  const int64_t bytes = static_cast<int64_t>(w.rawvalue().size());
  if (!w.has_quantization()) {
    if (bytes % 4)
      fail(where + " rawValue without quantization holds float32 values, but its " + str(bytes) +
           " bytes are not a multiple of 4");
    compare(bytes / 4, "raw float32");
    return;
  }
  const uint64_t nbits = w.quantization().numberofbits();
  const int bits = nbits > 64 ? 0 : static_cast<int>(nbits);
  quantization(where, ref, bits);
  if (expected == std::numeric_limits<int64_t>::max()) compare(0, "");
  if (expected >= 0) {
    // n-bit values packed into whole bytes. An expected count this large
    // cannot match any file (models are below 2 GiB).
    const bool huge = expected > (std::numeric_limits<int64_t>::max() - 7) / 8;
    const int64_t need = huge ? -1 : (expected * bits + 7) / 8;
    if (need != bytes)
      fail(where + " expected " + str(expected) + " values" + shape + " of " + str(bits) +
           " bits (" + (huge ? std::string("far more than 2 GiB") : str(need) + " bytes") +
           "), found " + str(bytes) + " bytes of rawValue");
  }
}

// Declared sizes the format requires, and other per-layer constraints.
void Validator::layer_params(const NeuralNetworkLayer& layer) {
  const std::string label = layer_label(layer);
  auto positive = [&](uint64_t v, const char* field) {
    if (v == 0) fail(label + " " + field + " must be positive, found 0");
  };
  switch (layer.layer_case()) {
    case NeuralNetworkLayer::kConvolution: {
      const auto& c = layer.convolution();
      if (c.kernelsize_size() != 0 && c.kernelsize_size() != 2)
        fail(label + " convolution.kernelSize has " + str(c.kernelsize_size()) +
             " values; expected 2 ([H, W])");
      if (c.stride_size() != 0 && c.stride_size() != 2)
        fail(label + " convolution.stride has " + str(c.stride_size()) +
             " values; expected 2 ([H, W])");
      if (c.dilationfactor_size() != 0 && c.dilationfactor_size() != 2)
        fail(label + " convolution.dilationFactor has " + str(c.dilationfactor_size()) +
             " values; expected 2 ([H, W])");
      if (layer.input_size() < 2) {
        positive(c.outputchannels(), "convolution.outputChannels");
        positive(c.kernelchannels(), "convolution.kernelChannels");
      }
      const uint64_t groups = c.ngroups() == 0 ? 1 : c.ngroups();
      if (c.outputchannels() % groups != 0)
        fail(label + " convolution.outputChannels " + std::to_string(c.outputchannels()) +
             " is not divisible by nGroups " + std::to_string(groups));
      break;
    }
    case NeuralNetworkLayer::kConvolution3D: {
      const auto& c = layer.convolution3d();
      if (c.outputchannels() <= 0 || c.inputchannels() <= 0)
        fail(label + " convolution3d.outputChannels and inputChannels must be positive, found " +
             str(c.outputchannels()) + " and " + str(c.inputchannels()));
      if (c.ngroups() < 0) fail(label + " convolution3d.nGroups is negative");
      const int64_t groups = c.ngroups() == 0 ? 1 : c.ngroups();
      if (c.inputchannels() % groups != 0 || c.outputchannels() % groups != 0)
        fail(label + " convolution3d channels (" + str(c.inputchannels()) + " in, " +
             str(c.outputchannels()) + " out) are not divisible by nGroups " + str(groups));
      if (c.kerneldepth() <= 0 || c.kernelheight() <= 0 || c.kernelwidth() <= 0)
        fail(label + " convolution3d kernel " + str(c.kerneldepth()) + "x" + str(c.kernelheight()) +
             "x" + str(c.kernelwidth()) + " must be positive");
      break;
    }
    case NeuralNetworkLayer::kInnerProduct:
      positive(layer.innerproduct().inputchannels(), "innerProduct.inputChannels");
      positive(layer.innerproduct().outputchannels(), "innerProduct.outputChannels");
      break;
    case NeuralNetworkLayer::kEmbedding:
      positive(layer.embedding().inputdim(), "embedding.inputDim");
      positive(layer.embedding().outputchannels(), "embedding.outputChannels");
      break;
    case NeuralNetworkLayer::kEmbeddingND:
      positive(layer.embeddingnd().vocabsize(), "embeddingND.vocabSize");
      positive(layer.embeddingnd().embeddingsize(), "embeddingND.embeddingSize");
      break;
    case NeuralNetworkLayer::kBatchnorm:
      positive(layer.batchnorm().channels(), "batchnorm.channels");
      break;
    case NeuralNetworkLayer::kSimpleRecurrent:
      positive(layer.simplerecurrent().inputvectorsize(), "simpleRecurrent.inputVectorSize");
      positive(layer.simplerecurrent().outputvectorsize(), "simpleRecurrent.outputVectorSize");
      break;
    case NeuralNetworkLayer::kGru:
      positive(layer.gru().inputvectorsize(), "gru.inputVectorSize");
      positive(layer.gru().outputvectorsize(), "gru.outputVectorSize");
      break;
    case NeuralNetworkLayer::kUniDirectionalLSTM:
      positive(layer.unidirectionallstm().inputvectorsize(), "uniDirectionalLSTM.inputVectorSize");
      positive(layer.unidirectionallstm().outputvectorsize(),
               "uniDirectionalLSTM.outputVectorSize");
      break;
    case NeuralNetworkLayer::kBiDirectionalLSTM:
      positive(layer.bidirectionallstm().inputvectorsize(), "biDirectionalLSTM.inputVectorSize");
      positive(layer.bidirectionallstm().outputvectorsize(), "biDirectionalLSTM.outputVectorSize");
      if (layer.bidirectionallstm().weightparams_size() != 2)
        fail(label + " biDirectionalLSTM.weightParams has " +
             str(layer.bidirectionallstm().weightparams_size()) +
             " entries; expected 2 (forward, backward)");
      break;
    case NeuralNetworkLayer::kBatchedMatmul:
      if (layer.input_size() < 2) {
        positive(layer.batchedmatmul().weightmatrixfirstdimension(),
                 "batchedMatmul.weightMatrixFirstDimension");
        positive(layer.batchedmatmul().weightmatrixseconddimension(),
                 "batchedMatmul.weightMatrixSecondDimension");
      }
      break;
    case NeuralNetworkLayer::kCustom:
      if (layer.custom().classname().empty()) fail(label + " custom.className is empty");
      break;
    default: break;
  }
}

// ---------------------------------------------------------------------------
// Network wiring
// ---------------------------------------------------------------------------

void Validator::nested(const NeuralNetworkLayer& owner, const std::string& field,
                       const spec::NeuralNetwork& net, Scope& inner, int depth, bool in_loop_body,
                       const std::string& must_produce) {
  layers(net.layers(), inner, depth + 1, in_loop_body);
  if (!must_produce.empty() && !inner.find(must_produce))
    fail(layer_label(owner) + " " + field + " does not produce conditionVar " +
         in_quotes(must_produce));
}

void Validator::layer(const NeuralNetworkLayer& l, Scope& scope, int depth, bool in_loop_body) {
  const std::string label = layer_label(l);
  if (l.layer_case() == NeuralNetworkLayer::LAYER_NOT_SET && layer_kind_name(l) == "none")
    fail("layer " + in_quotes(l.name()) + " has no type (its layer field is empty)");
  if (l.name().empty()) fail("a " + layer_kind_name(l) + " layer has an empty name");
  if (!layer_names_.insert(l.name()).second)
    fail("layer name " + in_quotes(l.name()) + " is used by more than one layer");

  for (const std::string& in : l.input()) {
    if (scope.find(in)) continue;
    std::string msg = label + " input " + in_quotes(in) +
                      " is not a model input or the output of an earlier layer";
    auto later = all_producers_.find(in);
    if (later != all_producers_.end()) msg += " (it is produced later, by " + later->second + ")";
    fail(msg);
  }

  const auto kind = l.layer_case();
  if ((kind == NeuralNetworkLayer::kLoopBreak || kind == NeuralNetworkLayer::kLoopContinue) &&
      !in_loop_body)
    fail(label + " may only appear inside a loop's bodyNetwork");

  layer_params(l);
  if (kind != NeuralNetworkLayer::kBranch && kind != NeuralNetworkLayer::kLoop)
    for (const LayerWeightRef& ref : layer_weights(l)) weights(l, ref);

  // Control flow: nested networks see the blobs defined so far; what they
  // produce is visible after the layer.
  if (kind == NeuralNetworkLayer::kBranch || kind == NeuralNetworkLayer::kLoop) {
    if (depth >= kMaxDepth)
      fail(label + " nests networks more than " + str(kMaxDepth) + " levels deep");
    Scope first{&scope, {}}, second{&scope, {}};
    if (kind == NeuralNetworkLayer::kBranch) {
      const auto& b = l.branch();
      if (!b.has_ifbranch()) fail(label + " has no branch.ifBranch network");
      nested(l, "branch.ifBranch", b.ifbranch(), first, depth, in_loop_body);
      if (b.has_elsebranch())
        nested(l, "branch.elseBranch", b.elsebranch(), second, depth, in_loop_body);
    } else {
      const auto& p = l.loop();
      if (!p.has_bodynetwork()) fail(label + " has no loop.bodyNetwork");
      if (p.conditionvar().empty() != !p.has_conditionnetwork())
        fail(label + " loop.conditionVar and loop.conditionNetwork must be given together");
      if (p.has_conditionnetwork())
        nested(l, "loop.conditionNetwork", p.conditionnetwork(), first, depth, false,
               p.conditionvar());
      second.parent = &first;  // the body sees what the condition produced
      nested(l, "loop.bodyNetwork", p.bodynetwork(), second, depth, true);
    }
    for (Scope* s : {&first, &second})
      for (auto& e : s->local) scope.local.emplace(e.first, std::move(e.second));
  }

  for (const std::string& out : l.output()) {
    if (out.empty()) fail(label + " has an output with an empty name");
    const std::string* earlier = scope.find(out);
    if (earlier && kind != NeuralNetworkLayer::kCopy)
      fail(label + " output " + in_quotes(out) + " is already produced by " + *earlier +
           "; each blob must have one producer");
    scope.local[out] = "layer " + in_quotes(l.name());
  }
}

void Validator::layers(const Layers& list, Scope& scope, int depth, bool in_loop_body) {
  for (const NeuralNetworkLayer& l : list) layer(l, scope, depth, in_loop_body);
}

// Every blob any layer produces (nested networks included), for messages.
void collect_producers(const Layers& list, std::unordered_map<std::string, std::string>& out,
                       int depth) {
  if (depth > kMaxDepth) return;
  for (const NeuralNetworkLayer& l : list) {
    for (const std::string& o : l.output()) out.emplace(o, "layer " + in_quotes(l.name()));
    if (l.has_branch()) {
      collect_producers(l.branch().ifbranch().layers(), out, depth + 1);
      collect_producers(l.branch().elsebranch().layers(), out, depth + 1);
    }
    if (l.has_loop()) {
      collect_producers(l.loop().conditionnetwork().layers(), out, depth + 1);
      collect_producers(l.loop().bodynetwork().layers(), out, depth + 1);
    }
  }
}

void Validator::preprocessing(const Spec& spec, const NetworkView& net) {
  std::map<std::string, const spec::ImageFeatureType*> images;
  for (const auto& in : spec.description().input())
    if (in.type().has_imagetype()) images[in.name()] = &in.type().imagetype();
  std::set<std::string> seen;
  for (int i = 0; i < net.preprocessing->size(); ++i) {
    const auto& p = (*net.preprocessing)[i];
    std::string name = p.featurename();
    const std::string what = "preprocessing[" + str(i) + "]";
    if (name.empty()) {
      if (images.size() != 1)
        fail(what + " has no featureName, and the model has " + str(images.size()) +
             " image inputs (the name may be left out only when there is exactly one)");
      name = images.begin()->first;
    }
    auto it = images.find(name);
    if (it == images.end())
      fail(what + " featureName " + in_quotes(name) + " is not an image input of the model");
    if (!seen.insert(name).second)
      fail(what + " is the second preprocessing entry for image input " + in_quotes(name));
    if (p.has_meanimage()) {
      const auto& im = *it->second;
      const int64_t channels = (im.colorspace() == spec::ImageFeatureType::GRAYSCALE ||
                                im.colorspace() == spec::ImageFeatureType::GRAYSCALE_FLOAT16)
                                   ? 1
                                   : 3;
      const int64_t need = channels * im.width() * im.height();
      if (p.meanimage().meanimage_size() != need)
        fail(what + " meanImage for " + in_quotes(name) + " has " +
             str(p.meanimage().meanimage_size()) + " values; the image needs " + str(need) + " (" +
             str(channels) + "x" + str(im.height()) + "x" + str(im.width()) + ")");
    }
  }
}

// Number of values along the class axis of `blob` when the layers say so:
// follow shape-preserving layers back to one that fixes the channel count.
int64_t class_axis_length(const Layers& layers, const std::string& blob, std::string& source) {
  std::string want = blob;
  for (int i = layers.size() - 1; i >= 0; --i) {
    const NeuralNetworkLayer& l = layers[i];
    if (std::find(l.output().begin(), l.output().end(), want) == l.output().end()) continue;
    switch (l.layer_case()) {
      case NeuralNetworkLayer::kInnerProduct:
        source = layer_label(l) + " innerProduct.outputChannels";
        return static_cast<int64_t>(l.innerproduct().outputchannels());
      case NeuralNetworkLayer::kConvolution:
        if (l.convolution().outputchannels() == 0) return -1;
        source = layer_label(l) + " convolution.outputChannels";
        return static_cast<int64_t>(l.convolution().outputchannels());
      case NeuralNetworkLayer::kSoftmax:
      case NeuralNetworkLayer::kSoftmaxND:
      case NeuralNetworkLayer::kActivation:
        if (l.input_size() != 1) return -1;
        want = l.input(0);
        continue;
      default: return -1;
    }
  }
  return -1;
}

void Validator::classifier(const Spec& spec, const NetworkView& net, const Scope& scope) {
  const spec::NeuralNetworkClassifier& c = *net.classifier;
  int64_t labels = 0;
  bool string_labels = false;
  if (c.has_stringclasslabels()) {
    labels = c.stringclasslabels().vector_size();
    string_labels = true;
  } else if (c.has_int64classlabels()) {
    labels = c.int64classlabels().vector_size();
  }
  if (labels == 0)
    fail("neuralNetworkClassifier has no class labels (stringClassLabels or int64ClassLabels)");

  const auto& d = spec.description();
  const FeatureDescription* predicted = nullptr;
  for (const auto& o : d.output())
    if (o.name() == d.predictedfeaturename()) predicted = &o;
  if (d.predictedfeaturename().empty())
    fail("neuralNetworkClassifier has no predictedFeatureName (the output holding the label)");
  if (!predicted)
    fail("predictedFeatureName " + in_quotes(d.predictedfeaturename()) +
         " is not one of the model outputs");
  const auto want = string_labels ? FeatureType::kStringType : FeatureType::kInt64Type;
  if (predicted->type().Type_case() != want)
    fail("predictedFeatureName output " + in_quotes(predicted->name()) + " is " +
         feature_type_name(predicted->type()) + ", but the class labels are " +
         (string_labels ? "strings" : "int64"));
  if (!d.predictedprobabilitiesname().empty()) {
    bool found = false;
    for (const auto& o : d.output()) found |= o.name() == d.predictedprobabilitiesname();
    if (!found)
      fail("predictedProbabilitiesName " + in_quotes(d.predictedprobabilitiesname()) +
           " is not one of the model outputs");
  }

  // The probabilities blob: labelProbabilityLayerName, else the last layer's output.
  std::string blob = c.labelprobabilitylayername();
  if (blob.empty() && !net.layers->empty() && net.layers->rbegin()->output_size() > 0)
    blob = net.layers->rbegin()->output(0);
  if (!c.labelprobabilitylayername().empty() && !scope.find(blob))
    fail("labelProbabilityLayerName " + in_quotes(blob) + " is not a blob produced by the network");
  std::string source;
  const int64_t classes = blob.empty() ? -1 : class_axis_length(*net.layers, blob, source);
  if (classes > 0 && classes != labels)
    fail("neuralNetworkClassifier has " + str(labels) + " class labels, but its probabilities " +
         in_quotes(blob) + " have " + str(classes) + " values (" + source + ")");
}

void Validator::neural_network(const Spec& spec, const NetworkView& net) {
  const auto& d = spec.description();
  if (d.input_size() == 0) fail("a neural network needs at least one input");
  if (d.output_size() == 0) fail("a neural network needs at least one output");
  bool required_input = false;
  bool array_inputs = false;
  for (const auto& in : d.input()) {
    required_input |= !in.type().isoptional();
    const auto t = in.type().Type_case();
    if (t != FeatureType::kMultiArrayType && t != FeatureType::kImageType)
      fail("input " + in_quotes(in.name()) + " is " + feature_type_name(in.type()) +
           "; neural network inputs must be multiArrays or images");
    if (t == FeatureType::kMultiArrayType) {
      array_inputs = true;
      const int rank = in.type().multiarraytype().shape_size();
      if (net.array_mapping == spec::RANK5_ARRAY_MAPPING && rank != 1 && rank != 3)
        fail("input " + in_quotes(in.name()) + " has rank " + str(rank) +
             "; with RANK5_ARRAY_MAPPING a multiArray input must have rank 1 ([C]) or 3 "
             "([C, H, W])");
    }
  }
  if (!required_input) fail("every input is optional; a neural network needs a required input");

  // Layers added in spec 4 work on N-d tensors, which the legacy rank-5
  // array mapping does not give them.
  if (array_inputs && net.array_mapping == spec::RANK5_ARRAY_MAPPING) {
    for (const auto& l : *net.layers)
      if (layer_min_spec_version(l.layer_case()) >= 4)
        fail(layer_label(l) +
             " needs arrayInputShapeMapping EXACT_ARRAY_MAPPING; the network "
             "uses RANK5_ARRAY_MAPPING");
  }

  Scope scope;
  for (const auto& in : d.input()) scope.local[in.name()] = "model input " + in_quotes(in.name());
  layer_names_.clear();
  all_producers_.clear();
  collect_producers(*net.layers, all_producers_, 0);
  layers(*net.layers, scope, 0, false);

  preprocessing(spec, net);
  if (net.classifier) classifier(spec, net, scope);
  for (const auto& out : d.output()) {
    if (net.classifier &&
        (out.name() == d.predictedfeaturename() || out.name() == d.predictedprobabilitiesname()))
      continue;
    if (!scope.find(out.name()))
      fail("model output " + in_quotes(out.name()) +
           " is not produced by any layer and is not a model input");
  }
}

// ---------------------------------------------------------------------------
// Pipelines and the model
// ---------------------------------------------------------------------------

void Validator::pipeline(const Spec& spec, const spec::Pipeline& p, int depth) {
  if (p.models().empty()) fail("the pipeline has no models");
  if (p.names_size() != 0 && p.names_size() != p.models_size())
    fail("the pipeline names " + str(p.names_size()) + " models but holds " + str(p.models_size()));
  std::unordered_set<std::string> available;
  for (const auto& in : spec.description().input()) available.insert(in.name());
  const std::string saved = prefix_;
  for (int i = 0; i < p.models_size(); ++i) {
    const Spec& m = p.models(i);
    const std::string name = p.names_size() ? p.names(i) : "model" + str(i);
    const std::string sub = "pipeline model " + str(i) + " (" + in_quotes(name) + ")";
    for (const auto& in : m.description().input())
      if (!available.count(in.name()) && !in.type().isoptional())
        fail(sub + " input " + in_quotes(in.name()) +
             " is not a pipeline input or an output of an earlier model");
    model(m, saved + sub + ": ", depth + 1);
    prefix_ = saved;
    for (const auto& out : m.description().output()) available.insert(out.name());
  }
  for (const auto& out : spec.description().output())
    if (!available.count(out.name()))
      fail("pipeline output " + in_quotes(out.name()) +
           " is not produced by any model of the pipeline and is not a pipeline input");
}

void Validator::versions(const Spec& spec) {
  const int declared = spec.specificationversion();
  for (const SpecVersionNeed& need : spec_version_needs(spec))
    if (need.version > declared)
      fail(need.feature + " needs specificationVersion >= " + str(need.version) + " (" +
           std::string(spec_version_release(need.version)) + "); the model declares " +
           str(declared));
}

void Validator::model(const Spec& spec, const std::string& prefix, int depth) {
  prefix_ = prefix;
  if (depth > kMaxDepth) fail("pipelines nest more than " + str(kMaxDepth) + " levels deep");
  if (spec.specificationversion() <= 0)
    fail("specificationVersion is " + str(spec.specificationversion()) + "; expected 1 or higher");

  const std::string type = model_type_name(spec);
  if (type == "none") fail("the model has no type (Model.Type is empty)");

  const auto& d = spec.description();
  features(d.input(), "input", true);
  features(d.output(), "output", false);
  features(d.state(), "state", true);
  for (const auto& fn : d.functions()) {
    features(fn.input(), ("function " + in_quotes(fn.name()) + " input").c_str(), true);
    features(fn.output(), ("function " + in_quotes(fn.name()) + " output").c_str(), false);
  }

  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork:
    case Spec::kNeuralNetworkClassifier:
    case Spec::kNeuralNetworkRegressor: neural_network(spec, network_view(spec)); break;
    case Spec::kPipeline: pipeline(spec, spec.pipeline(), depth); break;
    case Spec::kPipelineClassifier:
      pipeline(spec, spec.pipelineclassifier().pipeline(), depth);
      break;
    case Spec::kPipelineRegressor:
      pipeline(spec, spec.pipelineregressor().pipeline(), depth);
      break;
    case Spec::kCustomModel:
      if (spec.custommodel().classname().empty()) fail("customModel.className is empty");
      break;
    default:
      // Other model types are not interpreted by morel; the runtime reports
      // them as unsupported. Their description was checked above.
      break;
  }
  prefix_ = prefix;
  versions(spec);
}

}  // namespace

void validate_spec(const Spec& spec) {
  Validator().model(spec, "", 0);
}

}  // namespace morel
