// `morel edit` end to end: the edited file runs at its new shapes, carries
// the metadata, and bad options give the documented exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "morel/builder.h"
#include "morel/model.h"
#include "support/paths.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

std::string conv2d_basic() {
  return (testdata_dir() / "coreml/torch/conv2d_basic.mlmodel").string();
}

TEST(EditCli, MakesARealModelFlexibleAndItRuns) {
  std::string out = temp_dir() + "/flex.mlmodel";
  CliResult r = run_morel({"edit", conv2d_basic(), out, "--shape-range", "input=1x3x[4..64]x[4..]",
                           "--author", "Test Author", "--user-defined", "k=v", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output"], out);
  Model m = Model::load(out);
  EXPECT_EQ(m.description().metadata().author(), "Test Author");
  EXPECT_EQ(m.description().metadata().userdefined().at("k"), "v");
  // The original takes only its declared shape; the edited model also takes
  // 12 more rows and 22 more columns, and a convolution keeps that difference.
  const auto& in = m.description().input(0).type().multiarraytype();
  std::vector<int64_t> base(in.shape().begin(), in.shape().end()), bigger = base;
  bigger[2] += 12;
  bigger[3] += 22;
  auto out_shape = [&](const std::vector<int64_t>& shape) {
    FeatureMap o = m.predict({{"input", MultiArray(DType::kFloat32, shape)}});
    return std::get<MultiArray>(o.begin()->second).shape();
  };
  std::vector<int64_t> small_out = out_shape(base), big_out = out_shape(bigger);
  EXPECT_EQ(big_out[2] - small_out[2], 12);
  EXPECT_EQ(big_out[3] - small_out[3], 22);
}

TEST(EditCli, RefusesAShapeTheNetworkCannotTake) {
  std::string mlp = (testdata_dir() / "coreml/torch/mlp.mlmodel").string();
  CliResult r =
      run_morel({"edit", mlp, temp_dir() + "/x.mlmodel", "--shape-range", "input=[1..8]x[4..64]"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("morel: error: the network cannot take input 'input'"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(innerProduct)"), std::string::npos) << r.err;
}

TEST(EditCli, UsageErrorsExitWith2) {
  CliResult missing = run_morel({"edit", conv2d_basic()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("morel: error:"), std::string::npos);
  CliResult bad_pair =
      run_morel({"edit", conv2d_basic(), temp_dir() + "/y.mlmodel", "--rename-input", "noequals"});
  EXPECT_EQ(bad_pair.exit_code, 2);
  EXPECT_NE(bad_pair.err.find("--rename-input takes NAME=VALUE"), std::string::npos)
      << bad_pair.err;
  CliResult bad_range = run_morel(
      {"edit", conv2d_basic(), temp_dir() + "/y.mlmodel", "--shape-range", "input=1x3x[9..2]x4"});
  EXPECT_EQ(bad_range.exit_code, 2);
  CliResult unknown =
      run_morel({"edit", conv2d_basic(), temp_dir() + "/y.mlmodel", "--frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST(EditCli, CorruptModelIsAnErrorNotACrash) {
  std::string bad = temp_dir() + "/bad.mlmodel";
  FILE* f = fopen(bad.c_str(), "wb");
  fputs("not a model at all", f);
  fclose(f);
  CliResult r = run_morel({"edit", bad, temp_dir() + "/z.mlmodel", "--author", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a Core ML model"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace morel::test
