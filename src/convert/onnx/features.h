// The model's interface: input and output features from the ONNX graph's
// inputs and outputs, image inputs with their preprocessing, classifiers,
// metadata, feature renames, and the specification version recorded.
#pragma once

#include <string>
#include <vector>

#include "Model.pb.h"
#include "convert/onnx/tensor.h"
#include "morel/convert_onnx.h"

namespace onnx {
class ModelProto;
}

namespace morel::onnxc {

struct FeatureInfo {
  std::string name;
  int dtype = kFloat;
  Dims shape;
};

// Core ML's multi-array element type for an ONNX element type: float32 for
// float, float16 and bfloat16, double for double, int32 for integers and bool.
spec::ArrayFeatureType::ArrayDataType array_type_for(int dtype);

// Multi-array features (rank 0 declared as [1]).
void add_array_feature(google::protobuf::RepeatedPtrField<spec::FeatureDescription>& list,
                       const FeatureInfo& f);

// Turn input `f` (already in the description) into an image input with the
// given preprocessing; errors name the input when its shape is not
// [1, C, H, W] with C = 1 or 3.
void make_image_input(Spec& spec, const OnnxImageInput& image, const FeatureInfo& f);

// Turn a neural network into a classifier over `labels`.
void make_classifier(Spec& spec, const OnnxConvertOptions& options,
                     const std::vector<FeatureInfo>& outputs);

void set_metadata(Spec& spec, const OnnxConvertOptions& options, const onnx::ModelProto& model);

// Rename features (and the blobs carrying them). Error(kInvalidArgument)
// naming an unknown old name or a clash.
void apply_renames(Spec& spec, const std::map<std::string, std::string>& renames);

// The lowest specification version that holds the converted model.
int converted_spec_version(const Spec& spec);

}  // namespace morel::onnxc
