// morel inspect MODEL [--json]: what the model holds (src/tools/inspect).
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "tools/inspect.h"

namespace morel::cli {

void add_inspect_command(CLI::App& app) {
  struct Options {
    std::string model;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "inspect", "Show a model's metadata, inputs and outputs, layers and weight storage");
  add_model_argument(*command, options->model);
  add_json_flag(*command, options->json);
  set_examples(*command,
               {"morel inspect squeezenet.mlmodel",
                "morel inspect squeezenet.mlmodel --json | jq .weight_storage"},
               "Shows metadata, spec version (and the lowest one the model needs), model type,\n"
               "inputs and outputs with shapes and flexibility, class labels, layer counts by\n"
               "kind, custom layers, and weight storage per precision. Long lists are cut short\n"
               "in text; --json lists everything.");
  command->callback([options] {
    const Spec spec = load_model_argument(options->model);
    const tools::ModelSummary summary = tools::summarize_model(spec, options->model);
    if (options->json) {
      print_json(tools::to_json(summary));
    } else {
      std::cout << tools::render_text(summary);
    }
  });
}

}  // namespace morel::cli
