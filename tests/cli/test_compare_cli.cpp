// `morel compare` end to end on the bundled demo classifier and images and
// on the shared squeezenet files: the table, the JSON report, and the exit
// codes and messages for bad usage (2) and failed work (1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/image_file.h"
#include "io/image_resize.h"
#include "support/paths.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

std::string demo_model() {
  return (source_dir() / "examples" / "demo" / "shapes_classifier.mlmodel").string();
}
std::string demo_images() {
  return (source_dir() / "examples" / "demo" / "images").string();
}
std::filesystem::path quantized_dir() {
  return testdata_dir() / "coreml" / "quantized";
}

TEST(CompareCli, ModelAgainstItself) {
  const CliResult r = run_morel({"compare", demo_model(), demo_model(), "--data", demo_images()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("samples    24 (files in "), std::string::npos) << r.out;
  // label: 100% top-1; probabilities: 100% top-1, 100% top-5, identical.
  EXPECT_NE(r.out.find("label          label"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("100.0%  100.0% @5       inf       inf"), std::string::npos) << r.out;
}

TEST(CompareCli, QuantizedDemoClassifierJson) {
  const auto dir = std::filesystem::path(temp_dir());
  const std::string q = (dir / "q2.mlmodel").string();
  ASSERT_EQ(run_morel({"quantize", demo_model(), q, "--bits", "2", "--mode", "kmeans"}).exit_code,
            0);
  const CliResult r =
      run_morel({"compare", demo_model(), q, "--data", demo_images(), "--json", "--top-k", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("samples"), 24);
  ASSERT_EQ(j.at("outputs").size(), 2u);
  const auto& label = j.at("outputs")[0];
  EXPECT_EQ(label.at("name"), "label");
  EXPECT_EQ(label.at("kind"), "label");
  EXPECT_FALSE(label.contains("snr_db"));
  const auto& probs = j.at("outputs")[1];
  EXPECT_EQ(probs.at("kind"), "probabilities");
  EXPECT_EQ(probs.at("top_k"), 3);
  EXPECT_EQ(probs.at("elements"), 24 * 8);
  EXPECT_EQ(probs.at("identical"), false);
  EXPECT_TRUE(probs.at("snr_db").is_number());
  EXPECT_LT(probs.at("snr_db").get<double>(), 60);
  EXPECT_EQ(label.at("top1_agreement_percent"), probs.at("top1_agreement_percent"));
  const double agree = probs.at("top1_agreement_percent");
  EXPECT_GE(agree, 0);
  EXPECT_LE(agree, 100);
}

TEST(CompareCli, ArraysFromInputPairs) {
  const std::string input =
      "input=" + (testdata_dir() / "coreml" / "torch" / "squeezenet1_1.input.npy").string();
  const CliResult r =
      run_morel({"compare", (quantized_dir() / "squeezenet1_1_fp16.mlmodel").string(),
                 (quantized_dir() / "squeezenet1_1_fp16_dequantized.mlmodel").string(), "--input",
                 input, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("outputs").size(), 1u);
  const auto& o = j.at("outputs")[0];
  EXPECT_EQ(o.at("kind"), "array");
  EXPECT_EQ(o.at("elements"), 10);
  // fp16 widened to fp32 exactly: the same function.
  EXPECT_TRUE(o.at("identical").get<bool>() || o.at("snr_db").get<double>() > 100) << o.dump();
  EXPECT_FALSE(o.contains("top1_agreement_percent"));
}

TEST(CompareCli, ImagesOfAnotherSizeAreScaled) {
  // A 64x48 picture for the 32x32 input: scaled the way --image-scale says.
  const auto dir = std::filesystem::path(temp_dir()) / "big";
  std::filesystem::create_directories(dir);
  const Image small = io::read_image(std::filesystem::path(demo_images()) / "ring_0.png");
  io::write_png(dir / "ring_big.png", io::scale_image(small, 64, 48, io::ImageScale::kFill));
  for (const char* scale : {"fill", "fit", "center-crop"}) {
    const CliResult r = run_morel({"compare", demo_model(), demo_model(), "--data", dir.string(),
                                   "--image-scale", scale, "--json"});
    ASSERT_EQ(r.exit_code, 0) << scale << ": " << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("samples"), 1);
    EXPECT_EQ(j.at("outputs")[1].at("identical"), true);
  }
}

TEST(CompareCli, Help) {
  const CliResult r = run_morel({"compare", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--data", "--input", "--output", "--top-k", "--image-scale",
                           "center-crop", "--plugin", "--json", "Examples:", "SNR"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
}

TEST(CompareCli, UsageErrors) {
  auto usage = [](const CliResult& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  };
  usage(run_morel({"compare", demo_model(), demo_model()}), "either --data DIR or --input");
  usage(run_morel({"compare", demo_model(), demo_model(), "--data", demo_images(), "--input",
                   "image=x.png"}),
        "not both");
  usage(run_morel({"compare", demo_model(), demo_model(), "--input", "image"}),
        "--input 'image' is not NAME=VALUE");
  usage(run_morel({"compare", demo_model(), demo_model(), "--data", demo_images(), "--image-scale",
                   "zoom"}),
        "--image-scale");
  usage(run_morel({"compare", demo_model(), demo_model(), "--data", demo_images(), "--top-k", "0"}),
        "--top-k");
  usage(run_morel({"compare", demo_model()}), "B");
}

TEST(CompareCli, FailedWork) {
  auto fails = [](const CliResult& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  };
  const auto dir = std::filesystem::path(temp_dir());
  fails(run_morel({"compare", demo_model(), demo_model(), "--data", (dir / "nowhere").string()}),
        "input 'image': no such folder");
  fails(run_morel({"compare", demo_model(), demo_model(), "--data", dir.string()}),
        "holds no PNG or JPEG images");
  fails(run_morel({"compare", demo_model(), demo_model(), "--input", "picture=x.png"}),
        "input 'picture' is not an input of " + demo_model() +
            "; its inputs are: image (image RGB 32x32)");
  fails(run_morel({"compare", demo_model(), demo_model(), "--input",
                   "image=" +
                       (testdata_dir() / "coreml" / "torch" / "squeezenet1_1.input.npy").string()}),
        "input 'image'");
  fails(run_morel({"compare", demo_model(), demo_model(), "--input",
                   "image=" + (dir / "missing.png").string()}),
        "no such file");
  {
    std::ofstream f(dir / "broken.png", std::ios::binary);
    f << "not a png";
  }
  fails(run_morel({"compare", demo_model(), demo_model(), "--data", dir.string()}), "broken.png");
  { std::ofstream f(dir / "m.onnx", std::ios::binary); }
  fails(run_morel({"compare", demo_model(), (dir / "m.onnx").string(), "--data", demo_images()}),
        "ONNX");
  fails(run_morel(
            {"compare", demo_model(), (dir / "none.mlmodel").string(), "--data", demo_images()}),
        "no such file");
  fails(
      run_morel({"compare", demo_model(), (quantized_dir() / "squeezenet1_1_fp16.mlmodel").string(),
                 "--data", demo_images()}),
      "test model:");
  const CliResult output = run_morel(
      {"compare", demo_model(), demo_model(), "--data", demo_images(), "--output", "logits"});
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_NE(output.err.find("'logits' is not an output of the reference model"), std::string::npos)
      << output.err;
}

}  // namespace
}  // namespace morel::test
