#include "swish_model.h"

#include <vector>

#include "morel/builder.h"

namespace swish {

float example_weight(int64_t i, int64_t blob, double scale) {
  const int64_t k = (i * 7919 + blob * 104729) % 201;  // 0 .. 200
  return static_cast<float>(static_cast<double>(k - 100) / 100.0 * scale);
}

namespace {

std::vector<float> blob_values(int64_t count, int64_t blob, double scale) {
  std::vector<float> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) v[static_cast<size_t>(i)] = example_weight(i, blob, scale);
  return v;
}

}  // namespace

morel::Spec build_swish_model(const SwishModelOptions& options) {
  morel::ModelBuilder b;
  b.add_image_input("image", kImageSize, kImageSize, morel::spec::ImageFeatureType::RGB);
  b.set_image_scaler("image", 1.0f / 255.0f, 0, 0, 0);
  b.add_array_output("probabilities", {kClasses});
  if (options.features_output) b.add_array_output("features", {kFilters});

  morel::ConvolutionOptions conv;
  conv.kernel_channels = 3;
  conv.output_channels = kFilters;
  conv.kernel_h = conv.kernel_w = 3;
  conv.same_padding = true;
  b.add_convolution("conv", "image", "conv_out", conv, blob_values(kFilters * 3 * 3 * 3, 0, 0.5),
                    blob_values(kFilters, 1, 0.1));

  morel::spec::CustomLayerParams& swish =
      b.add_custom("swish", {"conv_out"}, {"swish_out"}, "Swish", "y = x * sigmoid(beta * x)");
  (*swish.mutable_parameters())["beta"].set_doublevalue(kBeta);

  b.add_pooling("pool", "swish_out", "features", "AVERAGE", 1, 1, 1, 1, false, /*global=*/true);
  b.add_inner_product("dense", "features", "logits", kFilters, kClasses,
                      blob_values(kClasses * kFilters, 2, 2.0), blob_values(kClasses, 3, 0.5));
  b.add_softmax("softmax", "logits", "probabilities");
  b.set_description("Swish walk-through: conv -> Swish (custom layer) -> pool -> dense -> softmax");
  return b.build();
}

}  // namespace swish
