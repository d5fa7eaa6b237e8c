// Conversions from the format's custom layer / custom model messages to the
// public types a user class sees (Parameters, Weight).
#pragma once

#include <string>

#include "CustomModel.pb.h"
#include "NeuralNetwork.pb.h"
#include "morel/custom_layer.h"

namespace morel::runtime {

Parameters layer_parameters(const spec::CustomLayerParams& params);
Parameters model_parameters(const spec::CustomModel& model);

// One WeightParams as stored and decoded; `what` names it in errors
// (Error(kInvalidModel) when the stored data is inconsistent).
Weight custom_weight(const spec::WeightParams& weights, const std::string& what);

}  // namespace morel::runtime
