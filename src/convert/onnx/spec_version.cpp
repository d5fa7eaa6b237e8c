// The specification version recorded in a converted model: the lowest that
// holds every layer kind and option used. N-d networks need 4 (iOS 13); the
// layers and options added with iOS 14 need 5.
#include <algorithm>
#include "convert/onnx/features.h"
#include "morel/builder.h"

namespace morel::onnxc {

namespace {

int layer_version(const spec::NeuralNetworkLayer& l) {
  using L = spec::NeuralNetworkLayer;
  switch (l.layer_case()) {
    case L::kOneHot:
    case L::kCumSum:
    case L::kClampedReLU:
    case L::kArgSort:
    case L::kPooling3D:
    case L::kGlobalPooling3D:
    case L::kSliceBySize:
    case L::kConvolution3D: return 5;
    case L::kUpsample:
      return l.upsample().linearupsamplemode() != spec::UpsampleLayerParams::DEFAULT ||
                     l.upsample().fractionalscalingfactor_size() > 0
                 ? 5
                 : 4;
    case L::kReorganizeData:
      return l.reorganizedata().mode() == spec::ReorganizeDataLayerParams::PIXEL_SHUFFLE ? 5 : 4;
    case L::kConcatND: return l.concatnd().interleave() ? 5 : 4;
    default: return 4;
  }
}

}  // namespace

int converted_spec_version(const Spec& spec) {
  int v = 4;  // EXACT_ARRAY_MAPPING
  NetworkView net = network_view(spec);
  if (net)
    for (const auto& l : *net.layers) v = std::max(v, layer_version(l));
  // The format library's own table, when it knows of more.
  return std::max(v, minimum_spec_version(spec));
}

}  // namespace morel::onnxc
