#include "morel/edit.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "morel/error.h"
#include "morel/shape.h"
#include "morel/spec_versions.h"

namespace morel {

namespace {

[[noreturn]] void bad_argument(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

int64_t parse_int(std::string_view text, std::string_view whole) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0)
    bad_argument("'" + std::string(whole) + "': '" + std::string(text) + "' is not a size");
  return v;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    parts.push_back(
        text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

// "64", "[64..512]" or "[64..]".
DimRange parse_dim(std::string_view d, std::string_view whole) {
  if (d.empty()) bad_argument("'" + std::string(whole) + "' has an empty dimension");
  if (d.front() != '[') {
    int64_t v = parse_int(d, whole);
    return {v, v};
  }
  size_t dots = d.find("..");
  if (d.back() != ']' || dots == std::string_view::npos)
    bad_argument("'" + std::string(whole) + "': range '" + std::string(d) +
                 "' must look like [64..512] or [64..]");
  DimRange r;
  r.lower = parse_int(d.substr(1, dots - 1), whole);
  std::string_view upper = d.substr(dots + 2, d.size() - dots - 3);
  r.upper = upper.empty() ? -1 : parse_int(upper, whole);
  if (r.upper >= 0 && r.upper < r.lower)
    bad_argument("'" + std::string(whole) + "': range '" + std::string(d) +
                 "' has its upper bound below its lower bound");
  if (r.lower == 0) bad_argument("'" + std::string(whole) + "': sizes start at 1");
  return r;
}

std::string shape_text(const std::vector<int64_t>& s) {
  return Shape(std::span<const int64_t>(s)).str();
}

spec::FeatureDescription* find_feature(
    google::protobuf::RepeatedPtrField<spec::FeatureDescription>* list, const std::string& name) {
  for (auto& f : *list)
    if (f.name() == name) return &f;
  return nullptr;
}

std::string feature_names(
    const google::protobuf::RepeatedPtrField<spec::FeatureDescription>& list) {
  std::string s;
  for (const auto& f : list) s += (s.empty() ? "" : ", ") + f.name();
  return s;
}

spec::FeatureDescription& input_of(Spec& spec, const std::string& name) {
  spec::FeatureDescription* f = find_feature(spec.mutable_description()->mutable_input(), name);
  if (!f)
    bad_argument("'" + name + "' is not an input of the model; its inputs are: " +
                 feature_names(spec.description().input()));
  return *f;
}

// Rename a blob / feature everywhere it appears in one model (and, for
// pipelines, in every stage).
void rename_everywhere(Spec& spec, const std::string& from, const std::string& to) {
  auto* d = spec.mutable_description();
  for (auto& f : *d->mutable_input())
    if (f.name() == from) f.set_name(to);
  for (auto& f : *d->mutable_output())
    if (f.name() == from) f.set_name(to);
  if (d->predictedfeaturename() == from) d->set_predictedfeaturename(to);
  if (d->predictedprobabilitiesname() == from) d->set_predictedprobabilitiesname(to);
  if (auto* layers = mutable_network_layers(spec)) {
    for (auto& layer : *layers) {
      for (auto& i : *layer.mutable_input())
        if (i == from) i = to;
      for (auto& o : *layer.mutable_output())
        if (o == from) o = to;
    }
  }
  auto rename_preprocessing = [&](auto* network) {
    for (auto& p : *network->mutable_preprocessing())
      if (p.featurename() == from) p.set_featurename(to);
  };
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork: rename_preprocessing(spec.mutable_neuralnetwork()); break;
    case Spec::kNeuralNetworkRegressor:
      rename_preprocessing(spec.mutable_neuralnetworkregressor());
      break;
    case Spec::kNeuralNetworkClassifier: {
      auto* c = spec.mutable_neuralnetworkclassifier();
      rename_preprocessing(c);
      if (c->labelprobabilitylayername() == from) c->set_labelprobabilitylayername(to);
      break;
    }
    case Spec::kPipeline:
    case Spec::kPipelineClassifier:
    case Spec::kPipelineRegressor: {
      spec::Pipeline* p = spec.Type_case() == Spec::kPipeline ? spec.mutable_pipeline()
                          : spec.Type_case() == Spec::kPipelineClassifier
                              ? spec.mutable_pipelineclassifier()->mutable_pipeline()
                              : spec.mutable_pipelineregressor()->mutable_pipeline();
      for (auto& stage : *p->mutable_models()) rename_everywhere(stage, from, to);
      break;
    }
    default: break;
  }
}

// Every blob and feature name the model uses.
void collect_names(const Spec& spec, std::set<std::string>& names) {
  for (const auto& f : spec.description().input()) names.insert(f.name());
  for (const auto& f : spec.description().output()) names.insert(f.name());
  if (NetworkView net = network_view(spec))
    for (const auto& layer : *net.layers)
      names.insert(layer.output().begin(), layer.output().end());
}

void rename(Spec& spec, const std::map<std::string, std::string>& renames, bool inputs) {
  std::set<std::string> names;
  collect_names(spec, names);
  for (const auto& entry : renames) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& from = entry.first;
    const std::string& to = entry.second;
    const auto& list = inputs ? spec.description().input() : spec.description().output();
    bool found =
        std::any_of(list.begin(), list.end(), [&](const auto& f) { return f.name() == from; });
    if (!found)
      bad_argument("'" + from + "' is not an " + (inputs ? "input" : "output") +
                   " of the model; its " + (inputs ? "inputs" : "outputs") +
                   " are: " + feature_names(list));
    if (to.empty()) bad_argument("cannot rename '" + from + "' to an empty name");
    if (names.count(to))
      bad_argument("cannot rename '" + from + "' to '" + to +
                   "': the model already uses that name");
    rename_everywhere(spec, from, to);
    names.erase(from);
    names.insert(to);
  }
}

void set_ranges(spec::ArrayFeatureType::ShapeRange* r, const std::vector<DimRange>& dims) {
  r->Clear();
  for (const DimRange& d : dims) {
    auto* s = r->add_sizeranges();
    s->set_lowerbound(static_cast<uint64_t>(d.lower));
    s->set_upperbound(d.upper);
  }
}

// Shapes to plan at for one range: all lower bounds, and all upper bounds
// (an unbounded dimension at twice max(lower, default)).
std::vector<std::vector<int64_t>> range_probes(const std::vector<DimRange>& dims,
                                               const std::vector<int64_t>& fallback) {
  std::vector<int64_t> lo, hi;
  for (size_t i = 0; i < dims.size(); ++i) {
    lo.push_back(dims[i].lower);
    int64_t base = std::max(dims[i].lower, i < fallback.size() ? fallback[i] : 1);
    hi.push_back(dims[i].upper >= 0 ? dims[i].upper : 2 * base);
  }
  return {lo, hi};
}

bool in_range(int64_t v, const DimRange& r) {
  return v >= r.lower && (r.upper < 0 || v <= r.upper);
}

// A zero-valued example of an input at a shape (arrays) or size (images).
FeatureValue example(const spec::FeatureDescription& f, const std::vector<int64_t>& shape) {
  if (f.type().has_imagetype()) {
    bool gray = f.type().imagetype().colorspace() == spec::ImageFeatureType::GRAYSCALE;
    return Image(static_cast<int>(shape[0]), static_cast<int>(shape[1]),
                 gray ? PixelFormat::kGray8 : PixelFormat::kRGB8);
  }
  DType dtype = f.type().multiarraytype().datatype() == spec::ArrayFeatureType::INT32
                    ? DType::kInt32
                    : DType::kFloat32;
  return MultiArray(dtype, shape);
}

std::vector<int64_t> default_shape(const spec::FeatureDescription& f) {
  if (f.type().has_imagetype())
    return {f.type().imagetype().width(), f.type().imagetype().height()};
  const auto& s = f.type().multiarraytype().shape();
  return {s.begin(), s.end()};
}

}  // namespace

