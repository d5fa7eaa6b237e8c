// `morel inspect` end to end: the built binary run as a subprocess. Exit
// codes (0 ok, 1 the work failed, 2 wrong usage), stdout for results and
// stderr for the one error line, --json parses, help shows usage, defaults
// and examples. ../shared/CLI.md has the conventions.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "format/format_test_util.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

using nlohmann::json;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

CliResult morel(const std::vector<std::string>& args) {
  return run_morel(args);
}

std::string real(const std::string& name) {
  return (coreml_dir() / name).string();
}

// A file with the given bytes in a scratch directory (removed at exit).
std::string scratch_file(const std::string& name, const std::string& bytes) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The one-line error contract: exit 1, nothing on stdout, one line on
// stderr that starts with the prefix and names the file.
void expect_work_failed(const CliResult& r, const std::string& names) {
  EXPECT_EQ(r.exit_code, 1) << r.err;  // -1 would be a crash signal
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  EXPECT_TRUE(has(r.err, names)) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(InspectCli, TextOnARealModel) {
  const CliResult r = morel({"inspect", real("torch/squeezenet1_1.mlmodel")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(has(r.out, "squeezenet1_1.mlmodel")) << r.out;
  EXPECT_TRUE(has(r.out, "neuralNetwork, runs in morel")) << r.out;
  EXPECT_TRUE(has(r.out, "1x3x112x112")) << r.out;
  EXPECT_TRUE(has(r.out, "convolution")) << r.out;
  EXPECT_TRUE(has(r.out, "52 tensors")) << r.out;
  EXPECT_TRUE(has(r.out, "fp32")) << r.out;
}

TEST(InspectCli, JsonOnARealModel) {
  const CliResult r =
      morel({"inspect", real("quantized/squeezenet1_1_q4_kmeans.mlmodel"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
  EXPECT_EQ(j["model_type"], "neuralNetwork");
  EXPECT_EQ(j["file_size_bytes"], 371483);  // the case file's model_size_bytes
  EXPECT_EQ(j["weight_storage"]["by_precision"]["4bit_lookupTableQuantization"]["tensor_count"],
            52);
  EXPECT_EQ(j["network"]["layers_by_kind"]["convolution"], 26);
  EXPECT_EQ(j["valid"], true);
  // The option may come before the model too.
  const CliResult r2 =
      morel({"inspect", "--json", real("quantized/squeezenet1_1_q4_kmeans.mlmodel")});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(r2.out, r.out);
}

TEST(InspectCli, EveryRealModel) {
  const auto names = real_model_names();
  ASSERT_EQ(names.size(), kRealModelCount);
  for (const auto& name : names) {
    const CliResult r = morel({"inspect", "--json", real(name)});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const json j = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << name;
    EXPECT_EQ(j["valid"], true) << name;
  }
}

TEST(InspectCli, BadFilesFailWithOneClearLine) {
  expect_work_failed(morel({"inspect", "/nonexistent/model.mlmodel"}),
                     "/nonexistent/model.mlmodel: cannot open file");

  const std::string garbage = scratch_file("garbage.mlmodel", "\xff\xff\xff\xff not a model");
  expect_work_failed(morel({"inspect", garbage}), garbage + ": not a Core ML model");

  const std::string empty = scratch_file("empty.mlmodel", "");
  expect_work_failed(morel({"inspect", empty, "--json"}), "empty file");

  // A truncated real model.
  const std::string bytes = read_bytes(coreml_dir() / "torch/mlp.mlmodel");
  const std::string truncated =
      scratch_file("truncated.mlmodel", bytes.substr(0, bytes.size() / 2));
  expect_work_failed(morel({"inspect", truncated}), truncated);

  const std::string onnx = scratch_file("model.onnx", "\x08\x07");
  expect_work_failed(morel({"inspect", onnx}), "ONNX");

  expect_work_failed(morel({"inspect", coreml_dir().string()}), "is a directory");
}

TEST(InspectCli, WrongUsageExitsTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"inspect"},                                                         // no model
           {"inspect", real("torch/relu.mlmodel"), "--bogus"},                  // unknown option
           {"inspect", real("torch/relu.mlmodel"), real("torch/elu.mlmodel")},  // two models
           {},                                                                  // no subcommand
           {"frobnicate"},  // no such subcommand
       }) {
    const CliResult r = morel(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
    EXPECT_TRUE(has(r.err, "--help")) << r.err;  // the way out
  }
  const CliResult r = morel({"inspect", real("torch/relu.mlmodel"), "--bogus"});
  EXPECT_TRUE(has(r.err, "--bogus")) << r.err;
  EXPECT_TRUE(has(r.err, "morel inspect --help")) << r.err;
}

TEST(InspectCli, Help) {
  const CliResult top = morel({"--help"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  // Subcommands, one line each, with what they do.
  bool listed = false;
  for (size_t at = 0; (at = top.out.find("inspect", at)) != std::string::npos; ++at) {
    const size_t end = top.out.find('\n', at);
    if (has(top.out.substr(at, end - at), "Show a model's")) listed = true;
  }
  EXPECT_TRUE(listed) << top.out;
  EXPECT_TRUE(has(top.out, "morel SUBCOMMAND --help")) << top.out;

  const CliResult sub = morel({"inspect", "--help"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  EXPECT_TRUE(has(sub.out, "Usage")) << sub.out;
  EXPECT_TRUE(has(sub.out, "MODEL")) << sub.out;
  EXPECT_TRUE(has(sub.out, "--json")) << sub.out;
  EXPECT_TRUE(has(sub.out, "default: off")) << sub.out;
  EXPECT_TRUE(has(sub.out, "Examples:")) << sub.out;
  EXPECT_TRUE(has(sub.out, "morel inspect squeezenet.mlmodel")) << sub.out;

  const CliResult version = morel({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("morel ", 0), 0u) << version.out;
}

}  // namespace
}  // namespace morel::test
