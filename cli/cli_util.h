// Pieces every `morel` subcommand shares, so that they all behave alike
// (../shared/CLI.md): help text with defaults and examples, the --json flag,
// JSON printing, and model arguments.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "morel/spec.h"

namespace morel::cli {

// Help footer: "Examples:" followed by one indented command line each, then
// `extra` (notes, limits) when given.
void set_examples(CLI::App& command, const std::vector<std::string>& examples,
                  const std::string& extra = "");

// --json: "Print one JSON document on stdout instead of text (default: off)".
CLI::Option* add_json_flag(CLI::App& command, bool& json);

// The positional MODEL argument (required): an .mlmodel or .onnx file.
CLI::Option* add_model_argument(CLI::App& command, std::string& path);

// Load the model a MODEL argument names; an .onnx file is converted in
// memory. Throws morel::Error naming the file when it cannot be read, is not
// a model, or cannot be converted.
Spec load_model_argument(const std::filesystem::path& path);

// Print a document on stdout, indented, newline-terminated. Strings that are
// not UTF-8 (names from a damaged file) are printed with U+FFFD replacements
// instead of failing.
void print_json(const nlohmann::ordered_json& document);
void print_json(const nlohmann::json& document);

}  // namespace morel::cli
