// morel compare A B --data DIR | --input NAME=FILE...: run two models on the
// same inputs and say how far B's outputs are from A's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "morel/compare.h"
#include "morel/error.h"
#include "morel/model.h"
#include "progress_bar.h"
#include "tools/compare_inputs.h"

namespace morel::cli {

namespace {

struct CompareArgs {
  std::string reference, test;
  std::string data;
  std::vector<std::string> inputs;  // NAME=FILE
  std::vector<std::string> outputs;
  int top_k = 5;
  std::vector<std::string> plugins;
  bool json = false;
};

Model load_model(const std::string& path, const ModelOptions& options) {
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0)
    throw Error(ErrorCode::kUnsupported,
                path +
                    ": ONNX models need the ONNX converter, which this build of morel "
                    "does not include yet; compare .mlmodel files");
  return Model::load(path, options);
}

// JSON has no infinity: +-inf becomes null (see docs/quantize.md).
nlohmann::json number(double v) {
  if (std::isfinite(v)) return v;
  return nullptr;
}

std::string db_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string error_text(double v) {
  if (std::isinf(v)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string percent_text(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * fraction);
  return buf;
}

void print_text(const CompareArgs& a, const CompareReport& r, const std::string& source) {
  std::cout << "reference  " << a.reference << "\n"
            << "test       " << a.test << "\n"
            << "samples    " << r.samples << " (" << source << ")\n\n";
  size_t wn = 6;
  for (const auto& o : r.outputs) wn = std::max(wn, o.name.size());
  std::printf("%-*s  %-13s  %8s  %9s  %8s  %8s  %11s  %12s\n", int(wn), "output", "kind", "top-1",
              "top-k", "SNR dB", "PSNR dB", "max abs err", "mean abs err");
  for (const auto& o : r.outputs) {
    std::string top1 = "-", topk = "-", snr = "-", psnr = "-", max_err = "-", mean_err = "-";
    if (o.classes) {
      top1 = percent_text(o.classes->top1_agreement);
      if (o.classes->k > 0)
        topk = percent_text(o.classes->topk_overlap) + " @" + std::to_string(o.classes->k);
    }
    if (o.values) {
      snr = db_text(o.values->snr_db);
      psnr = db_text(o.values->psnr_db);
      max_err = error_text(o.values->max_abs_error);
      mean_err = error_text(o.values->mean_abs_error);
    }
    std::printf("%-*s  %-13s  %8s  %9s  %8s  %8s  %11s  %12s\n", int(wn), o.name.c_str(),
                o.kind.c_str(), top1.c_str(), topk.c_str(), snr.c_str(), psnr.c_str(),
                max_err.c_str(), mean_err.c_str());
  }
}

void print_json(const CompareArgs& a, const CompareReport& r) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : r.outputs) {
    nlohmann::json j = {{"name", o.name}, {"kind", o.kind}};
    if (o.classes) {
      j["top1_agreement_percent"] = 100 * o.classes->top1_agreement;
      if (o.classes->k > 0) {
        j["top_k"] = o.classes->k;
        j["top_k_overlap_percent"] = 100 * o.classes->topk_overlap;
      }
    }
    if (o.values) {
      j["elements"] = o.values->count;
      j["identical"] = o.values->identical();
      j["snr_db"] = number(o.values->snr_db);
      j["psnr_db"] = number(o.values->psnr_db);
      j["max_abs_error"] = number(o.values->max_abs_error);
      j["mean_abs_error"] = number(o.values->mean_abs_error);
    }
    outputs.push_back(std::move(j));
  }
  nlohmann::json out = {{"reference", a.reference},
                        {"test", a.test},
                        {"samples", r.samples},
                        {"outputs", std::move(outputs)}};
  std::cout << out.dump(2) << "\n";
}

void run(const CompareArgs& a) {
  if (a.data.empty() == a.inputs.empty())
    throw CLI::ValidationError("give either --data DIR or --input NAME=FILE (not both)");
  ModelOptions mo;
  for (const std::string& p : a.plugins) mo.plugins.emplace_back(p);
  Model reference = load_model(a.reference, mo);
  Model test = load_model(a.test, mo);

  std::vector<tools::Sample> samples;
  std::string source;
  if (!a.data.empty()) {
    std::vector<std::string> skipped;
    samples = tools::samples_from_dir(reference.description(), a.data, &skipped);
    source = "files in " + a.data;
    if (!skipped.empty())
      std::cerr << "morel: warning: skipped " << skipped.size()
                << " file(s) that are not .npy, .png, .jpg or .jpeg, e.g. '" << skipped.front()
                << "'\n";
  } else {
    std::vector<std::pair<std::string, std::filesystem::path>> files;
    for (const std::string& pair : a.inputs) {
      const size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size())
        throw CLI::ValidationError("--input", "expected NAME=FILE, found '" + pair + "'");
      files.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
    samples.push_back(tools::sample_from_files(reference.description(), files));
    source = samples.front().name;
  }

  std::vector<FeatureMap> inputs;
  CompareOptions o;
  o.outputs = a.outputs;
  o.top_k = a.top_k;
  for (auto& s : samples) {
    inputs.push_back(std::move(s.inputs));
    o.sample_names.push_back(s.name);
  }
  ProgressBar bar("comparing");
  o.progress = [&](int64_t done, int64_t total) { bar.update(done, total); };
  CompareReport report = compare_models(reference, test, inputs, o);
  bar.finish();
  if (a.json) {
    print_json(a, report);
  } else {
    print_text(a, report, source);
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Run two models on the same inputs and compare");
  cmd->footer(
      "Classifier outputs: top-1 agreement and top-k overlap. Arrays: SNR and PSNR (dB), max\n"
      "and mean absolute error, over every element of every sample.\n\n"
      "Examples:\n"
      "  morel compare model.mlmodel model_q4.mlmodel --data images/\n"
      "  morel compare model.mlmodel model_q8.mlmodel --input input=x.npy --json");
  cmd->add_option("A", args->reference, "Reference model (.mlmodel)")->required();
  cmd->add_option("B", args->test, "Model to compare with it (.mlmodel)")->required();
  cmd->add_option("--data", args->data,
                  "Folder of samples for a one-input model: one .npy or image file each");
  cmd->add_option("--input", args->inputs, "One sample's input as NAME=FILE (repeatable)");
  cmd->add_option("--output", args->outputs,
                  "Output to compare (repeatable; default: every output both models have)");
  cmd->add_option("--top-k", args->top_k, "k of the top-k overlap for classifiers")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--plugin", args->plugins, "Plugin library with custom layers (repeatable)");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->callback([args] { run(*args); });
}

}  // namespace morel::cli
