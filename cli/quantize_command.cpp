// morel quantize IN OUT --bits N --mode MODE: rewrite a model's weights in a
// smaller storage form (or back to float32) and show what each layer became.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli_util.h"
#include "commands.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/quantize.h"
#include "morel/spec.h"
#include "progress.h"

namespace morel::cli {

namespace {

struct QuantizeArgs {
  std::string input, output;
  int bits = 0;
  std::string mode;
  std::vector<std::string> skip_layer_types;
  int64_t min_weight_count = 0;
  std::string lut_function;
  std::vector<std::string> plugins;
  int threads = 0;
  bool json = false;
};

std::string human_bytes(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

// "float32", "float16", "8-bit linear", "4-bit lut".
std::string storage_text(const WeightInfo& info) {
  switch (info.storage) {
    case WeightStorage::kLinearQuantized:
    case WeightStorage::kLookupTable:
      return std::to_string(info.bits) + "-bit " + std::string(weight_storage_name(info.storage));
    case WeightStorage::kRawFloat32: return "float32";
    default: return std::string(weight_storage_name(info.storage));
  }
}

nlohmann::json storage_json(const WeightInfo& info) {
  return {{"storage", weight_storage_name(info.storage)},
          {"bits", info.bits},
          {"size_bytes", info.size_bytes}};
}

// One table row per layer: its tensors' storage forms, joined when they differ.
struct LayerRow {
  std::string name, kind;
  int64_t count = 0, before = 0, after = 0;
  std::vector<std::string> from, to;
  std::vector<std::string> reasons;
};

void add_unique(std::vector<std::string>& list, const std::string& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

std::string join(const std::vector<std::string>& list, const char* sep) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : sep) + s;
  return out;
}

void print_text(const QuantizeArgs& a, const QuantizeOptions& o, const QuantizeReport& r) {
  std::vector<LayerRow> rows;
  std::map<std::string, size_t> index;
  for (const WeightChange& w : r.weights) {
    const std::string key = w.network + "\n" + w.layer;
    auto [it, fresh] = index.emplace(key, rows.size());
    if (fresh) {
      LayerRow row;
      row.name = w.network.empty() ? w.layer : w.network + " / " + w.layer;
      row.kind = w.layer_kind;
      rows.push_back(std::move(row));
    }
    LayerRow& row = rows[it->second];
    row.count += std::max<int64_t>(w.count, 0);
    row.before += w.before.size_bytes;
    row.after += w.after.size_bytes;
    add_unique(row.from, storage_text(w.before));
    add_unique(row.to, storage_text(w.after));
    if (!w.changed) add_unique(row.reasons, w.field + ": " + w.reason);
  }
  size_t wn = 5, wk = 4, wf = 6, wt = 5;
  for (const LayerRow& row : rows) {
    wn = std::max(wn, row.name.size());
    wk = std::max(wk, row.kind.size());
    wf = std::max(wf, join(row.from, " + ").size());
    wt = std::max(wt, join(row.to, " + ").size());
  }
  std::string what = o.mode == QuantizationMode::kDequantize ? "dequantize (to float32)"
                     : o.mode == QuantizationMode::kFloat16
                         ? "fp16"
                         : std::to_string(o.bits) + "-bit " + a.mode;
  std::cout << "quantized " << a.input << " -> " << a.output << " (" << what << ")\n\n";
  std::printf("%-*s  %-*s  %12s  %-*s  %10s  %-*s  %10s\n", int(wn), "layer", int(wk), "kind",
              "weights", int(wf), "before", "size", int(wt), "after", "size");
  for (const LayerRow& row : rows) {
    std::printf("%-*s  %-*s  %12lld  %-*s  %10s  %-*s  %10s\n", int(wn), row.name.c_str(), int(wk),
                row.kind.c_str(), static_cast<long long>(row.count), int(wf),
                join(row.from, " + ").c_str(), human_bytes(row.before).c_str(), int(wt),
                join(row.to, " + ").c_str(), human_bytes(row.after).c_str());
  }
  std::cout << "\n";
  // Tensors left alone, with why (one line per distinct reason).
  std::map<std::string, int> kept;
  for (const WeightChange& w : r.weights)
    if (!w.changed) ++kept[w.reason];
  for (const auto& [reason, n] : kept)
    std::cout << "kept " << n << " tensor" << (n == 1 ? "" : "s") << ": " << reason << "\n";
  const double ratio = r.size_before_bytes > 0 ? 100.0 * static_cast<double>(r.size_after_bytes) /
                                                     static_cast<double>(r.size_before_bytes)
                                               : 100.0;
  std::printf("size: %s -> %s (%.1f%%); %lld of %zu weight tensors rewritten",
              human_bytes(r.size_before_bytes).c_str(), human_bytes(r.size_after_bytes).c_str(),
              ratio, static_cast<long long>(r.weights_changed), r.weights.size());
  if (r.spec_version_after != r.spec_version_before)
    std::printf("; specification version %d -> %d", r.spec_version_before, r.spec_version_after);
  std::printf("\n");
}

void print_report_json(const QuantizeArgs& a, const QuantizeOptions& o, const QuantizeReport& r) {
  nlohmann::json weights = nlohmann::json::array();
  for (const WeightChange& w : r.weights) {
    nlohmann::json j = {{"layer", w.layer},
                        {"kind", w.layer_kind},
                        {"field", w.field},
                        {"count", w.count},
                        {"changed", w.changed},
                        {"before", storage_json(w.before)},
                        {"after", storage_json(w.after)}};
    if (!w.network.empty()) j["network"] = w.network;
    if (!w.changed) j["reason"] = w.reason;
    weights.push_back(std::move(j));
  }
  nlohmann::json out = {{"input", a.input},
                        {"output", a.output},
                        {"mode", quantization_mode_name(o.mode)},
                        {"size_before_bytes", r.size_before_bytes},
                        {"size_after_bytes", r.size_after_bytes},
                        {"spec_version_before", r.spec_version_before},
                        {"spec_version_after", r.spec_version_after},
                        {"weights_changed", r.weights_changed},
                        {"weights", std::move(weights)}};
  if (o.mode != QuantizationMode::kDequantize) out["bits"] = o.bits;
  print_json(out);
}

void run(const QuantizeArgs& a, const CLI::App& app) {
  const std::optional<QuantizationMode> mode = parse_quantization_mode(a.mode);
  if (!mode) throw CLI::ValidationError("--mode", "unknown mode '" + a.mode + "'");
  QuantizeOptions o;
  o.mode = *mode;
  const bool bits_given = app.count("--bits") > 0;
  if (bits_given && !((a.bits >= 1 && a.bits <= 8) || a.bits == 16))
    throw CLI::ValidationError("--bits",
                               "must be 1 to 8, or 16 (fp16); found " + std::to_string(a.bits));
  if (o.mode == QuantizationMode::kFloat16) {
    o.bits = bits_given ? a.bits : 16;
  } else if (o.mode == QuantizationMode::kDequantize) {
    if (bits_given)
      throw CLI::ValidationError("--bits", "mode dequantize restores float32 and takes no --bits");
  } else {
    if (!bits_given)
      throw CLI::ValidationError("--bits", "mode " + a.mode + " needs --bits (1 to 8)");
    o.bits = a.bits;
  }
  o.skip_layer_types = a.skip_layer_types;
  o.min_weight_count = a.min_weight_count;
  o.threads = a.threads;
  for (const std::string& p : a.plugins) load_plugin(p);
  if (o.mode == QuantizationMode::kCustomLut) {
    if (a.lut_function.empty())
      throw CLI::ValidationError("--lut-function",
                                 "mode custom_lut needs --lut-function NAME (from a --plugin)");
    o.lut_function = find_lut_function(a.lut_function);
    if (!o.lut_function) {
      std::string have;
      for (const std::string& n : registered_lut_functions())
        have += (have.empty() ? "" : ", ") + n;
      throw Error(ErrorCode::kPlugin,
                  "no lookup-table function '" + a.lut_function + "' is registered (" +
                      (have.empty() ? std::string("none are") : "registered: " + have) +
                      "); load the plugin that defines it with --plugin LIB.so");
    }
  } else if (!a.lut_function.empty()) {
    throw CLI::ValidationError("--lut-function",
                               "only mode custom_lut takes a lookup-table function");
  }
  Spec spec = load_model_argument(a.input);
  validate_spec(spec);
  // The number of tensors is known once quantize() has looked at the model.
  std::optional<Progress> progress;
  int64_t shown = 0;
  o.progress = [&](int64_t done, int64_t total) {
    if (!progress) progress.emplace("quantizing", total);
    progress->advance(done - shown);
    shown = done;
  };
  QuantizeReport report;
  try {
    report = quantize(spec, o);
  } catch (const Error& e) {
    // The library's option checks are usage errors on the command line.
    if (e.code() == ErrorCode::kInvalidArgument) throw CLI::ValidationError(e.what());
    throw;
  }
  if (progress) progress->finish();
  save_spec(spec, a.output);
  if (a.json) {
    print_report_json(a, o, report);
  } else {
    print_text(a, o, report);
  }
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* cmd =
      app.add_subcommand("quantize", "Store a model's weights in fewer bits (or back in float32)");
  cmd->add_option("IN", args->input,
                  "The model to read: a .mlmodel file, or an .onnx file (converted in memory)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("OUT", args->output, "The .mlmodel file to write")->required()->type_name("FILE");
  cmd->add_option("--mode", args->mode,
                  "linear, linear_symmetric (per output channel scale and bias), kmeans, "
                  "linear_lut (one lookup table per tensor), custom_lut (a plugin's "
                  "--lut-function), fp16, or dequantize (back to float32); required")
      ->required()
      ->type_name("MODE")
      ->check(CLI::IsMember({"linear", "linear_symmetric", "kmeans", "linear_lut", "custom_lut",
                             "fp16", "dequantize"}));
  cmd->add_option("--bits", args->bits,
                  "Bits per weight: 1-8 (linear_symmetric 2-8); required by every mode but fp16 "
                  "(16, implied) and dequantize (takes none)")
      ->type_name("N");
  cmd->add_option("--skip-layer-types", args->skip_layer_types,
                  "Layer kinds to leave alone, comma separated, in the format's names "
                  "(e.g. batchnorm,innerProduct; default: none)")
      ->delimiter(',')
      ->type_name("KIND,...");
  cmd->add_option("--min-weight-count", args->min_weight_count,
                  "Leave tensors with fewer weights than this alone")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--lut-function", args->lut_function,
                  "custom_lut: the name of a lookup-table function a --plugin registers "
                  "(default: none)")
      ->type_name("NAME");
  cmd->add_option("--plugin", args->plugins,
                  "A plugin library to load first (repeatable; default: none)")
      ->type_name("LIB.so");
  cmd->add_option("--threads", args->threads, "Tensors quantized at once (0: every core)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  add_json_flag(*cmd, args->json);
  set_examples(*cmd,
               {"morel quantize model.mlmodel model_q8.mlmodel --bits 8 --mode linear",
                "morel quantize model.mlmodel model_q4.mlmodel --bits 4 --mode kmeans "
                "--min-weight-count 1024",
                "morel quantize model_q4.mlmodel model_fp32.mlmodel --mode dequantize"},
               "Prints each layer's storage and bytes before and after, and the model size.\n"
               "Then measure what it cost: morel compare model.mlmodel model_q4.mlmodel --data "
               "images/");
  cmd->callback([args, cmd] { run(*args, *cmd); });
}

}  // namespace morel::cli
