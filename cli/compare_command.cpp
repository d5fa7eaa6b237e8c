// morel compare A B --data DIR | --input NAME=FILE...: run two models on the
// same inputs and say how far B's outputs are from A's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "io/image_resize.h"
#include "morel/compare.h"
#include "morel/error.h"
#include "morel/model.h"
#include "progress.h"
#include "tools/compare_inputs.h"
#include "tools/load_model.h"

namespace morel::cli {

namespace {

struct CompareArgs {
  std::string reference, test;
  std::string data;
  std::vector<std::string> inputs;  // NAME=FILE or NAME=VALUE
  std::vector<std::string> outputs;
  int top_k = 5;
  std::string image_scale = "center-crop";
  std::vector<std::string> plugins;
  bool json = false;
};

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

void print_report_json(const CompareArgs& a, const CompareReport& r) {
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
  print_json(out);
}

void run(const CompareArgs& a) {
  if (a.data.empty() == a.inputs.empty())
    throw CLI::ValidationError("give either --data DIR or --input NAME=FILE (not both)");
  ModelOptions mo;
  for (const std::string& p : a.plugins) mo.plugins.emplace_back(p);
  const Model reference = tools::load_any_model(a.reference, mo);
  const Model test = tools::load_any_model(a.test, mo);
  tools::InputOptions io_options;
  io_options.image_scale = *io::parse_image_scale(a.image_scale);  // CLI11 checked the name

  SampleSource samples;
  std::string source;
  if (!a.data.empty()) {
    std::vector<std::filesystem::path> skipped;
    std::vector<std::filesystem::path> files =
        tools::sample_files(reference.description(), a.data, &skipped);
    if (!skipped.empty())
      std::cerr << "morel: warning: skipped " << skipped.size() << " file(s) in " << a.data
                << " that do not fit input '" << reference.description().input(0).name()
                << "', e.g. '" << skipped.front().filename().string() << "'\n";
    samples = tools::folder_samples(reference.description(), std::move(files), io_options);
    source = "files in " + a.data;
  } else {
    FeatureMap sample =
        tools::sample_from_arguments(reference.description(), a.inputs, a.reference, io_options);
    samples.count = 1;
    samples.load = [sample = std::move(sample)](int64_t) { return sample; };
    for (const std::string& pair : a.inputs) source += (source.empty() ? "" : ", ") + pair;
  }

  CompareOptions o;
  o.outputs = a.outputs;
  o.top_k = a.top_k;
  Progress progress("comparing", samples.count);
  o.progress = [&](int64_t, int64_t) { progress.advance(); };
  const CompareReport report = compare_models(reference, test, samples, o);
  progress.finish();
  if (a.json) {
    print_report_json(a, report);
  } else {
    print_text(a, report, source);
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Run two models on the same inputs and measure how far B is from A");
  cmd->add_option("A", args->reference,
                  "The reference model: a .mlmodel file, or an .onnx file (converted in memory)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("B", args->test, "The model to compare with it (say, A quantized)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--data", args->data,
                  "A folder of samples for a one-input model: every image (PNG, JPEG) or .npy "
                  "file in it, sorted by name (default: none; give --data or --input)")
      ->type_name("DIR");
  cmd->add_option("--input,-i", args->inputs,
                  "One sample's input: NAME=FILE for an image or .npy, NAME=VALUE for a number "
                  "or string (repeat for each input)")
      ->type_name("NAME=VALUE");
  cmd->add_option("--output", args->outputs,
                  "An output to compare (repeatable; default: every output both models have)")
      ->type_name("NAME");
  cmd->add_option("--top-k", args->top_k, "k of the top-k overlap for classifiers")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option(
         "--image-scale", args->image_scale,
         "How an image is brought to the model's size: fill (stretch), fit (scale inside and pad "
         "with black), center-crop (scale the short side, crop the centre)")
      ->capture_default_str()
      ->check(CLI::IsMember({"fill", "fit", "center-crop"}));
  cmd->add_option("--plugin", args->plugins,
                  "A plugin library with custom layers or models (repeatable; default: none)")
      ->type_name("LIB.so");
  add_json_flag(*cmd, args->json);
  set_examples(*cmd,
               {"morel compare model.mlmodel model_q4.mlmodel --data images/",
                "morel compare model.mlmodel model_q8.mlmodel --input input=x.npy --json"},
               "Classifier outputs: top-1 agreement and top-k overlap of the probabilities.\n"
               "Arrays (and probabilities): SNR = 10 log10(sum ref^2 / sum (ref-test)^2) and\n"
               "PSNR = 20 log10(max|ref| / RMSE) in dB, max and mean absolute error, over every\n"
               "element of every sample. Exit status 0 whatever the numbers.");
  cmd->callback([args] { run(*args); });
}

}  // namespace morel::cli
