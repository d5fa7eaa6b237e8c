// morel bench MODEL [--threads N] [--iters N] [--warmup N] [--json] [--profile]:
// how fast a model loads and predicts, and with --profile where the time goes.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "morel/benchmark.h"

namespace morel::cli {

namespace {

struct BenchArgs {
  std::string model;
  int threads = 0;
  int iters = 30;
  int warmup = 5;
  bool json = false;
  bool profile = false;
};

struct KindTotal {
  int layers = 0;
  double seconds = 0;
};

// Layer times summed per kind, largest first.
std::vector<std::pair<std::string, KindTotal>> by_kind(const std::vector<LayerTiming>& layers) {
  std::map<std::string, KindTotal> totals;
  for (const LayerTiming& l : layers) {
    KindTotal& t = totals[l.kind];
    ++t.layers;
    t.seconds += l.seconds;
  }
  std::vector<std::pair<std::string, KindTotal>> sorted(totals.begin(), totals.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.seconds > b.second.seconds;
  });
  return sorted;
}

void print_json(const BenchmarkResult& r, bool profile) {
  nlohmann::json j = {{"model", r.model},         {"threads", r.threads},
                      {"load_ms", r.load_ms},     {"first_prediction_ms", r.first_prediction_ms},
                      {"median_ms", r.median_ms}, {"p90_ms", r.p90_ms},
                      {"min_ms", r.min_ms},       {"runs", r.runs},
                      {"warmup", r.warmup},       {"peak_rss_bytes", r.peak_rss_bytes}};
  if (profile) {
    nlohmann::json kinds = nlohmann::json::array(), layers = nlohmann::json::array();
    double total = 0;
    for (const LayerTiming& l : r.layers) total += l.seconds;
    for (const auto& [kind, t] : by_kind(r.layers))
      kinds.push_back({{"kind", kind},
                       {"layers", t.layers},
                       {"ms", t.seconds * 1e3},
                       {"share", total > 0 ? t.seconds / total : 0.0}});
    for (const LayerTiming& l : r.layers)
      layers.push_back({{"name", l.name}, {"kind", l.kind}, {"ms", l.seconds * 1e3}});
    j["profile"] = {{"total_ms", total * 1e3}, {"kinds", kinds}, {"layers", layers}};
  }
  std::cout << j.dump() << "\n";
}

void print_text(const BenchmarkResult& r, bool profile) {
  char line[256];
  std::cout << r.model << ", " << r.threads << (r.threads == 1 ? " thread" : " threads") << "\n";
  std::snprintf(line, sizeof line, "  load              %9.2f ms\n", r.load_ms);
  std::cout << line;
  std::snprintf(line, sizeof line, "  first prediction  %9.2f ms  (includes planning)\n",
                r.first_prediction_ms);
  std::cout << line;
  std::snprintf(line, sizeof line,
                "  median            %9.3f ms  (p90 %.3f ms, min %.3f ms; %d runs after %d "
                "warm-up)\n",
                r.median_ms, r.p90_ms, r.min_ms, r.runs, r.warmup);
  std::cout << line;
  std::snprintf(line, sizeof line, "  peak memory       %9.1f MiB\n",
                static_cast<double>(r.peak_rss_bytes) / (1 << 20));
  std::cout << line;
  if (!profile) return;
  double total = 0;
  for (const LayerTiming& l : r.layers) total += l.seconds;
  std::cout << "\ntime per layer kind (mean of " << r.runs << " profiled predictions)\n";
  std::snprintf(line, sizeof line, "  %-44s %6s %9s %6s\n", "kind", "layers", "ms", "%");
  std::cout << line;
  for (const auto& [kind, t] : by_kind(r.layers)) {
    std::snprintf(line, sizeof line, "  %-44s %6d %9.3f %6.1f\n", kind.c_str(), t.layers,
                  t.seconds * 1e3, total > 0 ? 100 * t.seconds / total : 0.0);
    std::cout << line;
  }
  std::snprintf(line, sizeof line, "  %-44s %6zu %9.3f\n", "total", r.layers.size(), total * 1e3);
  std::cout << line;
}

void run(const BenchArgs& a) {
  BenchmarkOptions o;
  o.threads = a.threads;
  o.iterations = a.iters;
  o.warmup = a.warmup;
  o.profile = a.profile;
  const bool bar = isatty(STDERR_FILENO);
  if (bar)
    o.progress = [](int done, int total) {
      std::fprintf(stderr, "\rbenchmarking: %d/%d predictions", done, total);
      if (done == total) std::fprintf(stderr, "\r%*s\r", 40, "");
      std::fflush(stderr);
    };
  const BenchmarkResult r = benchmark_model(a.model, o);
  if (a.json)
    print_json(r, a.profile);
  else
    print_text(r, a.profile);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Time loading and predicting with a model on random inputs");
  cmd->footer(
      "Examples:\n"
      "  morel bench resnet50.mlmodel --threads 1\n"
      "  morel bench squeezenet.mlmodel --iters 100 --profile\n"
      "Inputs are pseudo-random, the same values ../shared/bench/ort_bench.js gives ONNX Runtime.\n"
      "Times are wall-clock per prediction (input conversion and outputs included).");
  cmd->add_option("MODEL", args->model, "Model to run (.mlmodel)")->required();
  cmd->add_option("--threads", args->threads, "Threads per prediction; 0 = every hardware thread")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--iters", args->iters, "Timed predictions")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed predictions before them")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");
  cmd->add_flag("--profile", args->profile,
                "Also time each layer: per kind (and per layer with --json)");
  cmd->callback([args] { run(*args); });
}

}  // namespace morel::cli
