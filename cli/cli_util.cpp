#include "cli_util.h"

#include <iostream>

#include "morel/error.h"
#include "tools/load_model.h"

namespace morel::cli {

void set_examples(CLI::App& command, const std::vector<std::string>& examples,
                  const std::string& extra) {
  std::string footer = "Examples:\n";
  for (const auto& e : examples) footer += "  " + e + "\n";
  if (!extra.empty()) footer += "\n" + extra + "\n";
  command.footer(footer);
}

CLI::Option* add_json_flag(CLI::App& command, bool& json) {
  return command.add_flag("--json", json,
                          "Print one JSON document on stdout instead of text (default: off)");
}

CLI::Option* add_model_argument(CLI::App& command, std::string& path) {
  return command.add_option("MODEL", path, "The model: a Core ML .mlmodel file")
      ->required()
      ->type_name("FILE");
}

Spec load_model_argument(const std::filesystem::path& path) {
  return tools::load_any_spec(path);
}

namespace {
template <class Json>
void print(const Json& document) {
  std::cout << document.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}
}  // namespace

void print_json(const nlohmann::ordered_json& document) {
  print(document);
}

void print_json(const nlohmann::json& document) {
  print(document);
}

}  // namespace morel::cli
