#include "tools/compare_inputs.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "io/image_file.h"
#include "io/npy.h"
#include "morel/error.h"

namespace morel::tools {

namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_image_file(const fs::path& file) {
  const std::string ext = lower_extension(file);
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

// "image (image RGB 32x32), label (multiArray float32 10)".
std::string input_list(const spec::ModelDescription& d) {
  std::string out;
  for (const auto& f : d.input())
    out += (out.empty() ? "" : ", ") + f.name() + " (" + describe_feature_type(f.type()) + ")";
  return out.empty() ? "none" : out;
}

}  // namespace

bool is_sample_file(const fs::path& file) {
  return lower_extension(file) == ".npy" || is_image_file(file);
}

FeatureValue read_input_file(const spec::FeatureDescription& input, const fs::path& file) {
  const std::string what =
      "input '" + input.name() + "' (" + describe_feature_type(input.type()) + ")";
  if (input.type().has_imagetype()) {
    if (!is_image_file(file))
      throw Error(ErrorCode::kInvalidInput, what + " takes an image file (.png, .jpg, .jpeg); " +
                                                file.string() + " is not one");
    return io::read_image(file);
  }
  if (input.type().has_multiarraytype()) {
    if (lower_extension(file) != ".npy")
      throw Error(ErrorCode::kInvalidInput,
                  what + " takes a .npy array file; " + file.string() + " is not one");
    return io::read_npy(file);
  }
  throw Error(ErrorCode::kUnsupported,
              what + " cannot be read from a file (only multi-array and image inputs can)");
}

std::vector<Sample> samples_from_dir(const spec::ModelDescription& description, const fs::path& dir,
                                     std::vector<std::string>* skipped) {
  if (description.input_size() != 1)
    throw Error(ErrorCode::kInvalidArgument,
                "a folder of samples needs a model with one input; this one has " +
                    std::to_string(description.input_size()) + ": " + input_list(description) +
                    " (give each input as NAME=FILE instead)");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorCode::kIo, "'" + dir.string() + "' is not a folder");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (is_sample_file(it->path())) {
      files.push_back(it->path());
    } else if (skipped) {
      skipped->push_back(it->path().filename().string());
    }
  }
  if (ec) throw Error(ErrorCode::kIo, "cannot list folder '" + dir.string() + "': " + ec.message());
  if (files.empty())
    throw Error(ErrorCode::kIo,
                "folder '" + dir.string() + "' holds no sample file (.npy, .png, .jpg, .jpeg)");
  std::sort(files.begin(), files.end());
  if (skipped) std::sort(skipped->begin(), skipped->end());
  const spec::FeatureDescription& input = description.input(0);
  std::vector<Sample> samples;
  for (const fs::path& f : files) {
    Sample s;
    s.name = f.filename().string();
    s.inputs[input.name()] = read_input_file(input, f);
    samples.push_back(std::move(s));
  }
  return samples;
}

Sample sample_from_files(const spec::ModelDescription& description,
                         const std::vector<std::pair<std::string, fs::path>>& files) {
  Sample sample;
  for (const auto& [name, file] : files) {
    const spec::FeatureDescription* input = nullptr;
    for (const auto& f : description.input())
      if (f.name() == name) input = &f;
    if (!input)
      throw Error(ErrorCode::kInvalidArgument,
                  "'" + name +
                      "' is not an input of the model; its inputs are: " + input_list(description));
    if (sample.inputs.count(name))
      throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' is given twice");
    sample.inputs[name] = read_input_file(*input, file);
    sample.name += (sample.name.empty() ? "" : ", ") + name + "=" + file.filename().string();
  }
  for (const auto& f : description.input())
    if (!sample.inputs.count(f.name()) && !f.type().isoptional())
      throw Error(ErrorCode::kInvalidArgument,
                  "input '" + f.name() + "' (" + describe_feature_type(f.type()) +
                      ") is not given; pass it as " + f.name() + "=FILE");
  return sample;
}

}  // namespace morel::tools
