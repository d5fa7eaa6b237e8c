// Runs every single-layer fixture in tests/fixtures/layers/<family>/*.json:
// a layer message (protobuf JSON), its inputs, and the outputs an independent
// oracle (PyTorch / NumPy, tests/fixtures/generators/) computed for them.
// Each case runs with the reference kernels and with the default kernels, on
// one thread and on several.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/npy.h"
#include "morel/error.h"
#include "support/compare.h"
#include "support/paths.h"
#include "support/run_layer.h"

namespace morel::test {
namespace {

std::vector<std::filesystem::path> fixture_files() {
  std::vector<std::filesystem::path> files;
  std::filesystem::path root = fixtures_dir() / "layers";
  if (!std::filesystem::exists(root)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

class LayerFixture : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(LayerFixture, MatchesOracle) {
  const std::filesystem::path& file = GetParam();
  std::ifstream in(file);
  nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::path dir = file.parent_path();

  spec::NeuralNetworkLayer layer;
  auto status = google::protobuf::util::JsonStringToMessage(j.at("layer").dump(), &layer);
  ASSERT_TRUE(status.ok()) << file << ": layer JSON does not parse: " << status.ToString();

  std::vector<MultiArray> inputs;
  for (const auto& name : j.at("inputs"))
    inputs.push_back(io::read_npy(dir / name.get<std::string>()));
  graph::LowerContext ctx;
  ctx.rank5 = j.value("rank5", false);
  ctx.spec_version = j.value("spec_version", ctx.rank5 ? 1 : 4);

  if (j.contains("error")) {
    std::string expected = j["error"].get<std::string>();
    try {
      run_layer(layer, inputs, ctx);
      FAIL() << "expected an error containing '" << expected << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << "error '" << e.what() << "' does not contain '" << expected << "'";
    }
    return;
  }

  Tolerance tol;
  if (j.contains("tolerance")) tol = {j["tolerance"].at("abs"), j["tolerance"].at("rel")};
  std::vector<MultiArray> expected;
  for (const auto& name : j.at("outputs"))
    expected.push_back(io::read_npy(dir / name.get<std::string>()));

  for (bool reference : {true, false}) {
    for (int threads : {1, 3}) {
      SCOPED_TRACE(std::string(reference ? "reference" : "default") + " kernels, " +
                   std::to_string(threads) + " thread(s)");
      LayerRun run = run_layer(layer, inputs, ctx, reference, threads);
      ASSERT_EQ(run.shapes.size(), expected.size());
      for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(run.shapes[k], Shape(std::span<const int64_t>(expected[k].shape())))
            << "output " << k << " shape";
        EXPECT_TRUE(all_close(run.values[k], expected[k].to_floats(), tol)) << "output " << k;
      }
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name =
      info.param.parent_path().filename().string() + "_" + info.param.stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LayerFixture, ::testing::ValuesIn(fixture_files()), case_name);
TEST(LayerFixtures, Exist) {
  EXPECT_GE(fixture_files().size(), 1u) << "no fixtures under tests/fixtures/layers";
}

}  // namespace
}  // namespace morel::test
