// `morel quantize` end to end: the files it writes, its table and JSON, the
// plugin path for custom_lut, and exit codes / messages for bad usage (2)
// and failed work (1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/npy.h"
#include "morel/layer_weights.h"
#include "morel/multi_array.h"
#include "morel/spec.h"
#include "morel/weights.h"
#include "support/onnx_builder.h"
#include "support/paths.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

std::string squeezenet() {
  return (testdata_dir() / "coreml" / "torch" / "squeezenet1_1.mlmodel").string();
}

std::string plugin() {
  return (binary_dir() / "lib" / "liblut_plugin.so").string();
}

void expect_usage_error(const CliResult& r, const std::string& text) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

void expect_failure(const CliResult& r, const std::string& text) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  // One message: one line.
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(QuantizeCli, TextReport) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string out = (dir / "q8.mlmodel").string();
  const CliResult r = run_morel({"quantize", squeezenet(), out, "--bits", "8", "--mode", "linear"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << "no progress bar outside a terminal: " << r.err;
  EXPECT_NE(r.out.find("(8-bit linear)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8-bit linear"), std::string::npos);
  EXPECT_NE(r.out.find("size: 2.78 MiB -> 738.3 KiB (25.9%); 52 of 52 weight tensors rewritten"),
            std::string::npos)
      << r.out;
  // The file is what coremltools writes for the same settings (size included).
  EXPECT_EQ(std::filesystem::file_size(out),
            std::filesystem::file_size(testdata_dir() / "coreml" / "quantized" /
                                       "squeezenet1_1_q8_linear.mlmodel"));
  EXPECT_NO_THROW(validate_spec(load_spec(out)));
}

TEST(QuantizeCli, JsonReportAndSelection) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string out = (dir / "q4.mlmodel").string();
  const CliResult r = run_morel({"quantize", squeezenet(), out, "--bits", "4", "--mode", "kmeans",
                                 "--json", "--min-weight-count", "1000", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("mode"), "kmeans");
  EXPECT_EQ(j.at("bits"), 4);
  EXPECT_EQ(j.at("size_before_bytes"), 2914361);
  EXPECT_EQ(j.at("size_after_bytes"), static_cast<int64_t>(std::filesystem::file_size(out)));
  EXPECT_EQ(j.at("spec_version_before"), 4);
  EXPECT_EQ(j.at("spec_version_after"), 4);
  int changed = 0, kept = 0;
  for (const auto& w : j.at("weights")) {
    if (w.at("changed").get<bool>()) {
      ++changed;
      EXPECT_GE(w.at("count").get<int64_t>(), 1000);
      EXPECT_EQ(w.at("after").at("storage"), "lut");
      EXPECT_EQ(w.at("after").at("bits"), 4);
    } else {
      ++kept;
      EXPECT_EQ(w.at("reason"), "fewer than 1000 weights");
      EXPECT_EQ(w.at("after"), w.at("before"));
    }
  }
  EXPECT_EQ(changed, j.at("weights_changed").get<int>());
  EXPECT_EQ(changed + kept, 52);
  EXPECT_GT(kept, 20);  // the biases and the small first convolution
}

TEST(QuantizeCli, RoundTripThroughDequantize) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string q = (dir / "q3.mlmodel").string(), d = (dir / "d.mlmodel").string();
  ASSERT_EQ(
      run_morel({"quantize", squeezenet(), q, "--bits", "3", "--mode", "linear_lut"}).exit_code, 0);
  const CliResult r = run_morel({"quantize", q, d, "--mode", "dequantize"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dequantize (to float32)"), std::string::npos) << r.out;
  const Spec qs = load_spec(q), ds = load_spec(d);
  const auto& ql = *network_view(qs).layers;
  const auto& dl = *network_view(ds).layers;
  for (int i = 0; i < ql.size(); ++i) {
    const auto a = layer_weights(ql[i]), b = layer_weights(dl[i]);
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(describe_weights(*a[k].weights).storage, WeightStorage::kLookupTable);
      EXPECT_EQ(b[k].weights->floatvalue_size(), a[k].expected_count);
      EXPECT_EQ(decode_weights(*b[k].weights, b[k].expected_count, "d"),
                decode_weights(*a[k].weights, a[k].expected_count, "q"));
    }
  }
}

TEST(QuantizeCli, CustomLutFromPlugin) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string out = (dir / "sign.mlmodel").string();
  CliResult r = run_morel({"quantize", squeezenet(), out, "--bits", "1", "--mode", "custom_lut",
                           "--lut-function", "sign_lut", "--plugin", plugin(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("weights_changed"), 52);
  const Spec s = load_spec(out);
  const auto& w = network_view(s).layers->Get(0).convolution().weights();
  EXPECT_EQ(w.quantization().numberofbits(), 1u);
  EXPECT_EQ(w.quantization().lookuptablequantization().floatvalue_size(), 2);
  EXPECT_LT(w.quantization().lookuptablequantization().floatvalue(0), 0.f);
  EXPECT_GT(w.quantization().lookuptablequantization().floatvalue(1), 0.f);

  r = run_morel({"quantize", squeezenet(), out, "--bits", "2", "--mode", "custom_lut",
                 "--lut-function", "failing_lut", "--plugin", plugin()});
  expect_failure(r, "failing_lut always fails");
  EXPECT_NE(r.err.find("layer '"), std::string::npos) << r.err;

  r = run_morel({"quantize", squeezenet(), out, "--bits", "2", "--mode", "custom_lut",
                 "--lut-function", "nope", "--plugin", plugin()});
  expect_failure(
      r, "no lookup-table function 'nope' is registered (registered: failing_lut, sign_lut)");

  r = run_morel({"quantize", squeezenet(), out, "--bits", "2", "--mode", "custom_lut",
                 "--lut-function", "sign_lut"});
  expect_failure(r, "--plugin LIB.so");

  r = run_morel({"quantize", squeezenet(), out, "--bits", "2", "--mode", "custom_lut",
                 "--lut-function", "sign_lut", "--plugin", (dir / "missing.so").string()});
  expect_failure(r, "missing.so' does not exist");
}

TEST(QuantizeCli, UsageErrors) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string out = (dir / "x.mlmodel").string();
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--bits", "8"}), "--mode");
  expect_usage_error(
      run_morel({"quantize", squeezenet(), out, "--bits", "8", "--mode", "kmeans_lut"}),
      "kmeans_lut");
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--mode", "kmeans"}),
                     "mode kmeans needs --bits");
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--bits", "12", "--mode", "linear"}),
                     "must be 1 to 8, or 16");
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--bits", "16", "--mode", "linear"}),
                     "use mode fp16");
  expect_usage_error(
      run_morel({"quantize", squeezenet(), out, "--bits", "8", "--mode", "dequantize"}),
      "takes no --bits");
  expect_usage_error(
      run_morel({"quantize", squeezenet(), out, "--bits", "1", "--mode", "linear_symmetric"}),
      "2 to 8 bits");
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--bits", "8", "--mode", "linear",
                                "--skip-layer-types", "convolution,conv"}),
                     "cannot skip layer type 'conv'");
  expect_usage_error(run_morel({"quantize", squeezenet(), out, "--bits", "8", "--mode", "linear",
                                "--lut-function", "sign_lut"}),
                     "only mode custom_lut");
  expect_usage_error(run_morel({"quantize", squeezenet()}), "OUT");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(QuantizeCli, FailedWork) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string out = (dir / "x.mlmodel").string();
  expect_failure(run_morel({"quantize", (dir / "none.mlmodel").string(), out, "--bits", "8",
                            "--mode", "linear"}),
                 "none.mlmodel");
  {
    std::ofstream bad(dir / "bad.mlmodel", std::ios::binary);
    bad << "this is not a model";
  }
  expect_failure(run_morel({"quantize", (dir / "bad.mlmodel").string(), out, "--bits", "8",
                            "--mode", "linear"}),
                 "bad.mlmodel");
  expect_failure(
      run_morel({"quantize", (dir / "m.onnx").string(), out, "--bits", "8", "--mode", "linear"}),
      "m.onnx");
  EXPECT_FALSE(std::filesystem::exists(out));
}

