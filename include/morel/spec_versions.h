// Which specificationVersion each feature of the format needs.
//
// Versions and releases: 1 iOS 11, 2 iOS 11.2, 3 iOS 12, 4 iOS 13, 5 iOS 14,
// 6 iOS 15, 7 iOS 16, 8 iOS 17, 9 iOS 18 (with the matching macOS, tvOS and
// watchOS releases). A model must declare at least the highest version any
// feature it uses needs; the builder and the quantizer set the lowest version
// that holds the model with minimum_spec_version.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "morel/spec.h"

namespace morel {

inline constexpr int kNewestSpecVersion = 9;

// "iOS 13 / macOS 10.15" for 4; "unknown release" outside 1..kNewestSpecVersion.
std::string_view spec_version_release(int version);

// The version that introduced a layer kind: 1 for the original layers, 2 for
// custom, 3 for resizeBilinear and cropResize, 4 for the ND and control-flow
// layers (copy through NonMaximumSuppression), 5 for oneHot through
// convolution3d. 1 for LAYER_NOT_SET.
int layer_min_spec_version(spec::NeuralNetworkLayer::LayerCase kind);

// The version a layer needs, including options added to existing kinds
// later (a convolution whose weights come from a second input: 4;
// innerProduct int8DynamicQuantize: 5; ...) and its weight storage
// (float16: 2, quantized: 3, int8RawValue: 5). Recurses into control flow.
int layer_min_spec_version(const spec::NeuralNetworkLayer& layer);

// One feature that needs a version above 1, in words that name where it is:
// "layer 'up1' (upsample) fractionalScalingFactor".
struct SpecVersionNeed {
  int version = 1;
  std::string feature;
};

// Every such feature of the model, in model order: model type, description
// (flexible shapes, sequences, optional defaults, float16 arrays, states,
// functions), network options, layers and their weights, and the same for
// each sub-model of a pipeline (prefixed "pipeline model 1 ('name'): ").
std::vector<SpecVersionNeed> spec_version_needs(const Spec& spec);

// The lowest specificationVersion that holds the model (1 if nothing needs more).
int minimum_spec_version(const Spec& spec);

}  // namespace morel
