// `morel convert` as a user runs it: results on stdout, one
// `morel: error: ...` line on stderr, exit 0 / 1 (the work failed) / 2 (usage).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/npy.h"
#include "morel/model.h"
#include "support/onnx_builder.h"

namespace morel::test {
namespace {

struct CliRun {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CliRun morel(const std::filesystem::path& dir, const std::string& args) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd =
      std::string(MOREL_CLI_PATH) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

OnnxBuilder classifier_model() {
  OnnxBuilder b(13);
  b.input("input", {1, 3, 2, 2}).output("probs");
  b.initializer("w", {3, 12}, std::vector<float>(36, 0.01f));
  b.node("Flatten", {"input"}, {"f"});
  auto& g = b.node("Gemm", {"f", "w"}, {"logits"});
  set_attr(g, "transB", int64_t{1});
  b.node("Softmax", {"logits"}, {"probs"});
  return b;
}

TEST(ConvertCli, ConvertsWithOptions) {
  const auto dir = scratch_dir("ConvertCli.ConvertsWithOptions");
  classifier_model().save(dir / "net.onnx");
  std::ofstream(dir / "labels.txt") << "red\ngreen\nblue\n";
  const std::string args =
      "convert " + (dir / "net.onnx").string() + " -o " + (dir / "net.mlmodel").string() +
      " --image-input input --scale 0.00392157 --bias -1,-1,-1 --class-labels " +
      (dir / "labels.txt").string() + " --author Me --license MIT --description 'a net'" +
      " --input-description 'input=the photo' --rename probs=scores";
  CliRun r = morel(dir, args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("neuralNetworkClassifier"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image RGB 2x2"), std::string::npos) << r.out;
  Model m = Model::load(dir / "net.mlmodel");
  EXPECT_EQ(m.description().metadata().author(), "Me");
  EXPECT_EQ(m.description().input(0).shortdescription(), "the photo");
  EXPECT_EQ(m.description().predictedprobabilitiesname(), "scores");
  EXPECT_TRUE(m.description().input(0).type().has_imagetype());

  CliRun j = morel(dir, "convert " + (dir / "net.onnx").string() + " -o " +
                            (dir / "plain.mlmodel").string() + " --json");
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc.at("model_type"), "neuralNetwork");
  EXPECT_GE(doc.at("specification_version").get<int>(), 4);
  EXPECT_EQ(doc.at("inputs").at(0).at("name"), "input");
}

TEST(ConvertCli, CustomLayersAndErrors) {
  const auto dir = scratch_dir("ConvertCli.CustomLayersAndErrors");
  OnnxBuilder b(13);
  b.input("x", {2, 2}).output("y");
  b.node("Det", {"x"}, {"y"}, "det");
  b.save(dir / "det.onnx");
  const std::string in = (dir / "det.onnx").string(), out = (dir / "det.mlmodel").string();

  CliRun r = morel(dir, "convert " + in + " -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("node 'det' (Det)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--add-custom-layers"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  // The plugin's class tells the output shape.
  const std::string plugin =
      (std::filesystem::path(MOREL_TEST_PLUGIN_DIR) / "libdet_plugin.so").string();
  r = morel(dir, "convert " + in + " -o " + out + " --add-custom-layers --plugin " + plugin);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("custom layers Det"), std::string::npos) << r.out;

  r = morel(dir, "convert " + (dir / "missing.onnx").string() + " -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("missing.onnx"), std::string::npos) << r.err;

  r = morel(dir, "convert " + in);
  EXPECT_EQ(r.status, 2) << r.err;
  r = morel(dir, "convert " + in + " -o " + out + " --bias 1,2");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--bias"), std::string::npos) << r.err;
  r = morel(dir, "convert " + in + " -o " + out + " --input-shape x=2xq");
  EXPECT_EQ(r.status, 2) << r.err;
  r = morel(dir, "convert " + in + " -o " + out + " --image-input x --add-custom-layers --plugin " +
                     plugin);
  // An option value that does not fit the model (kInvalidArgument): exit 2, as main.cpp maps it.
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("image input 'x'"), std::string::npos) << r.err;
}

// Other commands take an .onnx file directly (converted in memory).
TEST(ConvertCli, PredictRunsAnOnnxModel) {
  const auto dir = scratch_dir("ConvertCli.PredictRunsAnOnnxModel");
  OnnxBuilder b(13);
  b.input("x", {1, 3}).output("y");
  b.node("Relu", {"x"}, {"y"});
  b.save(dir / "relu.onnx");
  io::write_npy(dir / "x.npy", MultiArray::from_floats({1, 3}, std::vector<float>{-1, 2, -3}));
  CliRun r = morel(dir, "predict " + (dir / "relu.onnx").string() +
                            " --input x=" + (dir / "x.npy").string() + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("outputs").at("y").at("values"), nlohmann::json::parse("[[0, 2, 0]]"));

  // A graph that does not convert: one error naming the node.
  OnnxBuilder bad(13);
  bad.input("x", {2, 2}).output("y");
  bad.node("Det", {"x"}, {"y"}, "det");
  bad.save(dir / "det.onnx");
  r = morel(dir,
            "predict " + (dir / "det.onnx").string() + " --input x=" + (dir / "x.npy").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("node 'det' (Det)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace morel::test
