// Input and output features, image inputs, and feature renames.
#include "convert/onnx/features.h"
#include <algorithm>

#include "convert/onnx/context.h"

#include <set>

#include "morel/error.h"

namespace morel::onnxc {

spec::ArrayFeatureType::ArrayDataType array_type_for(int dtype) {
  if (dtype == kDouble) return spec::ArrayFeatureType::DOUBLE;
  if (is_float_type(dtype)) return spec::ArrayFeatureType::FLOAT32;
  return spec::ArrayFeatureType::INT32;
}

void add_array_feature(google::protobuf::RepeatedPtrField<spec::FeatureDescription>& list,
                       const FeatureInfo& f) {
  spec::FeatureDescription* d = list.Add();
  d->set_name(f.name);
  auto* a = d->mutable_type()->mutable_multiarraytype();
  a->set_datatype(array_type_for(f.dtype));
  for (int64_t v : runtime_dims(f.shape)) a->add_shape(v);
}

namespace {

google::protobuf::RepeatedPtrField<spec::NeuralNetworkPreprocessing>* mutable_preprocessing(
    Spec& spec) {
  if (spec.has_neuralnetworkclassifier())
    return spec.mutable_neuralnetworkclassifier()->mutable_preprocessing();
  if (spec.has_neuralnetworkregressor())
    return spec.mutable_neuralnetworkregressor()->mutable_preprocessing();
  return spec.mutable_neuralnetwork()->mutable_preprocessing();
}

}  // namespace

void make_image_input(Spec& spec, const OnnxImageInput& image, const FeatureInfo& f) {
  const Dims& s = f.shape;
  if (s.size() != 4 || s[0] != 1 || (s[1] != 1 && s[1] != 3))
    throw Error(ErrorCode::kInvalidArgument,
                "image input '" + image.name + "' has shape " + shape_str(s) +
                    "; an image input must be [1, C, H, W] with C = 3 (color) or 1 (gray)");
  if (!is_float_type(f.dtype))
    throw Error(ErrorCode::kInvalidArgument, "image input '" + image.name + "' has element type " +
                                                 dtype_name(f.dtype) +
                                                 "; images feed float inputs");
  spec::FeatureDescription* d = nullptr;
  for (auto& in : *spec.mutable_description()->mutable_input())
    if (in.name() == image.name) d = &in;
  if (!d)
    throw Error(ErrorCode::kInvalidArgument, "image input '" + image.name + "' is not an input");
  auto* t = d->mutable_type()->mutable_imagetype();
  t->set_width(s[3]);
  t->set_height(s[2]);
  const bool color = s[1] == 3;
  if (!color && image.bgr)
    throw Error(ErrorCode::kInvalidArgument,
                "image input '" + image.name + "' is gray (1 channel); --bgr needs 3 channels");
  t->set_colorspace(color ? (image.bgr ? spec::ImageFeatureType::BGR : spec::ImageFeatureType::RGB)
                          : spec::ImageFeatureType::GRAYSCALE);
  if (image.scale != 1.f || image.red_bias != 0.f || image.green_bias != 0.f ||
      image.blue_bias != 0.f || image.gray_bias != 0.f) {
    auto* p = mutable_preprocessing(spec)->Add();
    p->set_featurename(image.name);
    auto* sc = p->mutable_scaler();
    sc->set_channelscale(image.scale);
    sc->set_redbias(image.red_bias);
    sc->set_greenbias(image.green_bias);
    sc->set_bluebias(image.blue_bias);
    sc->set_graybias(image.gray_bias);
  }
}

void apply_renames(Spec& spec, const std::map<std::string, std::string>& renames) {
  if (renames.empty()) return;
  auto* desc = spec.mutable_description();
  std::set<std::string> names;
  for (const auto& f : desc->input()) names.insert(f.name());
  for (const auto& f : desc->output()) names.insert(f.name());
  for (const auto& [from, to] : renames) {
    if (!names.count(from)) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw Error(ErrorCode::kInvalidArgument,
                  "cannot rename '" + from +
                      "': it is not an input or output of the model; its "
                      "features are: " +
                      list);
    }
    if (to.empty()) throw Error(ErrorCode::kInvalidArgument, "cannot rename '" + from + "' to ''");
  }
  // Blob names in use, to refuse a rename onto an existing one.
  std::set<std::string> blobs;
  auto* layers = mutable_network_layers(spec);
  for (const auto& l : *layers) {
    blobs.insert(l.input().begin(), l.input().end());
    blobs.insert(l.output().begin(), l.output().end());
  }
  std::set<std::string> final_names;
  for (const auto& n : names) {
    auto it = renames.find(n);
    const std::string to = it == renames.end() ? n : it->second;
    if (!final_names.insert(to).second)
      throw Error(ErrorCode::kInvalidArgument, "renaming gives two features the name '" + to + "'");
    if (it != renames.end() && to != n && blobs.count(to) && !names.count(to))
      throw Error(
          ErrorCode::kInvalidArgument,
          "cannot rename '" + n + "' to '" + to + "': the network already has a blob of that name");
  }
  auto rename = [&](std::string* s) {
    auto it = renames.find(*s);
    if (it != renames.end()) *s = it->second;
  };
  for (auto& f : *desc->mutable_input()) rename(f.mutable_name());
  for (auto& f : *desc->mutable_output()) rename(f.mutable_name());
  rename(desc->mutable_predictedfeaturename());
  rename(desc->mutable_predictedprobabilitiesname());
  for (auto& l : *layers) {
    for (auto& i : *l.mutable_input()) rename(&i);
    for (auto& o : *l.mutable_output()) rename(&o);
  }
  for (auto& p : *mutable_preprocessing(spec)) rename(p.mutable_featurename());
  if (spec.has_neuralnetworkclassifier())
    rename(spec.mutable_neuralnetworkclassifier()->mutable_labelprobabilitylayername());
}

}  // namespace morel::onnxc
