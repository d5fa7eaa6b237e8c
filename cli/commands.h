// The `morel` subcommands. Each file cli/<name>_command.cpp adds one to the
// app; the library does the work, the command parses, calls and prints.
#pragma once

#include <CLI/CLI.hpp>

namespace morel::cli {

void add_inspect_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_edit_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_bench_command(CLI::App& app);

}  // namespace morel::cli
