// Custom layers: nodes converted by a user conversion function, and nodes
// kept as generic custom layers (add_custom_layers / custom_layer_class_names)
// that carry their attributes as parameters and their constant inputs as
// weights.
#pragma once

#include <map>
#include <string>

#include "convert/onnx/context.h"

namespace morel::onnxc {

// Shapes and element types the model itself declares (graph outputs and
// value_info) with every dimension known, by value name.
struct DeclaredType {
  int dtype = kFloat;
  Dims shape;
};
using DeclaredTypes = std::map<std::string, DeclaredType>;

// The public view of a node handed to conversion functions.
OnnxNode public_node(const Context& cx, const Node& node);

// Run the user's conversion function for this node; false when it declines.
bool convert_with_function(Context& cx, const Node& node, const OnnxConversionFunction& fn,
                           const DeclaredTypes& declared);

// Keep the node as a custom layer of class `class_name`.
void convert_as_custom_layer(Context& cx, const Node& node, const std::string& class_name,
                             const DeclaredTypes& declared);

}  // namespace morel::onnxc
