// morel edit IN OUT [options]: flexible shapes, metadata and renames.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "morel/edit.h"
#include "morel/error.h"

namespace morel::cli {

namespace {

// "NAME=VALUE" -> {NAME, VALUE}; a malformed pair is a usage error.
std::pair<std::string, std::string> split_pair(const std::string& text, const std::string& option) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorCode::kInvalidArgument, option + " takes NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

struct EditArgs {
  std::string in, out;
  std::vector<std::string> enumerated, ranges, image_sizes, image_ranges;
  std::string author, license, description, version;
  std::vector<std::string> input_descriptions, output_descriptions, user_defined;
  std::vector<std::string> rename_inputs, rename_outputs;
  bool json = false;
};

void run(const EditArgs& a, const CLI::App& cmd) {
  ModelEdits e;
  for (const auto& t : a.enumerated) {
    auto [name, value] = split_pair(t, "--enumerated-shapes");
    e.enumerated_shapes[name] = parse_shape_list(value);
  }
  for (const auto& t : a.ranges) {
    auto [name, value] = split_pair(t, "--shape-range");
    e.shape_ranges[name] = parse_shape_range(value);
  }
  for (const auto& t : a.image_sizes) {
    auto [name, value] = split_pair(t, "--image-sizes");
    e.image_sizes[name] = parse_image_sizes(value);
  }
  for (const auto& t : a.image_ranges) {
    auto [name, value] = split_pair(t, "--image-size-range");
    std::vector<DimRange> wh = parse_shape_range(value);
    if (wh.size() != 2)
      throw Error(
          ErrorCode::kInvalidArgument,
          "--image-size-range takes NAME=WIDTHxHEIGHT ranges, e.g. image=[64..512]x[64..512]");
    e.image_size_ranges[name] = {wh[0], wh[1]};
  }
  if (cmd.count("--author")) e.author = a.author;
  if (cmd.count("--license")) e.license = a.license;
  if (cmd.count("--description")) e.description = a.description;
  if (cmd.count("--version")) e.version = a.version;
  for (const auto& t : a.input_descriptions)
    e.input_descriptions.insert(split_pair(t, "--input-description"));
  for (const auto& t : a.output_descriptions)
    e.output_descriptions.insert(split_pair(t, "--output-description"));
  for (const auto& t : a.user_defined) e.user_defined.insert(split_pair(t, "--user-defined"));
  for (const auto& t : a.rename_inputs) e.rename_inputs.insert(split_pair(t, "--rename-input"));
  for (const auto& t : a.rename_outputs) e.rename_outputs.insert(split_pair(t, "--rename-output"));

  Spec in = load_spec(a.in);
  Spec out = edit_model(in, e);
  save_spec(out, a.out);
  if (a.json) {
    nlohmann::json j = {{"output", a.out},
                        {"specification_version", out.specificationversion()},
                        {"previous_specification_version", in.specificationversion()}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "wrote " << a.out << " (specification version " << out.specificationversion();
    if (out.specificationversion() != in.specificationversion())
      std::cout << ", raised from " << in.specificationversion();
    std::cout << ")\n";
  }
}

}  // namespace

void add_edit_command(CLI::App& app) {
  auto args = std::make_shared<EditArgs>();
  CLI::App* cmd =
      app.add_subcommand("edit", "Add flexible shapes, metadata and renames to a model");
  cmd->footer(
      "Examples:\n"
      "  morel edit in.mlmodel out.mlmodel --enumerated-shapes input=1x3x224x224,1x3x320x320\n"
      "  morel edit in.mlmodel out.mlmodel --shape-range input=1x3x[64..512]x[64..] --author Me\n"
      "  morel edit in.mlmodel out.mlmodel --image-sizes image=224x224,320x320 --rename-input "
      "image=photo\n"
      "Before writing, the network is planned at every enumerated shape and at both ends of every\n"
      "range; a shape a layer cannot take is refused naming the layer.");
  cmd->add_option("IN", args->in, "Model to edit (.mlmodel)")->required();
  cmd->add_option("OUT", args->out, "Where to write the edited model")->required();
  cmd->add_option("--enumerated-shapes", args->enumerated,
                  "NAME=SHAPE,SHAPE,...: the shapes a multi-array input accepts (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option(
         "--shape-range", args->ranges,
         "NAME=1x3x[64..512]x[64..]: a size range per dimension, [N..] unbounded (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--image-sizes", args->image_sizes,
                  "NAME=WxH,WxH,...: the sizes an image input accepts (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--image-size-range", args->image_ranges,
                  "NAME=[W1..W2]x[H1..H2]: width and height ranges of an image input")
      ->allow_extra_args(false);
  cmd->add_option("--author", args->author, "Metadata: author");
  cmd->add_option("--license", args->license, "Metadata: license");
  cmd->add_option("--description", args->description, "Metadata: short description of the model");
  cmd->add_option("--version", args->version, "Metadata: version string");
  cmd->add_option("--input-description", args->input_descriptions,
                  "NAME=TEXT: describe an input (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--output-description", args->output_descriptions,
                  "NAME=TEXT: describe an output (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--user-defined", args->user_defined,
                  "KEY=VALUE: user-defined metadata (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--rename-input", args->rename_inputs,
                  "OLD=NEW: rename an input, and every use in the network")
      ->allow_extra_args(false);
  cmd->add_option("--rename-output", args->rename_outputs,
                  "OLD=NEW: rename an output, and every use in the network")
      ->allow_extra_args(false);
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args, cmd] { run(*args, *cmd); });
}

}  // namespace morel::cli