std::vector<std::vector<int64_t>> parse_shape_list(std::string_view text) {
  std::vector<std::vector<int64_t>> shapes;
  for (std::string_view part : split(text, ',')) {
    std::vector<int64_t> shape;
    for (std::string_view d : split(part, 'x')) shape.push_back(parse_int(d, text));
    if (std::find(shape.begin(), shape.end(), 0) != shape.end())
      bad_argument("'" + std::string(text) + "': sizes start at 1");
    shapes.push_back(shape);
  }
  return shapes;
}

std::vector<DimRange> parse_shape_range(std::string_view text) {
  std::vector<DimRange> dims;
  for (std::string_view d : split(text, 'x')) dims.push_back(parse_dim(d, text));
  return dims;
}

std::vector<std::pair<int64_t, int64_t>> parse_image_sizes(std::string_view text) {
  std::vector<std::pair<int64_t, int64_t>> sizes;
  for (const auto& s : parse_shape_list(text)) {
    if (s.size() != 2) bad_argument("'" + std::string(text) + "': image sizes are WIDTHxHEIGHT");
    sizes.emplace_back(s[0], s[1]);
  }
  return sizes;
}

Spec edit_model(const Spec& original, const ModelEdits& e, const ModelOptions& options) {
  Spec spec = original;
  const bool rank5 = [&] {
    NetworkView net = network_view(spec);
    return net && net.array_mapping == spec::RANK5_ARRAY_MAPPING &&
           net.image_mapping == spec::RANK5_IMAGE_MAPPING;
  }();

  // Shapes to plan at, per input.
  std::map<std::string, std::vector<std::vector<int64_t>>> probes;

  for (const auto& [name, shapes] : e.enumerated_shapes) {
    auto& f = input_of(spec, name);
    if (!f.type().has_multiarraytype())
      bad_argument("input '" + name + "' is " + describe_feature_type(f.type()) +
                   "; enumerated shapes are for multi-array inputs (use image sizes for images)");
    if (shapes.empty()) bad_argument("input '" + name + "': no shapes given");
    auto* a = f.mutable_type()->mutable_multiarraytype();
    std::vector<int64_t> def(a->shape().begin(), a->shape().end());
    for (const auto& s : shapes) {
      if (!def.empty() && s.size() != def.size())
        bad_argument("input '" + name + "': shape " + shape_text(s) + " has rank " +
                     std::to_string(s.size()) + "; the input has rank " +
                     std::to_string(def.size()));
      if (rank5 && s.size() != 1 && s.size() != 3)
        bad_argument("input '" + name +
                     "': a rank-5 (legacy) network takes [C] or [C, H, W] shapes, not " +
                     shape_text(s));
    }
    // The default shape must be one of them; if it is not, the first becomes the default.
    if (std::find(shapes.begin(), shapes.end(), def) == shapes.end())
      a->mutable_shape()->Assign(shapes.front().begin(), shapes.front().end());
    a->clear_shaperange();
    auto* en = a->mutable_enumeratedshapes();
    en->Clear();
    for (const auto& s : shapes) en->add_shapes()->mutable_shape()->Assign(s.begin(), s.end());
    probes[name] = shapes;
  }

  for (const auto& [name, dims] : e.shape_ranges) {
    if (e.enumerated_shapes.count(name))
      bad_argument("input '" + name + "': give enumerated shapes or a shape range, not both");
    auto& f = input_of(spec, name);
    if (!f.type().has_multiarraytype())
      bad_argument(
          "input '" + name + "' is " + describe_feature_type(f.type()) +
          "; shape ranges are for multi-array inputs (use an image size range for images)");
    auto* a = f.mutable_type()->mutable_multiarraytype();
    std::vector<int64_t> def(a->shape().begin(), a->shape().end());
    if (!def.empty() && dims.size() != def.size())
      bad_argument("input '" + name + "': the range has " + std::to_string(dims.size()) +
                   " dimensions; the input has rank " + std::to_string(def.size()));
    if (rank5 && dims.size() != 1 && dims.size() != 3)
      bad_argument("input '" + name + "': a rank-5 (legacy) network takes [C] or [C, H, W] ranges");
    for (size_t i = 0; i < dims.size(); ++i)
      if (i >= def.size() || !in_range(def[i], dims[i])) {
        // Keep the default shape inside the range.
        if (def.size() < dims.size()) def.resize(dims.size());
        def[i] = dims[i].lower;
      }
    a->mutable_shape()->Assign(def.begin(), def.end());
    a->clear_enumeratedshapes();
    set_ranges(a->mutable_shaperange(), dims);
    probes[name] = range_probes(dims, def);
  }

  for (const auto& [name, sizes] : e.image_sizes) {
    auto& f = input_of(spec, name);
    if (!f.type().has_imagetype())
      bad_argument("input '" + name + "' is " + describe_feature_type(f.type()) +
                   "; image sizes are for image inputs");
    if (sizes.empty()) bad_argument("input '" + name + "': no sizes given");
    auto* im = f.mutable_type()->mutable_imagetype();
    std::pair<int64_t, int64_t> def{im->width(), im->height()};
    if (std::find(sizes.begin(), sizes.end(), def) == sizes.end()) {
      im->set_width(sizes.front().first);
      im->set_height(sizes.front().second);
    }
    im->clear_imagesizerange();
    auto* en = im->mutable_enumeratedsizes();
    en->Clear();
    for (const auto& [w, h] : sizes) {
      auto* s = en->add_sizes();
      s->set_width(static_cast<uint64_t>(w));
      s->set_height(static_cast<uint64_t>(h));
      probes[name].push_back({w, h});
    }
  }

  for (const auto& [name, wh] : e.image_size_ranges) {
    if (e.image_sizes.count(name))
      bad_argument("input '" + name + "': give image sizes or an image size range, not both");
    auto& f = input_of(spec, name);
    if (!f.type().has_imagetype())
      bad_argument("input '" + name + "' is " + describe_feature_type(f.type()) +
                   "; image size ranges are for image inputs");
    auto* im = f.mutable_type()->mutable_imagetype();
    if (!in_range(im->width(), wh.first)) im->set_width(wh.first.lower);
    if (!in_range(im->height(), wh.second)) im->set_height(wh.second.lower);
    im->clear_enumeratedsizes();
    auto* r = im->mutable_imagesizerange();
    r->mutable_widthrange()->set_lowerbound(static_cast<uint64_t>(wh.first.lower));
    r->mutable_widthrange()->set_upperbound(wh.first.upper);
    r->mutable_heightrange()->set_lowerbound(static_cast<uint64_t>(wh.second.lower));
    r->mutable_heightrange()->set_upperbound(wh.second.upper);
    probes[name] = range_probes({wh.first, wh.second}, {im->width(), im->height()});
  }

  // Metadata and descriptions.
  auto* meta = spec.mutable_description()->mutable_metadata();
  if (e.author) meta->set_author(*e.author);
  if (e.license) meta->set_license(*e.license);
  if (e.description) meta->set_shortdescription(*e.description);
  if (e.version) meta->set_versionstring(*e.version);
  for (const auto& [k, v] : e.user_defined) (*meta->mutable_userdefined())[k] = v;
  for (const auto& [name, text] : e.input_descriptions)
    input_of(spec, name).set_shortdescription(text);
  for (const auto& [name, text] : e.output_descriptions) {
    auto* f = find_feature(spec.mutable_description()->mutable_output(), name);
    if (!f)
      bad_argument("'" + name + "' is not an output of the model; its outputs are: " +
                   feature_names(spec.description().output()));
    f->set_shortdescription(text);
  }

  // Renames last, so that the options above name features as the model had them.
  rename(spec, e.rename_inputs, true);
  rename(spec, e.rename_outputs, false);
  for (const auto& [from, to] : e.rename_inputs)
    if (probes.count(from)) probes[to] = std::move(probes.extract(from).mapped());

  spec.set_specificationversion(std::max(spec.specificationversion(), minimum_spec_version(spec)));
  validate_spec(spec);

  // Plan every new shape, one input at a time, the others at their defaults.
  if (!probes.empty()) {
    Model model = Model::from_spec(spec, options);
    FeatureMap defaults;
    for (const auto& f : spec.description().input())
      if (f.type().has_multiarraytype() || f.type().has_imagetype())
        defaults[f.name()] = example(f, default_shape(f));
    for (const auto& [name, shapes] : probes) {
      const spec::FeatureDescription& f =
          *find_feature(spec.mutable_description()->mutable_input(), name);
      for (const auto& shape : shapes) {
        FeatureMap inputs = defaults;
        inputs[name] = example(f, shape);
        try {
          model.prepare(inputs);
        } catch (const Error& err) {
          std::string at =
              f.type().has_imagetype()
                  ? std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + " (width x height)"
                  : shape_text(shape);
          throw Error(ErrorCode::kInvalidModel,
                      "the network cannot take input '" + name + "' at " + at + ": " + err.what());
        }
      }
    }
  }
  return spec;
}

}  // namespace morel
