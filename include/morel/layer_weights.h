// Weight accounting: every WeightParams a neural network layer holds, with
// the element count and per-channel layout its declared parameters imply.
//
// This is the one place that knows which layer fields hold weights and what
// shape they have; validation, `morel inspect` and the quantizer all walk
// layers through it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "NeuralNetwork.pb.h"
#include "morel/weights.h"

namespace morel {

template <class Weights>
struct BasicLayerWeightRef {
  // Field path in the format's names, from the layer's params message on:
  // "convolution.weights", "uniDirectionalLSTM.weightParams.inputGateBiasVector",
  // "biDirectionalLSTM.weightParams[1].forgetGateWeightMatrix",
  // "activation.PReLU.alpha", "custom.weights[2]". Weights of layers nested in
  // control flow carry the path to them:
  // "loop.bodyNetwork.layers[3].innerProduct.weights".
  std::string field;
  // Never null. For a required field that is absent from the layer this is
  // the shared empty default instance (the const variant only).
  Weights* weights = nullptr;
  // Number of elements the layer's declared parameters imply, or -1 where
  // the format does not determine it (custom layers, PReLU alpha (C or 1),
  // a convolution whose outputChannels is unset, ...). Saturates at
  // INT64_MAX when hostile parameters overflow.
  int64_t expected_count = -1;
  // Declared shape behind expected_count (empty when it is -1), row-major as
  // stored: [Cout, Cin/groups, kH, kW] for a convolution.
  std::vector<int64_t> shape;
  // Per-channel quantization axis: output-channel-major weights use
  // {Cout, count / Cout}; deconvolution {Cout / groups, kH * kW}; 1-D
  // vectors {1, 1}.
  ChannelLayout layout;
  // The layer's parameters say this field must hold values (weights of a
  // single-input convolution, a bias when hasBias, ...). Fields listed but
  // not required are present in the file but optional or unused.
  bool required = false;
  // The layer stores these weights as int8RawValue for dynamic quantization
  // (innerProduct / batchedMatmul int8DynamicQuantize).
  bool int8_dynamic = false;
};

using LayerWeightRef = BasicLayerWeightRef<const spec::WeightParams>;
using MutableLayerWeightRef = BasicLayerWeightRef<spec::WeightParams>;

// Every WeightParams the layer holds (present in the message), plus those
// its parameters require but that are missing (pointing at an empty
// instance). Order follows the format's field order. Recurses into the
// networks of branch and loop layers.
std::vector<LayerWeightRef> layer_weights(const spec::NeuralNetworkLayer& layer);

// The same for rewriting weights in place; lists only fields present in the
// message (nothing is created).
std::vector<MutableLayerWeightRef> mutable_layer_weights(spec::NeuralNetworkLayer& layer);

}  // namespace morel