// An ONNX model is converted in memory, then quantized; compare takes the
// .onnx too and sees only the 8-bit rounding.
TEST(QuantizeCli, QuantizesAnOnnxModel) {
  const auto dir = std::filesystem::path(temp_dir());
  OnnxBuilder b(13);
  b.input("x", {1, 16}).output("y");
  std::vector<float> w(16 * 8);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float((i * 37) % 23) / 11.f - 1.f;
  b.initializer("w", {16, 8}, w);
  b.node("MatMul", {"x", "w"}, {"y"});
  const std::string onnx = b.save(dir / "mm.onnx").string();
  const std::string out = (dir / "mm_q8.mlmodel").string();
  const CliResult q = run_morel({"quantize", onnx, out, "--bits", "8", "--mode", "linear"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const Spec spec = load_spec(out);
  bool quantized = false;
  for (const auto& layer : *network_view(spec).layers)
    for (const auto& ref : layer_weights(layer)) quantized |= ref.weights->has_quantization();
  EXPECT_TRUE(quantized);

  std::vector<float> x(16);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) - 2.f;
  io::write_npy(dir / "x.npy", MultiArray::from_floats({1, 16}, x));
  const CliResult c =
      run_morel({"compare", onnx, out, "--input", "x=" + (dir / "x.npy").string(), "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  // 8-bit weights: close to the original, but not identical (a finite SNR).
  const std::string text = nlohmann::json::parse(c.out).dump();
  EXPECT_NE(text.find("\"snr_db\":"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"snr_db\":null"), std::string::npos) << text;
}

TEST(QuantizeCli, Help) {
  const CliResult r = run_morel({"quantize", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--bits", "--mode", "--skip-layer-types", "--min-weight-count",
                           "--lut-function", "--plugin", "--json", "Examples:"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace morel::test
