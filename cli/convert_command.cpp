// morel convert IN.onnx -o OUT.mlmodel [options]: convert an ONNX model to a
// Core ML model, with image inputs, classifier labels, metadata, renames and
// custom layers for ops Core ML has no layer for.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "morel/convert_onnx.h"
#include "morel/custom_layer.h"
#include "morel/error.h"

namespace morel::cli {

namespace {

struct ConvertArgs {
  std::string input, output;
  std::vector<std::string> image_inputs;
  float scale = 1.f;
  std::string bias;
  bool bgr = false;
  std::string class_labels, probabilities_output, predicted_feature_name = "classLabel";
  std::string author, license, description, version;
  std::vector<std::string> input_descriptions, output_descriptions, renames, input_shapes;
  bool add_custom_layers = false;
  std::vector<std::string> custom_layers, plugins;
  bool json = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  throw CLI::ValidationError(message);
}

std::pair<std::string, std::string> split_pair(const std::string& s, const char* option) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0)
    usage_error(std::string(option) + " expects NAME=VALUE, got '" + s + "'");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

std::vector<float> parse_floats(const std::string& s, const char* option) {
  std::vector<float> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stof(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      usage_error(std::string(option) + ": '" + item + "' is not a number");
    }
  }
  return out;
}

std::vector<int64_t> parse_dims(const std::string& s, const std::string& name) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, 'x')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 1) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      usage_error("--input-shape " + name + "=" + s + ": expected dimensions like 1x3x224x224");
    }
  }
  if (out.empty()) usage_error("--input-shape " + name + "= gives no dimensions");
  return out;
}

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kIo, "cannot open class labels file " + path);
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) labels.push_back(line);
  }
  if (labels.empty())
    throw Error(ErrorCode::kInvalidArgument, "class labels file " + path + " has no labels");
  return labels;
}

OnnxConvertOptions make_options(const ConvertArgs& a) {
  OnnxConvertOptions o;
  for (const auto& s : a.input_shapes) {
    auto [name, dims] = split_pair(s, "--input-shape");
    o.input_shapes[name] = parse_dims(dims, name);
  }
  std::vector<float> bias = a.bias.empty() ? std::vector<float>{} : parse_floats(a.bias, "--bias");
  if (!bias.empty() && bias.size() != 1 && bias.size() != 3)
    usage_error("--bias expects R,G,B (3 values) or one gray value, got " +
                std::to_string(bias.size()));
  if (a.image_inputs.empty() && (a.scale != 1.f || !bias.empty() || a.bgr))
    usage_error(
        "--scale, --bias and --bgr apply to image inputs; name one with --image-input NAME");
  for (const auto& name : a.image_inputs) {
    OnnxImageInput im;
    im.name = name;
    im.scale = a.scale;
    im.bgr = a.bgr;
    if (bias.size() == 3) {
      im.red_bias = bias[0];
      im.green_bias = bias[1];
      im.blue_bias = bias[2];
    } else if (bias.size() == 1) {
      im.gray_bias = bias[0];
    }
    o.image_inputs.push_back(im);
  }
  if (!a.class_labels.empty()) o.class_labels = read_labels(a.class_labels);
  o.probabilities_output = a.probabilities_output;
  o.predicted_feature_name = a.predicted_feature_name;
  o.author = a.author;
  o.license = a.license;
  o.description = a.description;
  o.version = a.version;
  for (const auto& s : a.input_descriptions)
    o.input_descriptions.insert(split_pair(s, "--input-description"));
  for (const auto& s : a.output_descriptions)
    o.output_descriptions.insert(split_pair(s, "--output-description"));
  for (const auto& s : a.renames) o.renames.insert(split_pair(s, "--rename"));
  o.add_custom_layers = a.add_custom_layers;
  for (const auto& s : a.custom_layers)
    o.custom_layer_class_names.insert(split_pair(s, "--custom-layer"));
  return o;
}

std::string feature_line(const spec::FeatureDescription& f) {
  return f.name() + "  " + describe_feature_type(f.type());
}

