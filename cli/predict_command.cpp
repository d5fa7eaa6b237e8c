// morel predict MODEL --input NAME=FILE|VALUE|FOLDER/ ...: run a model once,
// or over every file of a folder (batch), and print or save its outputs.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "classifier_view.h"
#include "commands.h"
#include "feature_table.h"
#include "io/npy.h"
#include "json_output.h"
#include "morel/error.h"
#include "progress.h"
#include "tools/load_model.h"
#include "tools/predict_inputs.h"

namespace morel::cli {

namespace {

namespace fs = std::filesystem;

// Predictions handed to the runtime at once in a batch: enough to stack,
// few enough to keep the progress bar moving and memory flat.
constexpr size_t kBatchChunk = 16;

struct PredictArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  bool json = false;
  int top_k = 5;
  int threads = 0;
  std::vector<std::string> plugins;
  std::string image_scale = "center-crop";
};

// A feature name as a file name: characters outside [A-Za-z0-9._-] become
// '_'; a name taken already gets a numbered suffix.
std::string file_stem_for(const std::string& name, std::set<std::string>& taken) {
  std::string s;
  for (unsigned char c : name)
    s += std::isalnum(c) || c == '.' || c == '_' || c == '-' ? char(c) : '_';
  if (s.empty() || s == "." || s == "..") s = "output";
  std::string unique = s;
  for (int i = 2; !taken.insert(unique).second; ++i) unique = s + "_" + std::to_string(i);
  return unique;
}

// Save every multi-array output to dir/<name>.npy; returns name -> path.
std::map<std::string, std::string> save_arrays(const FeatureMap& outputs, const fs::path& dir) {
  std::map<std::string, std::string> files;
  std::set<std::string> taken;
  for (const auto& [name, value] : outputs) {
    const auto* a = std::get_if<MultiArray>(&value);
    if (!a) continue;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw Error(ErrorCode::kIo,
                  dir.string() + ": cannot create the output folder: " + ec.message());
    fs::path path = dir / (file_stem_for(name, taken) + ".npy");
    io::write_npy(path, *a);
    files[name] = path.string();
  }
  return files;
}

// What the user asked for, checked against the model.
struct Request {
  FeatureMap fixed;          // inputs that are the same for every item
  std::string folder_input;  // the input fed from a folder (batch), if any
  const spec::FeatureDescription* folder_feature = nullptr;
  fs::path folder;
};

// The --input arguments split into name and value; malformed or repeated
// ones are usage errors, found before the model is even opened.
std::vector<tools::InputArgument> parse_inputs(const PredictArgs& args) {
  std::vector<tools::InputArgument> given;
  for (const std::string& text : args.inputs) {
    tools::InputArgument a;
    try {
      a = tools::parse_input_argument(text);
    } catch (const Error& e) {
      throw CLI::ValidationError("--input", e.what());
    }
    for (const auto& earlier : given)
      if (earlier.name == a.name)
        throw CLI::ValidationError("--input", "input '" + a.name + "' is given twice");
    given.push_back(std::move(a));
  }
  return given;
}

Request resolve_inputs(const PredictArgs& args, const std::vector<tools::InputArgument>& given,
                       const Model& model) {
  const spec::ModelDescription& desc = model.description();
  tools::InputOptions options;
  options.image_scale = *io::parse_image_scale(args.image_scale);  // CLI11 checked the name
  std::vector<std::string> names;
  for (const auto& a : given) names.push_back(a.name);
  // Every name first, so that a typo is reported before any file is read.
  for (const auto& a : given) tools::find_input(desc, a.name, args.model);
  tools::check_required_inputs(desc, names);

  Request r;
  for (const auto& a : given) {
    const spec::FeatureDescription& f = tools::find_input(desc, a.name, args.model);
    std::error_code ec;
    bool folder =
        tools::takes_files(f.type()) && (fs::is_directory(a.value, ec) || a.value.ends_with('/'));
    if (folder) {
      if (!r.folder_input.empty())
        throw CLI::ValidationError("--input",
                                   "inputs '" + r.folder_input + "' and '" + a.name +
                                       "' both name folders; a batch reads one folder "
                                       "(the other inputs stay the same for every item)");
      r.folder_input = a.name;
      r.folder_feature = &f;
      r.folder = a.value;
      continue;
    }
    r.fixed[a.name] = tools::load_input_value(f, a.value, options);
  }
  return r;
}

JsonOptions json_options(const PredictArgs& args, std::map<std::string, std::string> files) {
  JsonOptions o;
  o.top_k = args.top_k;
  o.files = std::move(files);
  return o;
}

void predict_one(const PredictArgs& args, const Model& model, const Request& request) {
  FeatureMap outputs = model.predict(request.fixed);
  std::map<std::string, std::string> files;
  if (!args.output_dir.empty()) files = save_arrays(outputs, args.output_dir);
  if (args.json) {
    nlohmann::json doc = {{"outputs", features_to_json(outputs, json_options(args, files))}};
    nlohmann::json classifier = classifier_to_json(model.description(), outputs, args.top_k);
    if (!classifier.is_null()) doc["classifier"] = std::move(classifier);
    std::cout << pretty_json(doc) << "\n";
    return;
  }
  TableOptions t;
  t.top_k = args.top_k;
  t.files = std::move(files);
  print_prediction(std::cout, model.description(), outputs, t);
}

// The runtime's error for a chunk does not say which item failed; find it.
[[noreturn]] void rethrow_for_item(const Model& model, const std::vector<FeatureMap>& items,
                                   const std::vector<fs::path>& files, size_t first,
                                   const Error& error) {
  for (size_t i = 0; i < items.size(); ++i) {
    try {
      (void)model.predict(items[i]);
    } catch (const Error& e) {
      throw Error(e.code(), files[first + i].string() + ": " + e.what());
    }
  }
  throw error;
}

void predict_folder(const PredictArgs& args, const Model& model, const Request& request) {
  const spec::ModelDescription& desc = model.description();
  std::vector<fs::path> skipped;
  std::vector<fs::path> files =
      tools::folder_items(*request.folder_feature, request.folder, &skipped);
  if (!args.output_dir.empty()) tools::check_distinct_stems(files);
  if (!skipped.empty()) {
    std::string list;
    for (size_t i = 0; i < skipped.size() && i < 3; ++i)
      list += (i ? ", " : "") + skipped[i].filename().string();
    if (skipped.size() > 3) list += ", ...";
    std::cerr << "morel: warning: skipped " << skipped.size() << " file"
              << (skipped.size() == 1 ? "" : "s") << " in " << request.folder.string() << " that "
              << (skipped.size() == 1 ? "is not " : "are not ")
              << (request.folder_feature->type().has_imagetype() ? "PNG or JPEG" : ".npy") << " ("
              << list << ")\n";
  }
  tools::InputOptions options;
  options.image_scale = *io::parse_image_scale(args.image_scale);

  TableOptions table_options;
  table_options.top_k = args.top_k;
  std::unique_ptr<Table> table;
  bool large_unsaved = false;

  Progress progress("predicting", static_cast<int64_t>(files.size()));
  const auto start = std::chrono::steady_clock::now();
  for (size_t first = 0; first < files.size(); first += kBatchChunk) {
    size_t n = std::min(kBatchChunk, files.size() - first);
    std::vector<FeatureMap> items;
    items.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      FeatureMap item = request.fixed;
      item[request.folder_input] =
          tools::load_input_value(*request.folder_feature, files[first + i].string(), options);
      items.push_back(std::move(item));
    }
    std::vector<FeatureMap> results;
    try {
      results = model.predict_batch(items);
    } catch (const Error& e) {
      progress.clear();
      rethrow_for_item(model, items, files, first, e);
    }

    if (args.json && stdout_is_terminal()) progress.clear();
    for (size_t i = 0; i < n; ++i) {
      const fs::path& file = files[first + i];
      const FeatureMap& outputs = results[i];
      std::map<std::string, std::string> saved;
      if (!args.output_dir.empty())
        saved = save_arrays(outputs, fs::path(args.output_dir) / file.stem());
      if (args.json) {
        JsonOptions jo = json_options(args, saved);
        nlohmann::json line = {{"input_file", file.string()},
                               {"outputs", features_to_json(outputs, jo)}};
        nlohmann::json classifier = classifier_to_json(desc, outputs, args.top_k);
        if (!classifier.is_null()) line["classifier"] = std::move(classifier);
        std::cout << line.dump() << "\n";
        for (const auto& [name, value] : outputs)
          if (const auto* a = std::get_if<MultiArray>(&value))
            large_unsaved =
                large_unsaved ||
                (static_cast<size_t>(a->count()) > jo.max_inline_values && saved.empty());
        continue;
      }
      std::optional<ClassifierResult> classifier = classifier_result(desc, outputs, args.top_k);
      if (!table) {
        std::vector<std::string> header = {"input"};
        if (classifier) header.insert(header.end(), {"label", "top " + std::to_string(args.top_k)});
        for (const auto& [name, value] : outputs)
          if (!classifier ||
              (name != classifier->label_feature && name != classifier->probabilities_feature))
            header.push_back(name);
        table = std::make_unique<Table>(header);
      }
      std::vector<std::string> row = {file.string()};
      if (classifier) {
        row.push_back(label_text(classifier->label));
        row.push_back(feature_value_text(outputs.at(classifier->probabilities_feature.empty()
                                                        ? classifier->label_feature
                                                        : classifier->probabilities_feature),
                                         table_options));
      }
      for (const auto& [name, value] : outputs)
        if (!classifier ||
            (name != classifier->label_feature && name != classifier->probabilities_feature))
          row.push_back(feature_value_text(value, table_options));
      table->add(std::move(row));
    }
    std::cout.flush();
    progress.advance(static_cast<int64_t>(n));
  }
  progress.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (table) table->print(std::cout);
  if (!args.output_dir.empty() && !args.json)
    std::cout << "\noutputs saved as "
              << (fs::path(args.output_dir) / "<input name>" / "<output>.npy").string() << "\n";
  if (large_unsaved)
    std::cerr
        << "morel: warning: arrays over 1000 values are given as shape only; pass --output-dir to "
           "save them\n";
  char line[160];
  std::snprintf(line, sizeof line, "predicted %zu item%s in %.3f s (%.1f items/s)\n", files.size(),
                files.size() == 1 ? "" : "s", seconds,
                seconds > 0 ? double(files.size()) / seconds : 0.0);
  std::cerr << line;
}

