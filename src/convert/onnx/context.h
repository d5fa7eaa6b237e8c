// The state of one conversion: every ONNX value seen so far (its static shape,
// element type, its data when known at conversion time, and the run-time blob
// that holds it), the Core ML layers emitted, and unique naming.
//
// Every emitted layer is lowered with the runtime's own layer code right away,
// so the converter knows the exact shape each blob will have at run time and
// checks it against the ONNX shape (rank-0 ONNX values run as shape [1]).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "Model.pb.h"
#include "convert/onnx/node.h"
#include "convert/onnx/tensor.h"
#include "morel/convert_onnx.h"

namespace morel::onnxc {

struct Value {
  int dtype = kFloat;
  Dims shape;                      // the ONNX shape
  std::optional<Tensor> constant;  // known at conversion time
  std::string blob;                // the run-time blob; "" until a constant is needed at run time
};

// The run-time shape of an ONNX shape: rank 0 runs as [1].
Dims runtime_dims(const Dims& shape);

class Context {
 public:
  Context(const OnnxConvertOptions& options, std::filesystem::path base_dir);

  const OnnxConvertOptions& options() const { return options_; }
  const std::filesystem::path& base_dir() const { return base_dir_; }

  // --- values ---------------------------------------------------------------
  bool has_value(const std::string& name) const { return values_.count(name) != 0; }
  // Throws Error(kInvalidModel) for a value used before it is defined.
  const Value& value(const std::string& name) const;
  // Input i of the node; throws when it is missing (naming the node).
  const Value& input(const Node& node, int i) const;
  // Input i's data when known at conversion time; nullptr when the input is
  // omitted or only known at run time.
  const Tensor* constant_input(const Node& node, int i) const;
  // Like constant_input, but an input only known at run time is an
  // Error(kUnsupported) saying that `what` must be constant.
  const Tensor& require_constant(const Node& node, int i, const std::string& what) const;

  void define_constant(const std::string& name, Tensor t);
  // A value held at run time by `blob`. Its run-time shape must equal
  // runtime_dims(shape); when only the arrangement of dimensions differs
  // (same count) a reshape is added. A count mismatch is a converter bug and
  // throws naming the node.
  void define(const Node& node, const std::string& name, const std::string& blob, int dtype,
              const Dims& shape);
  void define_input(const std::string& name, int dtype, const Dims& shape);
  // `name` is the same value as `from` (Identity, Dropout, no-op Cast).
  void alias(const std::string& name, const std::string& from, std::optional<int> dtype = {});

  // The run-time blob holding a value; a constant gets a loadConstantND layer
  // the first time it is needed.
  std::string blob(const std::string& value_name);
  std::string input_blob(const Node& node, int i);

  // --- emission -------------------------------------------------------------
  // A blob name not used before and not reserved, close to `hint`.
  std::string fresh(const std::string& hint);
  // Names that only the final outputs may take (graph inputs and outputs).
  void reserve(const std::string& name) { reserved_.insert(name); }
  std::string layer_name(const std::string& hint);

  // Append a layer (name, inputs and outputs set) and return its output
  // shapes, as the runtime infers them from the input blobs' shapes.
  std::vector<Dims> emit(spec::NeuralNetworkLayer&& layer);
  // Append a layer whose output shapes are given (constants, custom layers).
  void emit_known(spec::NeuralNetworkLayer&& layer, const std::vector<Dims>& output_shapes);
  const Dims& blob_shape(const std::string& blob) const;
  bool has_blob(const std::string& blob) const { return blob_shapes_.count(blob) != 0; }

  spec::NeuralNetwork& network() { return network_; }
  // Custom layer classNames used, in order of first use.
  std::vector<std::string>& custom_classes() { return custom_classes_; }

  // The node being converted, for messages from emit().
  void set_current(const Node* node) { current_ = node; }

  // Undo everything emitted since a mark (a conversion attempt that failed).
  struct Mark {
    int layers = 0;
    size_t journal = 0;
  };
  Mark mark() const { return {network_.layers_size(), journal_.size()}; }
  void rollback(const Mark& m);

 private:
  std::string where() const;

  const OnnxConvertOptions& options_;
  std::filesystem::path base_dir_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, Dims> blob_shapes_;
  std::set<std::string> used_blobs_, reserved_, used_layers_;
  std::map<std::string, int> next_suffix_;
  spec::NeuralNetwork network_;
  std::vector<std::string> custom_classes_;
  const Node* current_ = nullptr;
  // What to undo on rollback: (kind, name). Kinds: value defined, constant
  // materialized, blob created, layer name used.
  enum class Undo { kValue, kMaterialized, kBlob, kLayerName };
  std::vector<std::pair<Undo, std::string>> journal_;
};

}  // namespace morel::onnxc
