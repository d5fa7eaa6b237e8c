// Every model in ../shared/testdata/coreml (real files written by coremltools)
// runs and matches its expected output within the tolerance its JSON states.
// Quantized models must also agree with their dequantized twins.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/image_file.h"
#include "io/npy.h"
#include "morel/error.h"
#include "morel/model.h"
#include "support/compare.h"
#include "support/paths.h"

namespace morel::test {
namespace {

std::filesystem::path coreml_dir() {
  return testdata_dir() / "coreml";
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::ifstream in(std::filesystem::path(MOREL_SHARED_DIR) / "testdata/coreml/index.json");
  if (!in) return names;
  const nlohmann::json index = nlohmann::json::parse(in);
  for (const auto& c : index.at("cases")) names.push_back(c.at("json"));
  return names;
}

FeatureMap load_inputs(const nlohmann::json& j, const std::filesystem::path& dir) {
  FeatureMap inputs;
  for (const auto& in : j.at("inputs")) {
    std::filesystem::path file = dir / in.at("file").get<std::string>();
    if (in.at("kind") == "image")
      inputs[in.at("name")] = io::read_image(file);
    else
      inputs[in.at("name")] = io::read_npy(file);
  }
  return inputs;
}

class CoremlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CoremlGolden, MatchesExpectedOutput) {
  std::filesystem::path json_path = coreml_dir() / GetParam();
  std::ifstream in(json_path);
  ASSERT_TRUE(in) << json_path;
  nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::path dir = json_path.parent_path();
  Tolerance tol{j.at("tolerance").at("abs"), j.at("tolerance").at("rel")};

  Model model = Model::load(dir / j.at("model").get<std::string>());
  FeatureMap inputs = load_inputs(j, dir);
  FeatureMap out = model.predict(inputs);

  for (const auto& o : j.at("outputs")) {
    std::string name = o.at("name");
    ASSERT_TRUE(out.count(name)) << "no output '" << name << "'";
    const FeatureValue& v = out.at(name);
    if (const auto* dict = std::get_if<StringDictionary>(&v)) {
      std::vector<float> actual;
      for (const auto& label : j.at("class_labels"))
        actual.push_back(static_cast<float>(dict->at(label)));
      EXPECT_TRUE(
          all_close(actual, io::read_npy(dir / o.at("file").get<std::string>()).to_floats(), tol));
      continue;
    }
    if (const auto* label = std::get_if<std::string>(&v)) {
      EXPECT_EQ(*label, o.at("value").get<std::string>());
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<MultiArray>(v)) << name;
    MultiArray expected = io::read_npy(dir / o.at("file").get<std::string>());
    EXPECT_TRUE(all_close(std::get<MultiArray>(v).to_floats(), expected.to_floats(), tol)) << name;
  }

  if (j.contains("twin_model")) {
    Tolerance twin_tol{j.at("twin_tolerance").at("abs"), j.at("twin_tolerance").at("rel")};
    Model twin = Model::load(dir / j.at("twin_model").get<std::string>());
    FeatureMap twin_out = twin.predict(inputs);
    for (const auto& [name, value] : twin_out)
      EXPECT_TRUE(all_close(std::get<MultiArray>(out.at(name)).to_floats(),
                            std::get<MultiArray>(value).to_floats(), twin_tol))
          << "quantized vs dequantized twin, output " << name;
  }
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Coreml, CoremlGolden, ::testing::ValuesIn(case_names()), case_name);

TEST(CoremlGoldenIndex, HasEveryCase) {
  EXPECT_GE(case_names().size(), 64u) << "../shared/testdata/coreml/index.json";
}

}  // namespace
}  // namespace morel::test