void run_predict(const PredictArgs& args) {
  ModelOptions options;
  options.threads = args.threads;
  for (const std::string& p : args.plugins) options.plugins.emplace_back(p);
  std::vector<tools::InputArgument> given = parse_inputs(args);
  Model model = tools::load_any_model(args.model, options);
  Request request = resolve_inputs(args, given, model);
  if (request.folder_input.empty())
    predict_one(args, model, request);
  else
    predict_folder(args, model, request);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Run a model on images, .npy arrays or values and show its outputs");
  cmd->add_option("model", args->model,
                  "The model: a .mlmodel file (.onnx once the ONNX converter is built)")
      ->required();
  cmd->add_option(
         "--input,-i", args->inputs,
         "NAME=FILE for an image (PNG, JPEG) or multi-array (.npy) input; NAME=VALUE for an "
         "int64, double or string input; NAME=FOLDER/ to predict every file of a folder. Repeat "
         "for each input")
      ->type_name("NAME=VALUE");
  cmd->add_option("--output-dir,-o", args->output_dir,
                  "Save each multi-array output as DIR/<output>.npy (batch: DIR/<input file "
                  "name>/<output>.npy)")
      ->type_name("DIR");
  cmd->add_flag("--json", args->json, "Print JSON: one document, or one line per item in a batch");
  cmd->add_option("--top-k", args->top_k, "How many of a classifier's most probable labels to show")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option(
         "--image-scale", args->image_scale,
         "How an image is brought to the model's size: fill (stretch), fit (scale inside and pad "
         "with black), center-crop (scale the short side, crop the centre)")
      ->capture_default_str()
      ->check(CLI::IsMember({"fill", "fit", "center-crop"}));
  cmd->add_option("--threads", args->threads, "Threads per prediction (0: every hardware thread)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--plugin", args->plugins,
                  "A plugin library with custom layers or models (repeatable)")
      ->type_name("LIB.so");
  cmd->footer(
      "Examples:\n"
      "  morel predict classifier.mlmodel --input image=cat.jpg --top-k 3\n"
      "  morel predict net.mlmodel --input x=x.npy --output-dir out --json\n"
      "  morel predict classifier.mlmodel --input image=photos/ --json > results.jsonl");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace morel::cli
