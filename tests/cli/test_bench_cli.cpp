// `morel bench` end to end: JSON and table output, the profile, and the
// documented exit codes for bad models and bad options.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

std::string squeezenet() {
  return (testdata_dir() / "coreml/torch/squeezenet1_1.mlmodel").string();
}

TEST(BenchCli, JsonWithProfile) {
  CliResult r = run_morel({"bench", squeezenet(), "--threads", "1", "--iters", "3", "--warmup", "1",
                           "--json", "--profile"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["runs"], 3);
  EXPECT_EQ(j["warmup"], 1);
  for (const char* key : {"load_ms", "first_prediction_ms", "median_ms", "p90_ms", "min_ms"})
    EXPECT_GT(j[key].get<double>(), 0) << key;
  EXPECT_GT(j["peak_rss_bytes"].get<int64_t>(), 0);
  const auto& p = j["profile"];
  double sum = 0, share = 0;
  for (const auto& k : p["kinds"]) {
    sum += k["ms"].get<double>();
    share += k["share"].get<double>();
  }
  EXPECT_NEAR(sum, p["total_ms"].get<double>(), 1e-6);
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_GE(p["layers"].size(), 26u);
  EXPECT_TRUE(r.err.empty()) << "no progress bar when stderr is not a terminal: " << r.err;
}

TEST(BenchCli, TableForPeople) {
  CliResult r = run_morel({"bench", squeezenet(), "--iters", "2", "--warmup", "0", "--profile"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"load", "first prediction", "median", "peak memory",
                           "time per layer kind", "convolution+activation", "total"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << " in\n" << r.out;
}

TEST(BenchCli, MissingModelFailsNamingIt) {
  CliResult r = run_morel({"bench", "/nonexistent/m.mlmodel"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/m.mlmodel"), std::string::npos) << r.err;
}

TEST(BenchCli, BadOptionsAreUsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"bench", squeezenet(), "--iters", "0"},
        {"bench", squeezenet(), "--threads", "-1"},
        {"bench", squeezenet(), "--bogus"},
        {"bench"}}) {
    CliResult r = run_morel(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
  }
}

}  // namespace
}  // namespace morel::test
