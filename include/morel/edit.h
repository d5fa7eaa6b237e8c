// Editing a finished model: declare flexible input shapes or image sizes,
// set metadata and descriptions, rename inputs and outputs. Before handing
// the result back, morel plans the network at the new shapes so that a model
// that could not run at them is refused now, naming the layer that breaks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "morel/model.h"
#include "morel/spec.h"

namespace morel {

// One dimension's allowed sizes; upper -1 means unbounded.
struct DimRange {
  int64_t lower = 1;
  int64_t upper = -1;
  friend bool operator==(const DimRange&, const DimRange&) = default;
};

struct ModelEdits {
  // Multi-array inputs: a list of shapes, or one range per dimension.
  std::map<std::string, std::vector<std::vector<int64_t>>> enumerated_shapes;
  std::map<std::string, std::vector<DimRange>> shape_ranges;
  // Image inputs: a list of (width, height), or a width range and a height range.
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> image_sizes;
  std::map<std::string, std::pair<DimRange, DimRange>> image_size_ranges;

  std::optional<std::string> author, license, description, version;
  std::map<std::string, std::string> input_descriptions, output_descriptions, user_defined;

  // OLD -> NEW; every use inside the network is renamed too.
  std::map<std::string, std::string> rename_inputs, rename_outputs;
};

// Apply `edits` to a copy of `spec`, raise the specification version only
// as far as the new features need, and check that the network plans at every
// enumerated shape and at the smallest and largest shape of every range
// (an unbounded range is tried at twice its lower bound or default, whichever
// is larger). Throws Error naming the feature, shape and layer at fault.
Spec edit_model(const Spec& spec, const ModelEdits& edits, const ModelOptions& options = {});

// Text forms used by `morel edit`:
//   "1x3x224x224,1x3x320x320"  -> shapes        (parse_shape_list)
//   "1x3x[64..512]x[64..]"      -> one range per dimension; a plain number
//                                  is a fixed size (parse_shape_range)
//   "224x224,320x320"           -> (width, height) pairs (parse_image_sizes)
// Each throws Error(kInvalidArgument) quoting the text when it is malformed.
std::vector<std::vector<int64_t>> parse_shape_list(std::string_view text);
std::vector<DimRange> parse_shape_range(std::string_view text);
std::vector<std::pair<int64_t, int64_t>> parse_image_sizes(std::string_view text);

}  // namespace morel
