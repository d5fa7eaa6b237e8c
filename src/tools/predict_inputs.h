// Turning what a user types for a model input (NAME=FILE, NAME=VALUE,
// NAME=FOLDER/) into feature values, with errors that name the input, list
// the model's inputs and say what was expected.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/image_resize.h"
#include "morel/features.h"
#include "morel/spec.h"

namespace morel::tools {

// One --input NAME=VALUE argument, split at the first '='.
struct InputArgument {
  std::string name;
  std::string value;
};
// Throws Error(kInvalidArgument) when there is no '=' or the name is empty.
InputArgument parse_input_argument(std::string_view text);

// "image (image RGB 28x28), scale (double)": the inputs a model takes.
std::string describe_inputs(const spec::ModelDescription& description);

// The description of input `name`; throws Error(kInvalidInput) naming the
// model (`model_label`) and listing its inputs when it has none by that name.
const spec::FeatureDescription& find_input(const spec::ModelDescription& description,
                                           const std::string& name, std::string_view model_label);

// Throws Error(kInvalidInput) for the first required input not in `given`.
void check_required_inputs(const spec::ModelDescription& description,
                           const std::vector<std::string>& given);

struct InputOptions {
  io::ImageScale image_scale = io::ImageScale::kCenterCrop;
};

// The value for one input: an image file (PNG / JPEG, scaled to a size the
// input accepts), a .npy file for a multi-array, or the text itself parsed
// as an int64, a double or a string. Errors name the input and the file.
FeatureValue load_input_value(const spec::FeatureDescription& input, const std::string& value,
                              const InputOptions& options = {});

// Whether an input's values come from files (images, multi-arrays).
bool takes_files(const spec::FeatureType& type);

// The files of `folder` that can feed `input`, sorted by name: images
// (.png, .jpg, .jpeg) for an image input, .npy files for a multi-array.
// Hidden files are ignored; other files are listed in `skipped`. Throws
// Error(kInvalidInput) when the folder is missing or nothing in it fits.
std::vector<std::filesystem::path> folder_items(
    const spec::FeatureDescription& input, const std::filesystem::path& folder,
    std::vector<std::filesystem::path>* skipped = nullptr);

// Throws Error(kInvalidInput) when two files share a stem (a.png, a.jpg):
// per-item outputs are kept in a folder named after the stem.
void check_distinct_stems(const std::vector<std::filesystem::path>& items);

}  // namespace morel::tools
