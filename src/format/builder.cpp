// ModelBuilder: assembling a spec the way coremltools' NeuralNetworkBuilder does.
#include "morel/builder.h"

#include "morel/error.h"
#include "morel/weights.h"

namespace morel {

namespace {

spec::FeatureDescription& add_feature(
    google::protobuf::RepeatedPtrField<spec::FeatureDescription>* list, const std::string& name) {
  for (const auto& f : *list)
    if (f.name() == name)
      throw Error(ErrorCode::kInvalidArgument, "feature '" + name + "' is already defined");
  spec::FeatureDescription* f = list->Add();
  f->set_name(name);
  return *f;
}

void set_weights(spec::WeightParams* w, std::span<const float> values) {
  w->mutable_floatvalue()->Assign(values.begin(), values.end());
}

}  // namespace

ModelBuilder::ModelBuilder(NetworkKind kind) : kind_(kind) {
  spec_.set_specificationversion(1);
  switch (kind) {
    case NetworkKind::kPlain: spec_.mutable_neuralnetwork(); break;
    case NetworkKind::kClassifier: spec_.mutable_neuralnetworkclassifier(); break;
    case NetworkKind::kRegressor: spec_.mutable_neuralnetworkregressor(); break;
  }
}

spec::NeuralNetwork& ModelBuilder::network() {
  if (kind_ != NetworkKind::kPlain)
    throw Error(ErrorCode::kInvalidArgument, "network() is only for plain neural networks");
  return *spec_.mutable_neuralnetwork();
}

ModelBuilder& ModelBuilder::use_exact_shapes(bool exact) {
  auto array = exact ? spec::EXACT_ARRAY_MAPPING : spec::RANK5_ARRAY_MAPPING;
  auto image = exact ? spec::RANK4_IMAGE_MAPPING : spec::RANK5_IMAGE_MAPPING;
  switch (kind_) {
    case NetworkKind::kPlain:
      spec_.mutable_neuralnetwork()->set_arrayinputshapemapping(array);
      spec_.mutable_neuralnetwork()->set_imageinputshapemapping(image);
      break;
    case NetworkKind::kClassifier:
      spec_.mutable_neuralnetworkclassifier()->set_arrayinputshapemapping(array);
      spec_.mutable_neuralnetworkclassifier()->set_imageinputshapemapping(image);
      break;
    case NetworkKind::kRegressor:
      spec_.mutable_neuralnetworkregressor()->set_arrayinputshapemapping(array);
      spec_.mutable_neuralnetworkregressor()->set_imageinputshapemapping(image);
      break;
  }
  return *this;
}

spec::FeatureDescription& ModelBuilder::add_array_input(
    const std::string& name, const std::vector<int64_t>& shape,
    spec::ArrayFeatureType::ArrayDataType dtype) {
  spec::FeatureDescription& f = add_feature(spec_.mutable_description()->mutable_input(), name);
  auto* a = f.mutable_type()->mutable_multiarraytype();
  a->mutable_shape()->Assign(shape.begin(), shape.end());
  a->set_datatype(dtype);
  return f;
}

spec::FeatureDescription& ModelBuilder::add_image_input(const std::string& name, int64_t width,
                                                        int64_t height,
                                                        spec::ImageFeatureType::ColorSpace color) {
  spec::FeatureDescription& f = add_feature(spec_.mutable_description()->mutable_input(), name);
  auto* im = f.mutable_type()->mutable_imagetype();
  im->set_width(width);
  im->set_height(height);
  im->set_colorspace(color);
  return f;
}

spec::FeatureDescription& ModelBuilder::add_int64_input(const std::string& name) {
  spec::FeatureDescription& f = add_feature(spec_.mutable_description()->mutable_input(), name);
  f.mutable_type()->mutable_int64type();
  return f;
}

spec::FeatureDescription& ModelBuilder::add_double_input(const std::string& name) {
  spec::FeatureDescription& f = add_feature(spec_.mutable_description()->mutable_input(), name);
  f.mutable_type()->mutable_doubletype();
  return f;
}

spec::FeatureDescription& ModelBuilder::add_array_output(
    const std::string& name, const std::vector<int64_t>& shape,
    spec::ArrayFeatureType::ArrayDataType dtype) {
  spec::FeatureDescription& f = add_feature(spec_.mutable_description()->mutable_output(), name);
  auto* a = f.mutable_type()->mutable_multiarraytype();
  a->mutable_shape()->Assign(shape.begin(), shape.end());
  a->set_datatype(dtype);
  return f;
}

spec::FeatureDescription& ModelBuilder::find_input(const std::string& name) {
  for (auto& f : *spec_.mutable_description()->mutable_input())
    if (f.name() == name) return f;
  throw Error(ErrorCode::kInvalidArgument, "no input named '" + name + "'");
}

ModelBuilder& ModelBuilder::set_enumerated_shapes(const std::string& input,
                                                  const std::vector<std::vector<int64_t>>& shapes) {
  auto* a = find_input(input).mutable_type()->mutable_multiarraytype();
  auto* e = a->mutable_enumeratedshapes();
  e->Clear();
  for (const auto& s : shapes) e->add_shapes()->mutable_shape()->Assign(s.begin(), s.end());
  return *this;
}

ModelBuilder& ModelBuilder::set_shape_range(
    const std::string& input, const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  auto* a = find_input(input).mutable_type()->mutable_multiarraytype();
  auto* r = a->mutable_shaperange();
  r->Clear();
  for (const auto& [lo, hi] : ranges) {
    auto* s = r->add_sizeranges();
    s->set_lowerbound(static_cast<uint64_t>(lo));
    s->set_upperbound(hi);
  }
  return *this;
}

ModelBuilder& ModelBuilder::set_image_sizes(const std::string& input,
                                            const std::vector<std::pair<int64_t, int64_t>>& sizes) {
  auto* im = find_input(input).mutable_type()->mutable_imagetype();
  auto* e = im->mutable_enumeratedsizes();
  e->Clear();
  for (const auto& [w, h] : sizes) {
    auto* s = e->add_sizes();
    s->set_width(static_cast<uint64_t>(w));
    s->set_height(static_cast<uint64_t>(h));
  }
  return *this;
}

ModelBuilder& ModelBuilder::set_image_size_range(const std::string& input,
                                                 std::pair<int64_t, int64_t> width,
                                                 std::pair<int64_t, int64_t> height) {
  auto* r = find_input(input).mutable_type()->mutable_imagetype()->mutable_imagesizerange();
  r->mutable_widthrange()->set_lowerbound(static_cast<uint64_t>(width.first));
  r->mutable_widthrange()->set_upperbound(width.second);
  r->mutable_heightrange()->set_lowerbound(static_cast<uint64_t>(height.first));
  r->mutable_heightrange()->set_upperbound(height.second);
  return *this;
}

spec::NeuralNetworkLayer& ModelBuilder::add_layer(const std::string& name,
                                                  const std::vector<std::string>& inputs,
                                                  const std::vector<std::string>& outputs) {
  auto* layers = mutable_network_layers(spec_);
  spec::NeuralNetworkLayer* layer = layers->Add();
  layer->set_name(name);
  for (const auto& i : inputs) layer->add_input(i);
  for (const auto& o : outputs) layer->add_output(o);
  return *layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_convolution(
    const std::string& name, const std::string& input, const std::string& output,
    const ConvolutionOptions& o, std::span<const float> weights, std::span<const float> bias) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  auto* c = layer.mutable_convolution();
  c->set_outputchannels(static_cast<uint64_t>(o.output_channels));
  c->set_kernelchannels(static_cast<uint64_t>(o.kernel_channels));
  c->set_ngroups(static_cast<uint64_t>(o.groups));
  c->add_kernelsize(static_cast<uint64_t>(o.kernel_h));
  c->add_kernelsize(static_cast<uint64_t>(o.kernel_w));
  c->add_stride(static_cast<uint64_t>(o.stride_h));
  c->add_stride(static_cast<uint64_t>(o.stride_w));
  c->add_dilationfactor(static_cast<uint64_t>(o.dilation_h));
  c->add_dilationfactor(static_cast<uint64_t>(o.dilation_w));
  if (o.same_padding) {
    c->mutable_same()->set_asymmetrymode(spec::SamePadding::BOTTOM_RIGHT_HEAVY);
  } else {
    auto* amounts = c->mutable_valid()->mutable_paddingamounts();
    auto* h = amounts->add_borderamounts();
    h->set_startedgesize(static_cast<uint64_t>(o.pad_top));
    h->set_endedgesize(static_cast<uint64_t>(o.pad_bottom));
    auto* w = amounts->add_borderamounts();
    w->set_startedgesize(static_cast<uint64_t>(o.pad_left));
    w->set_endedgesize(static_cast<uint64_t>(o.pad_right));
  }
  c->set_isdeconvolution(o.deconvolution);
  for (uint64_t d : o.output_shape) c->add_outputshape(d);
  set_weights(c->mutable_weights(), weights);
  c->set_hasbias(!bias.empty());
  if (!bias.empty()) set_weights(c->mutable_bias(), bias);
  return layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_inner_product(
    const std::string& name, const std::string& input, const std::string& output,
    int64_t input_channels, int64_t output_channels, std::span<const float> weights,
    std::span<const float> bias) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  auto* p = layer.mutable_innerproduct();
  p->set_inputchannels(static_cast<uint64_t>(input_channels));
  p->set_outputchannels(static_cast<uint64_t>(output_channels));
  set_weights(p->mutable_weights(), weights);
  p->set_hasbias(!bias.empty());
  if (!bias.empty()) set_weights(p->mutable_bias(), bias);
  return layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_activation(const std::string& name,
                                                       const std::string& input,
                                                       const std::string& output,
                                                       const std::string& kind,
                                                       std::vector<float> params) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  auto* a = layer.mutable_activation();
  auto param = [&](size_t i, float fallback) { return i < params.size() ? params[i] : fallback; };
  if (kind == "RELU")
    a->mutable_relu();
  else if (kind == "TANH")
    a->mutable_tanh();
  else if (kind == "SIGMOID")
    a->mutable_sigmoid();
  else if (kind == "SOFTSIGN")
    a->mutable_softsign();
  else if (kind == "SOFTPLUS")
    a->mutable_softplus();
  else if (kind == "LEAKYRELU")
    a->mutable_leakyrelu()->set_alpha(param(0, 0.3f));
  else if (kind == "ELU")
    a->mutable_elu()->set_alpha(param(0, 1.0f));
  else if (kind == "THRESHOLDEDRELU")
    a->mutable_thresholdedrelu()->set_alpha(param(0, 1.0f));
  else if (kind == "LINEAR") {
    a->mutable_linear()->set_alpha(param(0, 1.0f));
    a->mutable_linear()->set_beta(param(1, 0.0f));
  } else if (kind == "SIGMOID_HARD") {
    a->mutable_sigmoidhard()->set_alpha(param(0, 0.2f));
    a->mutable_sigmoidhard()->set_beta(param(1, 0.5f));
  } else if (kind == "SCALED_TANH") {
    a->mutable_scaledtanh()->set_alpha(param(0, 1.0f));
    a->mutable_scaledtanh()->set_beta(param(1, 1.0f));
  } else {
    throw Error(ErrorCode::kInvalidArgument, "unknown activation kind '" + kind + "'");
  }
  return layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_pooling(
    const std::string& name, const std::string& input, const std::string& output,
    const std::string& kind, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
    bool same_padding, bool global) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  auto* p = layer.mutable_pooling();
  if (kind == "MAX")
    p->set_type(spec::PoolingLayerParams::MAX);
  else if (kind == "AVERAGE")
    p->set_type(spec::PoolingLayerParams::AVERAGE);
  else if (kind == "L2")
    p->set_type(spec::PoolingLayerParams::L2);
  else
    throw Error(ErrorCode::kInvalidArgument, "unknown pooling kind '" + kind + "'");
  p->add_kernelsize(static_cast<uint64_t>(kernel_h));
  p->add_kernelsize(static_cast<uint64_t>(kernel_w));
  p->add_stride(static_cast<uint64_t>(stride_h));
  p->add_stride(static_cast<uint64_t>(stride_w));
  if (same_padding)
    p->mutable_same();
  else
    p->mutable_valid();
  p->set_globalpooling(global);
  return layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_softmax(const std::string& name,
                                                    const std::string& input,
                                                    const std::string& output) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  layer.mutable_softmax();
  return layer;
}

spec::NeuralNetworkLayer& ModelBuilder::add_flatten(const std::string& name,
                                                    const std::string& input,
                                                    const std::string& output) {
  spec::NeuralNetworkLayer& layer = add_layer(name, {input}, {output});
  layer.mutable_flatten()->set_mode(spec::FlattenLayerParams::CHANNEL_FIRST);
  return layer;
}

spec::CustomLayerParams& ModelBuilder::add_custom(const std::string& name,
                                                  const std::vector<std::string>& inputs,
                                                  const std::vector<std::string>& outputs,
                                                  const std::string& class_name,
                                                  const std::string& description) {
  spec::NeuralNetworkLayer& layer = add_layer(name, inputs, outputs);
  auto* c = layer.mutable_custom();
  c->set_classname(class_name);
  c->set_description(description);
  return *c;
}

ModelBuilder& ModelBuilder::set_image_scaler(const std::string& input, float scale, float red_bias,
                                             float green_bias, float blue_bias, float gray_bias) {
  find_input(input);
  spec::NeuralNetworkPreprocessing* p = nullptr;
  switch (kind_) {
    case NetworkKind::kPlain: p = spec_.mutable_neuralnetwork()->add_preprocessing(); break;
    case NetworkKind::kClassifier:
      p = spec_.mutable_neuralnetworkclassifier()->add_preprocessing();
      break;
    case NetworkKind::kRegressor:
      p = spec_.mutable_neuralnetworkregressor()->add_preprocessing();
      break;
  }
  p->set_featurename(input);
  auto* s = p->mutable_scaler();
  s->set_channelscale(scale);
  s->set_redbias(red_bias);
  s->set_greenbias(green_bias);
  s->set_bluebias(blue_bias);
  s->set_graybias(gray_bias);
  return *this;
}

ModelBuilder& ModelBuilder::set_mean_image(const std::string& input, std::vector<float> mean_chw) {
  find_input(input);
  spec::NeuralNetworkPreprocessing* p = nullptr;
  switch (kind_) {
    case NetworkKind::kPlain: p = spec_.mutable_neuralnetwork()->add_preprocessing(); break;
    case NetworkKind::kClassifier:
      p = spec_.mutable_neuralnetworkclassifier()->add_preprocessing();
      break;
    case NetworkKind::kRegressor:
      p = spec_.mutable_neuralnetworkregressor()->add_preprocessing();
      break;
  }
  p->set_featurename(input);
  p->mutable_meanimage()->mutable_meanimage()->Assign(mean_chw.begin(), mean_chw.end());
  return *this;
}

namespace {
template <class Labels>
void set_labels(Spec& spec, NetworkKind kind, const Labels& labels, bool strings,
                const std::string& label_feature, const std::string& probabilities_feature,
                const std::string& probabilities_blob) {
  if (kind != NetworkKind::kClassifier)
    throw Error(ErrorCode::kInvalidArgument,
                "class labels need a builder made with NetworkKind::kClassifier");
  auto* c = spec.mutable_neuralnetworkclassifier();
  if constexpr (std::is_same_v<typename Labels::value_type, std::string>)
    c->mutable_stringclasslabels()->mutable_vector()->Assign(labels.begin(), labels.end());
  else
    c->mutable_int64classlabels()->mutable_vector()->Assign(labels.begin(), labels.end());
  if (!probabilities_blob.empty()) c->set_labelprobabilitylayername(probabilities_blob);
  auto* d = spec.mutable_description();
  d->set_predictedfeaturename(label_feature);
  d->set_predictedprobabilitiesname(probabilities_feature);
  auto* label = d->add_output();
  label->set_name(label_feature);
  if (strings)
    label->mutable_type()->mutable_stringtype();
  else
    label->mutable_type()->mutable_int64type();
  if (!probabilities_feature.empty()) {
    auto* probs = d->add_output();
    probs->set_name(probabilities_feature);
    auto* dict = probs->mutable_type()->mutable_dictionarytype();
    if (strings)
      dict->mutable_stringkeytype();
    else
      dict->mutable_int64keytype();
  }
}
}  // namespace

ModelBuilder& ModelBuilder::set_class_labels(const std::vector<std::string>& labels,
                                             const std::string& label_feature,
                                             const std::string& probabilities_feature,
                                             const std::string& probabilities_blob) {
  set_labels(spec_, kind_, labels, true, label_feature, probabilities_feature, probabilities_blob);
  return *this;
}

ModelBuilder& ModelBuilder::set_class_labels(const std::vector<int64_t>& labels,
                                             const std::string& label_feature,
                                             const std::string& probabilities_feature,
                                             const std::string& probabilities_blob) {
  set_labels(spec_, kind_, labels, false, label_feature, probabilities_feature, probabilities_blob);
  return *this;
}

ModelBuilder& ModelBuilder::set_author(const std::string& author) {
  spec_.mutable_description()->mutable_metadata()->set_author(author);
  return *this;
}
ModelBuilder& ModelBuilder::set_license(const std::string& license) {
  spec_.mutable_description()->mutable_metadata()->set_license(license);
  return *this;
}
ModelBuilder& ModelBuilder::set_description(const std::string& description) {
  spec_.mutable_description()->mutable_metadata()->set_shortdescription(description);
  return *this;
}
ModelBuilder& ModelBuilder::set_version(const std::string& version) {
  spec_.mutable_description()->mutable_metadata()->set_versionstring(version);
  return *this;
}
ModelBuilder& ModelBuilder::set_user_defined(const std::string& key, const std::string& value) {
  (*spec_.mutable_description()->mutable_metadata()->mutable_userdefined())[key] = value;
  return *this;
}

Spec ModelBuilder::build() const {
  Spec out = spec_;
  out.set_specificationversion(minimum_spec_version(out));
  validate_spec(out);
  return out;
}

}  // namespace morel
