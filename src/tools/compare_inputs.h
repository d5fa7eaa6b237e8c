// Inputs for `morel compare`: one sample per file of a folder, read when its
// turn comes (a big folder need not fit in memory), or one sample from
// NAME=VALUE arguments. Values are read the way `morel predict` reads them
// (tools/predict_inputs.h): images scaled to the input's size, .npy arrays,
// and numbers or strings typed on the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "morel/compare.h"
#include "morel/spec.h"
#include "tools/predict_inputs.h"

namespace morel::tools {

// The sample files of `dir` for a model with exactly one input, sorted by
// name: images for an image input, .npy files for a multi-array input.
// Throws Error(kInvalidArgument) when the model has several inputs (saying
// to give NAME=FILE pairs), Error(kInvalidInput) when the folder is missing
// or holds no fitting file. Other files are listed in `skipped`.
std::vector<std::filesystem::path> sample_files(const spec::ModelDescription& description,
                                                const std::filesystem::path& dir,
                                                std::vector<std::filesystem::path>* skipped);

// Samples from those files, each read when compare_models asks for it.
SampleSource folder_samples(const spec::ModelDescription& description,
                            std::vector<std::filesystem::path> files, const InputOptions& options);

// One sample from NAME=VALUE arguments. Errors name the argument: not
// NAME=VALUE (kInvalidArgument), a name the model does not take, a name
// given twice, a required input missing, or a value that cannot be read
// (kInvalidInput or kIo).
FeatureMap sample_from_arguments(const spec::ModelDescription& description,
                                 const std::vector<std::string>& arguments,
                                 std::string_view model_label, const InputOptions& options);

}  // namespace morel::tools
