// Inputs for `morel compare` from files: .npy arrays and PNG / JPEG images,
// one sample per file of a folder, or one sample from NAME=FILE pairs.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "morel/compare.h"
#include "morel/spec.h"

namespace morel::tools {

struct Sample {
  std::string name;  // the file (folder samples) or "NAME=FILE, ..." pairs
  FeatureMap inputs;
};

// File types a sample may come from: ".npy", ".png", ".jpg", ".jpeg".
bool is_sample_file(const std::filesystem::path& file);

// The value of model input `input` read from `file`: an .npy file for a
// multi-array input, an image file for an image input. Throws
// Error(kInvalidInput) naming the file and the input when the kinds differ
// or the file cannot be decoded (Error(kIo) when it cannot be read).
FeatureValue read_input_file(const spec::FeatureDescription& input,
                             const std::filesystem::path& file);

// One sample per sample file in `dir`, sorted by file name, for a model with
// exactly one input (Error(kInvalidArgument) otherwise, saying to use
// NAME=FILE pairs). Other files are skipped and listed in `skipped`.
// Error(kIo) when the folder cannot be read or holds no sample file.
std::vector<Sample> samples_from_dir(const spec::ModelDescription& description,
                                     const std::filesystem::path& dir,
                                     std::vector<std::string>* skipped = nullptr);

// One sample from NAME=FILE pairs. Error(kInvalidArgument) when a name is not
// an input of the model (listing its inputs) or appears twice.
Sample sample_from_files(const spec::ModelDescription& description,
                         const std::vector<std::pair<std::string, std::filesystem::path>>& files);

}  // namespace morel::tools
