#include "tools/compare_inputs.h"

#include <memory>

#include "morel/error.h"

namespace morel::tools {

namespace fs = std::filesystem;

std::vector<fs::path> sample_files(const spec::ModelDescription& description, const fs::path& dir,
                                   std::vector<fs::path>* skipped) {
  if (description.input_size() != 1)
    throw Error(ErrorCode::kInvalidArgument,
                "a folder of samples needs a model with one input; this one has " +
                    std::to_string(description.input_size()) + ": " + describe_inputs(description) +
                    " (give each input as --input NAME=FILE)");
  return folder_items(description.input(0), dir, skipped);
}

SampleSource folder_samples(const spec::ModelDescription& description, std::vector<fs::path> files,
                            const InputOptions& options) {
  auto shared = std::make_shared<const std::vector<fs::path>>(std::move(files));
  SampleSource source;
  source.count = static_cast<int64_t>(shared->size());
  source.load = [shared, input = description.input(0), options](int64_t i) {
    FeatureMap sample;
    sample[input.name()] =
        load_input_value(input, (*shared)[static_cast<size_t>(i)].string(), options);
    return sample;
  };
  source.name = [shared](int64_t i) {
    return (*shared)[static_cast<size_t>(i)].filename().string();
  };
  return source;
}

FeatureMap sample_from_arguments(const spec::ModelDescription& description,
                                 const std::vector<std::string>& arguments,
                                 std::string_view model_label, const InputOptions& options) {
  FeatureMap sample;
  std::vector<std::string> given;
  for (const std::string& text : arguments) {
    const InputArgument arg = parse_input_argument(text);
    const spec::FeatureDescription& input = find_input(description, arg.name, model_label);
    if (sample.count(arg.name))
      throw Error(ErrorCode::kInvalidInput, "input '" + arg.name + "' is given twice");
    sample[arg.name] = load_input_value(input, arg.value, options);
    given.push_back(arg.name);
  }
  check_required_inputs(description, given);
  return sample;
}

}  // namespace morel::tools
