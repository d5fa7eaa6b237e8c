// morel: one command for Core ML models. Conventions (output, errors, exit
// codes) are in ../shared/CLI.md: results on stdout, the rest on stderr;
// exit 0 success, 1 the work failed, 2 wrong usage.
#include <iostream>

#include "commands.h"
#include "morel/error.h"

namespace {

// "morel --help" or "morel inspect --help": the help of the deepest
// subcommand the command line reached.
std::string help_hint(const CLI::App& app) {
  std::string path = "morel";
  const CLI::App* at = &app;
  for (;;) {
    const auto subs = at->get_subcommands();
    if (subs.empty()) break;
    at = subs.front();
    path += " " + at->get_name();
  }
  return path + " --help";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"morel: inspect, run, convert and compress Core ML models on any platform", "morel"};
  app.set_version_flag("--version", std::string("morel ") + MOREL_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  // Subcommands (one line each in `morel --help`), added as they land.
  morel::cli::add_inspect_command(app);
  morel::cli::add_convert_command(app);
  morel::cli::add_edit_command(app);
  morel::cli::add_predict_command(app);
  morel::cli::add_quantize_command(app);
  morel::cli::add_compare_command(app);
  morel::cli::add_bench_command(app);
  // Set after the subcommands: CLI11 copies a parent's footer into subcommands made later.
  app.footer("Run 'morel SUBCOMMAND --help' for a subcommand's options and examples.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "morel: error: " << e.what() << "\n(run '" << help_hint(app) << "')\n";
    return 2;
  } catch (const morel::Error& e) {
    std::cerr << "morel: error: " << e.what() << "\n";
    // A malformed option value is wrong usage; everything else is failed work.
    return e.code() == morel::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "morel: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
