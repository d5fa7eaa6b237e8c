// Reading and writing model files, and naming what is inside them.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <sstream>

#include <google/protobuf/stubs/logging.h>

#include "io/file_bytes.h"
#include "morel/error.h"
#include "morel/spec.h"

namespace morel {

namespace {

// Highest specification version this schema knows (Core ML 8 / iOS 18).
constexpr int kNewestSpecVersion = 9;

// protobuf refuses messages over 2 GiB; say so before trying.
constexpr uint64_t kMaxModelBytes = (uint64_t(1) << 31) - 1;

[[noreturn]] void invalid(std::string_view origin, const std::string& message) {
  throw Error(ErrorCode::kInvalidModel, std::string(origin) + ": " + message);
}

}  // namespace

Spec parse_spec(std::string_view bytes, std::string_view origin) {
  if (bytes.empty()) invalid(origin, "empty file, not a Core ML model");
  if (bytes.size() > kMaxModelBytes)
    invalid(origin, "model of " + std::to_string(bytes.size()) +
                        " bytes is larger than the format's 2 GiB limit");
  if (bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4))
    invalid(origin, "this is a ZIP archive, not a Core ML model (.mlmodel) file");
  Spec spec;
  // protobuf logs a line for every malformed string it meets; the error we
  // throw already says the file is corrupt.
  google::protobuf::LogSilencer quiet;
  if (!spec.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    invalid(origin, "not a Core ML model: the protobuf data is truncated or corrupt");
  // Random bytes can happen to be valid protobuf; a real model always says
  // which specification it follows.
  if (spec.specificationversion() <= 0)
    invalid(origin, "not a Core ML model: specificationVersion is " +
                        std::to_string(spec.specificationversion()) + " (expected 1 to " +
                        std::to_string(kNewestSpecVersion) + ")");
  if (spec.specificationversion() > 1000)
    invalid(origin, "not a Core ML model: implausible specificationVersion " +
                        std::to_string(spec.specificationversion()));
  return spec;
}

Spec load_spec(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (path.extension() == ".mlpackage")
      throw Error(
          ErrorCode::kUnsupported,
          path.string() + ": an .mlpackage (ML Program) directory; morel reads .mlmodel files");
    throw Error(ErrorCode::kIo, path.string() + ": is a directory, not a model file");
  }
  const io::FileBytes bytes(path, kMaxModelBytes);
  return parse_spec(bytes.view(), path.string());
}

std::string serialize_spec(const Spec& spec) {
  const size_t size = spec.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error(ErrorCode::kInvalidModel, "model of " + std::to_string(size) +
                                              " bytes is larger than the format's 2 GiB limit");
  // Deterministic: map entries (metadata.userDefined, custom layer
  // parameters) in key order, which is how coremltools' files have them, so
  // an unchanged model re-serializes to the same bytes.
  std::string out;
  out.reserve(size);
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    spec.SerializeWithCachedSizes(&coded);
    if (coded.HadError()) throw Error(ErrorCode::kInvalidModel, "model could not be serialized");
  }
  return out;
}

void save_spec(const Spec& spec, const std::filesystem::path& path) {
  std::string bytes = serialize_spec(spec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(ErrorCode::kIo, path.string() + ": write failed");
}

std::string model_type_name(const Spec& spec) {
  const auto* oneof = Spec::descriptor()->FindOneofByName("Type");
  const auto* field = Spec::GetReflection()->GetOneofFieldDescriptor(spec, oneof);
  if (field) return field->name();
  // A newer model type than our schema knows arrives as an unknown field.
  const auto& unknown = Spec::GetReflection()->GetUnknownFields(spec);
  for (int i = 0; i < unknown.field_count(); ++i)
    if (unknown.field(i).number() >= 200)
      return "unknown field " + std::to_string(unknown.field(i).number());
  return "none";
}

std::string layer_kind_name(const spec::NeuralNetworkLayer& layer) {
  if (layer.layer_case() == spec::NeuralNetworkLayer::LAYER_NOT_SET) {
    const auto& unknown = spec::NeuralNetworkLayer::GetReflection()->GetUnknownFields(layer);
    for (int i = 0; i < unknown.field_count(); ++i)
      if (unknown.field(i).number() >= 100)
        return "unknown field " + std::to_string(unknown.field(i).number());
    return "none";
  }
  return spec::NeuralNetworkLayer::descriptor()->FindFieldByNumber(layer.layer_case())->name();
}

namespace {
template <class Network>
NetworkView view_of(const Network& n) {
  NetworkView v;
  v.layers = &n.layers();
  v.preprocessing = &n.preprocessing();
  v.array_mapping = n.arrayinputshapemapping();
  v.image_mapping = n.imageinputshapemapping();
  return v;
}
}  // namespace

NetworkView network_view(const Spec& spec) {
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork: return view_of(spec.neuralnetwork());
    case Spec::kNeuralNetworkRegressor: return view_of(spec.neuralnetworkregressor());
    case Spec::kNeuralNetworkClassifier: {
      NetworkView v = view_of(spec.neuralnetworkclassifier());
      v.classifier = &spec.neuralnetworkclassifier();
      return v;
    }
    default: return {};
  }
}

google::protobuf::RepeatedPtrField<spec::NeuralNetworkLayer>* mutable_network_layers(Spec& spec) {
  switch (spec.Type_case()) {
    case Spec::kNeuralNetwork: return spec.mutable_neuralnetwork()->mutable_layers();
    case Spec::kNeuralNetworkRegressor:
      return spec.mutable_neuralnetworkregressor()->mutable_layers();
    case Spec::kNeuralNetworkClassifier:
      return spec.mutable_neuralnetworkclassifier()->mutable_layers();
    default: return nullptr;
  }
}

}  // namespace morel