void run_convert(const ConvertArgs& a) {
  OnnxConvertOptions options = make_options(a);
  for (const auto& p : a.plugins) load_plugin(p);
  Spec spec = convert_onnx(a.input, options);
  save_spec(spec, a.output);

  NetworkView net = network_view(spec);
  std::vector<std::string> custom;
  for (const auto& l : *net.layers)
    if (l.has_custom() &&
        std::find(custom.begin(), custom.end(), l.custom().classname()) == custom.end())
      custom.push_back(l.custom().classname());
  const auto& d = spec.description();
  if (a.json) {
    nlohmann::json j;
    j["input"] = a.input;
    j["output"] = a.output;
    j["specification_version"] = spec.specificationversion();
    j["model_type"] = model_type_name(spec);
    j["layers"] = net.layers->size();
    for (const auto& f : d.input())
      j["inputs"].push_back({{"name", f.name()}, {"type", describe_feature_type(f.type())}});
    for (const auto& f : d.output())
      j["outputs"].push_back({{"name", f.name()}, {"type", describe_feature_type(f.type())}});
    j["custom_layer_classes"] = custom;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "converted " << a.input << " -> " << a.output << "\n"
            << "  model         " << model_type_name(spec) << ", specification version "
            << spec.specificationversion() << ", " << net.layers->size() << " layers\n";
  for (const auto& f : d.input()) std::cout << "  input         " << feature_line(f) << "\n";
  for (const auto& f : d.output()) std::cout << "  output        " << feature_line(f) << "\n";
  if (!custom.empty()) {
    std::cout << "  custom layers";
    for (const auto& c : custom) std::cout << " " << c;
    std::cout << " (the app must provide these classes)\n";
  }
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert an ONNX model to a Core ML .mlmodel");
  cmd->add_option("input", args->input, "The ONNX model (.onnx)")->required();
  cmd->add_option("-o,--output", args->output, "The Core ML model to write (.mlmodel)")->required();
  cmd->add_option("--input-shape", args->input_shapes,
                  "NAME=DIMS: static shape for an input with symbolic dimensions, e.g. "
                  "input=1x3x224x224 (default: symbolic dimensions become 1; repeatable)");
  cmd->add_option("--image-input", args->image_inputs,
                  "Make this [1, C, H, W] input an image (C = 3: color, 1: gray; repeatable)");
  cmd->add_option("--scale", args->scale, "Image inputs: pixel values are multiplied by this")
      ->capture_default_str();
  cmd->add_option("--bias", args->bias,
                  "Image inputs: added after scaling; R,G,B for color or one value for gray "
                  "(default: 0)");
  cmd->add_flag("--bgr", args->bgr, "Image inputs: the network wants channels in B, G, R order");
  cmd->add_option("--class-labels", args->class_labels,
                  "A text file with one class label per line: makes a classifier");
  cmd->add_option("--probabilities-output", args->probabilities_output,
                  "Classifier: the graph output holding the probabilities (default: the first)");
  cmd->add_option("--predicted-feature-name", args->predicted_feature_name,
                  "Classifier: the name of the predicted label output")
      ->capture_default_str();
  cmd->add_option("--author", args->author, "Metadata: author");
  cmd->add_option("--license", args->license, "Metadata: license");
  cmd->add_option("--description", args->description,
                  "Metadata: short description (default: the ONNX doc_string)");
  cmd->add_option("--version", args->version,
                  "Metadata: version string (default: the ONNX model_version)");
  cmd->add_option("--input-description", args->input_descriptions,
                  "NAME=TEXT: describe an input (repeatable)");
  cmd->add_option("--output-description", args->output_descriptions,
                  "NAME=TEXT: describe an output (repeatable)");
  cmd->add_option("--rename", args->renames,
                  "OLD=NEW: rename an input or output feature (repeatable)");
  cmd->add_flag("--add-custom-layers", args->add_custom_layers,
                "Keep ops that have no Core ML layer as custom layers (class name: the op type)");
  cmd->add_option("--custom-layer", args->custom_layers,
                  "OPTYPE=CLASSNAME: convert every OPTYPE node to a custom layer of this class "
                  "(repeatable)");
  cmd->add_option("--plugin", args->plugins,
                  "A plugin library whose custom layer classes are asked for output shapes "
                  "(repeatable)");
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->footer(
      "Examples:\n"
      "  morel convert resnet18.onnx -o resnet18.mlmodel\n"
      "  morel convert net.onnx -o net.mlmodel --image-input input --scale 0.0039215686 \\\n"
      "      --class-labels labels.txt --author 'Me' --license MIT\n"
      "  morel convert custom.onnx -o custom.mlmodel --add-custom-layers --plugin libmyops.so");
  cmd->callback([args] { run_convert(*args); });
}

}  // namespace morel::cli
