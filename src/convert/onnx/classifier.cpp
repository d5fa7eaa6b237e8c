// Classifier models: the network's probabilities output becomes a
// class -> probability dictionary plus a predicted-label output.
#include <algorithm>

#include "convert/onnx/features.h"
#include "morel/error.h"

namespace morel::onnxc {

void make_classifier(Spec& spec, const OnnxConvertOptions& options,
                     const std::vector<FeatureInfo>& outputs) {
  const auto& labels = options.class_labels;
  if (labels.empty()) return;
  if (outputs.empty())
    throw Error(ErrorCode::kInvalidArgument, "the model has no outputs to classify");
  const std::string probs =
      options.probabilities_output.empty() ? outputs[0].name : options.probabilities_output;
  auto it = std::find_if(outputs.begin(), outputs.end(),
                         [&](const FeatureInfo& f) { return f.name == probs; });
  if (it == outputs.end())
    throw Error(ErrorCode::kInvalidArgument,
                "probabilities output '" + probs + "' is not an output of the ONNX graph");
  const int64_t n = element_count(it->shape);
  if (n != static_cast<int64_t>(labels.size()))
    throw Error(ErrorCode::kInvalidArgument, "output '" + probs + "' has " + std::to_string(n) +
                                                 " values (shape " + shape_str(it->shape) +
                                                 ") but " + std::to_string(labels.size()) +
                                                 " class labels were given; they must match");
  const std::string& label_name = options.predicted_feature_name;
  if (label_name.empty() || label_name == probs)
    throw Error(ErrorCode::kInvalidArgument,
                "the predicted label feature needs a name other than '" + probs + "'");
  for (const auto& f : outputs)
    if (f.name == label_name)
      throw Error(ErrorCode::kInvalidArgument, "the predicted label feature name '" + label_name +
                                                   "' is already an output of the graph");

  spec::NeuralNetwork net;
  net.Swap(spec.mutable_neuralnetwork());
  spec.clear_neuralnetwork();
  auto* c = spec.mutable_neuralnetworkclassifier();
  c->mutable_layers()->Swap(net.mutable_layers());
  c->mutable_preprocessing()->Swap(net.mutable_preprocessing());
  c->set_arrayinputshapemapping(net.arrayinputshapemapping());
  c->set_imageinputshapemapping(net.imageinputshapemapping());
  for (const auto& l : labels) c->mutable_stringclasslabels()->add_vector(l);
  c->set_labelprobabilitylayername(probs);

  auto* desc = spec.mutable_description();
  desc->set_predictedfeaturename(label_name);
  desc->set_predictedprobabilitiesname(probs);
  for (auto& o : *desc->mutable_output()) {
    if (o.name() != probs) continue;
    auto* d = o.mutable_type()->mutable_dictionarytype();
    d->mutable_stringkeytype();
  }
  auto* label = desc->add_output();
  label->set_name(label_name);
  label->mutable_type()->mutable_stringtype();
}

}  // namespace morel::onnxc
