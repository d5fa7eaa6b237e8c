// ModelBuilder: build a Core ML neural network model from scratch — features,
// layers, weights, preprocessing, class labels, metadata, flexible shapes —
// the way coremltools' NeuralNetworkBuilder does.
//
// Typed helpers cover the common layers; add_layer() returns the raw layer
// message for everything else (set its params with the protobuf setters).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "morel/spec.h"

namespace morel {

enum class NetworkKind { kPlain, kClassifier, kRegressor };

struct ConvolutionOptions {
  int64_t kernel_channels = 0;  // input channels per group
  int64_t output_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  bool same_padding = false;  // else valid padding with the amounts below
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool deconvolution = false;
  std::vector<uint64_t> output_shape;  // deconvolution only: [H, W], optional
};

class ModelBuilder {
 public:
  explicit ModelBuilder(NetworkKind kind = NetworkKind::kPlain);

  // Shape mapping: legacy rank-5 (the default, spec <= 3) or exact N-d (spec >= 4).
  ModelBuilder& use_exact_shapes(bool exact = true);

  // Features. Array shapes in rank-5 mode are [C] or [C, H, W].
  spec::FeatureDescription& add_array_input(
      const std::string& name, const std::vector<int64_t>& shape,
      spec::ArrayFeatureType::ArrayDataType dtype = spec::ArrayFeatureType::FLOAT32);
  spec::FeatureDescription& add_image_input(
      const std::string& name, int64_t width, int64_t height,
      spec::ImageFeatureType::ColorSpace color = spec::ImageFeatureType::RGB);
  spec::FeatureDescription& add_int64_input(const std::string& name);
  spec::FeatureDescription& add_double_input(const std::string& name);
  spec::FeatureDescription& add_array_output(
      const std::string& name, const std::vector<int64_t>& shape = {},
      spec::ArrayFeatureType::ArrayDataType dtype = spec::ArrayFeatureType::FLOAT32);

  // Flexible shapes for an array input, and flexible sizes for an image input.
  ModelBuilder& set_enumerated_shapes(const std::string& input,
                                      const std::vector<std::vector<int64_t>>& shapes);
  // One [lower, upper] range per dimension; upper -1 means unbounded.
  ModelBuilder& set_shape_range(const std::string& input,
                                const std::vector<std::pair<int64_t, int64_t>>& ranges);
  ModelBuilder& set_image_sizes(const std::string& input,
                                const std::vector<std::pair<int64_t, int64_t>>& width_height);
  ModelBuilder& set_image_size_range(const std::string& input, std::pair<int64_t, int64_t> width,
                                     std::pair<int64_t, int64_t> height);

  // Layers. Inputs and outputs are blob names.
  spec::NeuralNetworkLayer& add_layer(const std::string& name,
                                      const std::vector<std::string>& inputs,
                                      const std::vector<std::string>& outputs);
  spec::NeuralNetworkLayer& add_convolution(const std::string& name, const std::string& input,
                                            const std::string& output,
                                            const ConvolutionOptions& options,
                                            std::span<const float> weights,
                                            std::span<const float> bias = {});
  spec::NeuralNetworkLayer& add_inner_product(const std::string& name, const std::string& input,
                                              const std::string& output, int64_t input_channels,
                                              int64_t output_channels,
                                              std::span<const float> weights,
                                              std::span<const float> bias = {});
  // kind: "RELU", "LEAKYRELU", "TANH", "SIGMOID", "LINEAR", "SIGMOID_HARD",
  // "ELU", "SOFTSIGN", "SOFTPLUS", "SCALED_TANH", "THRESHOLDEDRELU" with
  // params (alpha, beta) where the kind has them.
  spec::NeuralNetworkLayer& add_activation(const std::string& name, const std::string& input,
                                           const std::string& output, const std::string& kind,
                                           std::vector<float> params = {});
  // kind: "MAX", "AVERAGE", "L2".
  spec::NeuralNetworkLayer& add_pooling(const std::string& name, const std::string& input,
                                        const std::string& output, const std::string& kind,
                                        int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                                        int64_t stride_w, bool same_padding = false,
                                        bool global = false);
  spec::NeuralNetworkLayer& add_softmax(const std::string& name, const std::string& input,
                                        const std::string& output);
  spec::NeuralNetworkLayer& add_flatten(const std::string& name, const std::string& input,
                                        const std::string& output);
  spec::CustomLayerParams& add_custom(const std::string& name,
                                      const std::vector<std::string>& inputs,
                                      const std::vector<std::string>& outputs,
                                      const std::string& class_name,
                                      const std::string& description = "");

  // Image preprocessing for an image input.
  ModelBuilder& set_image_scaler(const std::string& input, float scale, float red_bias,
                                 float green_bias, float blue_bias, float gray_bias = 0);
  ModelBuilder& set_mean_image(const std::string& input, std::vector<float> mean_chw);

  // Classifier: labels, and the features that carry the result. The
  // probabilities come from `probabilities_blob` (a network output of length
  // #labels) and are exposed as the dictionary feature `probabilities_feature`.
  ModelBuilder& set_class_labels(const std::vector<std::string>& labels,
                                 const std::string& label_feature = "classLabel",
                                 const std::string& probabilities_feature = "classLabelProbs",
                                 const std::string& probabilities_blob = "");
  ModelBuilder& set_class_labels(const std::vector<int64_t>& labels,
                                 const std::string& label_feature = "classLabel",
                                 const std::string& probabilities_feature = "classLabelProbs",
                                 const std::string& probabilities_blob = "");

  // Metadata.
  ModelBuilder& set_author(const std::string& author);
  ModelBuilder& set_license(const std::string& license);
  ModelBuilder& set_description(const std::string& description);
  ModelBuilder& set_version(const std::string& version);
  ModelBuilder& set_user_defined(const std::string& key, const std::string& value);

  // The spec as built so far, for anything the helpers above do not cover.
  Spec& spec() { return spec_; }
  spec::NeuralNetwork& network();

  // Finish: sets the lowest specification version that holds the model,
  // validates it (Error(kInvalidModel) if inconsistent) and returns it.
  Spec build() const;

 private:
  spec::FeatureDescription& find_input(const std::string& name);
  NetworkKind kind_;
  Spec spec_;
};

// The lowest specification version that can hold this model's features.
int minimum_spec_version(const Spec& spec);

}  // namespace morel
