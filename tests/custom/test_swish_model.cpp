// The Swish walk-through model (examples/swish) on its bundled image against
// the independent NumPy computation (tests/fixtures/generators/swish_model.py),
// and the example program itself.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "io/npy.h"
#include "morel/custom_layer.h"
#include "morel/model.h"
#include "support/compare.h"
#include "support/paths.h"
#include "swish.h"
#include "swish_model.h"

namespace morel::test {
namespace {

std::filesystem::path bundled_image() {
  return source_dir() / "examples" / "swish" / "data" / "swish_input.png";
}

std::vector<float> fixture(const char* name) {
  return io::read_npy(fixtures_dir() / "swish" / name).to_floats();
}

// Tolerances: the optimized (oneDNN) global average pool sums 254x254 values
// in float32, which moves the features by up to ~2e-4 relative against
// NumPy; the reference kernels (double sums) match to 1e-6.
constexpr Tolerance kOptimized{1e-5, 3e-4};

class SwishModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    register_custom_layer("Swish", custom_layer_factory<swish::Swish>());
  }
};

TEST_F(SwishModel, MatchesNumPyOnTheBundledImage) {
  swish::SwishModelOptions options;
  options.features_output = true;
  // Saved and loaded again, as the example does.
  Model model = Model::from_bytes(serialize_spec(swish::build_swish_model(options)));
  FeatureMap out = model.predict({{"image", load_image(bundled_image())}});
  const auto& features = std::get<MultiArray>(out.at("features"));
  const auto& probabilities = std::get<MultiArray>(out.at("probabilities"));
  EXPECT_EQ(features.shape(), (std::vector<int64_t>{6}));
  EXPECT_EQ(probabilities.shape(), (std::vector<int64_t>{10}));
  EXPECT_TRUE(all_close(features.to_floats(), fixture("features.npy"), kOptimized));
  EXPECT_TRUE(all_close(probabilities.to_floats(), fixture("probabilities.npy"), kOptimized));
}

TEST_F(SwishModel, BatchOfImagesMatchesSinglePredictions) {
  Model model = Model::from_spec(swish::build_swish_model());
  Image image = load_image(bundled_image());
  Image flipped = image;  // a second, different image: mirrored rows
  const size_t row = static_cast<size_t>(image.width) * 3;
  for (int y = 0; y < image.height; ++y)
    std::copy_n(image.pixels.begin() + static_cast<long>((image.height - 1 - y) * row), row,
                flipped.pixels.begin() + static_cast<long>(y * row));
  std::vector<FeatureMap> items = {{{"image", image}}, {{"image", flipped}}, {{"image", image}}};
  std::vector<FeatureMap> out = model.predict_batch(items);
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < items.size(); ++i)
    EXPECT_TRUE(
        all_close(std::get<MultiArray>(out[i].at("probabilities")).to_floats(),
                  std::get<MultiArray>(model.predict(items[i]).at("probabilities")).to_floats(),
                  {1e-6, 1e-5}));
  EXPECT_TRUE(all_close(std::get<MultiArray>(out[0].at("probabilities")).to_floats(),
                        fixture("probabilities.npy"), kOptimized));
}

TEST(SwishExample, ProgramRunsAndRanksTheExpectedClassFirst) {
  const std::filesystem::path exe = binary_dir() / "bin" / "swish_example";
  ASSERT_TRUE(std::filesystem::exists(exe)) << exe;
  const std::filesystem::path saved =
      std::filesystem::temp_directory_path() / "morel_test_swish_example.mlmodel";
  const std::string command = exe.string() + " --save " + saved.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  ASSERT_EQ(pclose(pipe), 0) << output;
  EXPECT_TRUE(std::filesystem::exists(saved));
  EXPECT_NO_THROW(load_spec(saved));
  std::filesystem::remove(saved);

  std::vector<float> expected = fixture("probabilities.npy");
  const size_t best =
      static_cast<size_t>(std::max_element(expected.begin(), expected.end()) - expected.begin());
  const std::string header = "class  probability\n";
  const size_t at = output.find(header);
  ASSERT_NE(at, std::string::npos) << output;
  size_t top = 0;
  float p = 0;
  ASSERT_EQ(std::sscanf(output.c_str() + at + header.size(), "%zu %f", &top, &p), 2) << output;
  EXPECT_EQ(top, best) << output;
  EXPECT_NEAR(p, expected[best], 1e-4) << output;
}

}  // namespace
}  // namespace morel::test
