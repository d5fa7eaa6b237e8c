// morel: one command for Core ML models. Conventions (output, errors, exit
// codes) are in ../shared/CLI.md: results on stdout, the rest on stderr;
// exit 0 success, 1 the work failed, 2 wrong usage.
#include <iostream>

#include "commands.h"
#include "morel/error.h"

int main(int argc, char** argv) {
  CLI::App app{"morel: inspect, run, convert and compress Core ML models on any platform", "morel"};
  app.set_version_flag("--version", std::string("morel ") + MOREL_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  morel::cli::add_edit_command(app);
  morel::cli::add_bench_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "morel: error: " << e.what()
              << "\n(run 'morel --help' or 'morel SUBCOMMAND --help')\n";
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
