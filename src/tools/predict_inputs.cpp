#include "tools/predict_inputs.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <map>

#include "io/image_file.h"
#include "io/model_image.h"
#include "io/npy.h"
#include "morel/error.h"

namespace morel::tools {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = lower(p.extension().string());
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

bool is_npy_file(const std::filesystem::path& p) {
  return lower(p.extension().string()) == ".npy";
}

std::string what_it_takes(const spec::FeatureType& type) {
  return type.has_imagetype() ? "a PNG or JPEG image" : "a .npy file";
}

// The file behind a path-valued input, checked to be there and not a folder.
std::filesystem::path existing_file(const spec::FeatureDescription& input,
                                    const std::string& value) {
  std::error_code ec;
  std::filesystem::path path(value);
  if (std::filesystem::is_directory(path, ec))
    throw Error(ErrorCode::kInvalidInput,
                "input '" + input.name() + "': '" + value + "' is a folder; give " +
                    what_it_takes(input.type()) +
                    ", or end the folder with '/' to predict every file in it");
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::kInvalidInput, "input '" + input.name() + "' (" +
                                              describe_feature_type(input.type()) +
                                              "): no such file '" + value + "' (it takes " +
                                              what_it_takes(input.type()) + ")");
  return path;
}

// Library errors about a file already name it; add the input.
template <class F>
auto naming_input(const spec::FeatureDescription& input, F&& load) {
  try {
    return load();
  } catch (const Error& e) {
    throw Error(e.code() == ErrorCode::kIo ? ErrorCode::kIo : ErrorCode::kInvalidInput,
                "input '" + input.name() + "': " + e.what());
  }
}

}  // namespace

InputArgument parse_input_argument(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw Error(
        ErrorCode::kInvalidArgument,
        "--input '" + std::string(text) + "' is not NAME=VALUE (e.g. --input image=cat.png)");
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string describe_inputs(const spec::ModelDescription& description) {
  std::string list;
  for (const auto& f : description.input())
    list += (list.empty() ? "" : ", ") + f.name() + " (" + describe_feature_type(f.type()) + ")";
  return list.empty() ? "none" : list;
}

const spec::FeatureDescription& find_input(const spec::ModelDescription& description,
                                           const std::string& name, std::string_view model_label) {
  for (const auto& f : description.input())
    if (f.name() == name) return f;
  throw Error(ErrorCode::kInvalidInput, "input '" + name + "' is not an input of " +
                                            std::string(model_label) +
                                            "; its inputs are: " + describe_inputs(description));
}

void check_required_inputs(const spec::ModelDescription& description,
                           const std::vector<std::string>& given) {
  for (const auto& f : description.input()) {
    if (f.type().isoptional() || std::find(given.begin(), given.end(), f.name()) != given.end())
      continue;
    std::string example =
        takes_files(f.type()) ? (f.type().has_imagetype() ? "IMAGE.png" : "ARRAY.npy") : "VALUE";
    throw Error(ErrorCode::kInvalidInput,
                "missing input '" + f.name() + "' (" + describe_feature_type(f.type()) +
                    "); give it with --input " + f.name() + "=" + example);
  }
}

bool takes_files(const spec::FeatureType& type) {
  return type.has_imagetype() || type.has_multiarraytype();
}

FeatureValue load_input_value(const spec::FeatureDescription& input, const std::string& value,
                              const InputOptions& options) {
  const spec::FeatureType& type = input.type();
  switch (type.Type_case()) {
    case spec::FeatureType::kImageType: {
      std::filesystem::path path = existing_file(input, value);
      return naming_input(input, [&] {
        return io::image_for_input(io::read_image(path), type.imagetype(), options.image_scale);
      });
    }
    case spec::FeatureType::kMultiArrayType: {
      std::filesystem::path path = existing_file(input, value);
      return naming_input(input, [&] { return io::read_npy(path); });
    }
    case spec::FeatureType::kInt64Type: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size())
        throw Error(ErrorCode::kInvalidInput, "input '" + input.name() + "' is an int64; '" +
                                                  value + "' is not a 64-bit integer");
      return v;
    }
    case spec::FeatureType::kDoubleType: {
      // strtod also takes "inf" and "nan"; from_chars for double is missing in older libstdc++.
      errno = 0;
      char* end = nullptr;
      double v = value.empty() ? 0 : std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE ||
          std::isspace(static_cast<unsigned char>(value[0])))
        throw Error(ErrorCode::kInvalidInput,
                    "input '" + input.name() + "' is a double; '" + value + "' is not a number");
      return v;
    }
    case spec::FeatureType::kStringType: return value;
    default:
      throw Error(ErrorCode::kUnsupported, "input '" + input.name() + "' is " +
                                               describe_feature_type(type) +
                                               "; morel predict takes images, multi-arrays, int64, "
                                               "double and string inputs");
  }
}

std::vector<std::filesystem::path> folder_items(const spec::FeatureDescription& input,
                                                const std::filesystem::path& folder,
                                                std::vector<std::filesystem::path>* skipped) {
  const spec::FeatureType& type = input.type();
  if (!takes_files(type))
    throw Error(ErrorCode::kInvalidInput,
                "input '" + input.name() + "' is " + describe_feature_type(type) +
                    "; only image and multi-array inputs can come from a folder");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw Error(ErrorCode::kInvalidInput,
                "input '" + input.name() + "': no such folder '" + folder.string() + "'");
  std::vector<std::filesystem::path> items;
  std::filesystem::directory_iterator it(folder, ec);
  if (ec)
    throw Error(ErrorCode::kIo, "input '" + input.name() + "': cannot list folder '" +
                                    folder.string() + "': " + ec.message());
  for (const auto& entry : it) {
    const std::filesystem::path& p = entry.path();
    std::string file = p.filename().string();
    if (file.empty() || file[0] == '.') continue;
    std::error_code fe;
    bool fits =
        entry.is_regular_file(fe) && (type.has_imagetype() ? is_image_file(p) : is_npy_file(p));
    if (fits)
      items.push_back(p);
    else if (skipped)
      skipped->push_back(p);
  }
  std::sort(items.begin(), items.end());
  if (skipped) std::sort(skipped->begin(), skipped->end());
  if (items.empty())
    throw Error(
        ErrorCode::kInvalidInput,
        "input '" + input.name() + "': folder '" + folder.string() + "' holds no " +
            (type.has_imagetype() ? "PNG or JPEG images (.png, .jpg, .jpeg)" : ".npy files"));
  return items;
}

void check_distinct_stems(const std::vector<std::filesystem::path>& items) {
  std::map<std::string, std::filesystem::path> stems;
  for (const auto& p : items) {
    auto [at, fresh] = stems.emplace(p.stem().string(), p);
    if (!fresh)
      throw Error(ErrorCode::kInvalidInput,
                  "'" + at->second.string() + "' and '" + p.string() + "' share the name '" +
                      p.stem().string() +
                      "'; their outputs would go to the same folder (rename one)");
  }
}

}  // namespace morel::tools
