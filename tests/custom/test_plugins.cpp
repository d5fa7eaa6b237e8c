// Plugins: the Swish plugin and a custom-model plugin loaded by path (through
// load_plugin and through ModelOptions::plugins), and every way a load fails:
// missing file, a directory, a file that is no library, a library that is no
// plugin, a plugin for another ABI, a plugin whose registration throws.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "custom/custom_test_models.h"
#include "io/npy.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"
#include "support/compare.h"
#include "support/paths.h"
#include "swish_model.h"

namespace morel::test {
namespace {

std::string lib(const std::string& name) {
  return (binary_dir() / "lib" / ("lib" + name + ".so")).string();
}

Error plugin_error(const std::string& path) {
  try {
    load_plugin(path);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "loading " << path << " should fail";
  return Error(ErrorCode::kInvalidArgument, "");
}

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "'" << part << "' not in: " << text;
}

// The plugin's classes arrive only when it is loaded; this test loads it
// first in this program, through the model options, so it runs first.
TEST(Plugins, SwishModelRunsThroughModelOptionsPlugins) {
  Spec spec = single_custom_layer_model("Swish", [](spec::CustomLayerParams& p) {
    (*p.mutable_parameters())["beta"].set_doublevalue(2.0);
  });
  ASSERT_FALSE(has_custom_layer("Swish")) << "this program must not link Swish in";
  try {
    Model::from_spec(spec);
    ADD_FAILURE() << "Swish should be missing before the plugin is loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMissingCustomLayer);
    expect_contains(e.what(), "--plugin");
  }

  ModelOptions options;
  options.plugins = {lib("morel_swish")};
  Model model = Model::from_spec(spec, options);
  MultiArray x = ramp({2, 3, 4}, -3, 0.25f);
  std::vector<float> expected;
  for (float v : x.to_floats())
    expected.push_back(static_cast<float>(v / (1 + std::exp(-2.0 * v))));
  EXPECT_TRUE(all_close(floats_of(model.predict({{"x", x}}), "y"), expected, {1e-6, 1e-6}));
}

TEST(Plugins, LoadReportsWhatThePluginRegistered) {
  PluginInfo info = load_plugin(lib("morel_swish"));
  EXPECT_EQ(info.layers, (std::vector<std::string>{"Swish", "LearnableSwish"}));
  EXPECT_TRUE(info.models.empty());
  EXPECT_TRUE(has_custom_layer("LearnableSwish"));
  // Again, and by another spelling of the same path: the first load's record.
  PluginInfo again = load_plugin((binary_dir() / "lib" / "." / "libmorel_swish.so").string());
  EXPECT_EQ(again.layers, info.layers);
}

TEST(Plugins, WalkThroughModelThroughThePluginMatchesNumPy) {
  ModelOptions options;
  options.plugins = {lib("morel_swish")};
  Model model = Model::from_spec(swish::build_swish_model(), options);
  FeatureMap out =
      model.predict({{"image", load_image(source_dir() / "examples/swish/data/swish_input.png")}});
  std::vector<float> expected =
      io::read_npy(fixtures_dir() / "swish/probabilities.npy").to_floats();
  EXPECT_TRUE(all_close(floats_of(out, "probabilities"), expected));
}

TEST(Plugins, CustomModelFromAPlugin) {
  PluginInfo info = load_plugin(lib("morel_test_model_plugin"));
  EXPECT_EQ(info.models, std::vector<std::string>{"PluginAffine"});
  EXPECT_TRUE(has_custom_model("PluginAffine"));

  Spec spec;
  spec.set_specificationversion(3);
  auto* in = spec.mutable_description()->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_multiarraytype()->add_shape(3);
  in->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
  auto* out = spec.mutable_description()->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_multiarraytype()->add_shape(3);
  out->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
  spec.mutable_custommodel()->set_classname("PluginAffine");
  (*spec.mutable_custommodel()->mutable_parameters())["a"].set_doublevalue(3);
  (*spec.mutable_custommodel()->mutable_parameters())["b"].set_doublevalue(-1);
  Model model = Model::from_spec(spec);
  EXPECT_EQ(floats_of(model.predict({{"x", ramp({3}, 1)}}), "y"), (std::vector<float>{2, 5, 8}));
}

TEST(Plugins, MissingFile) {
  Error e = plugin_error("/nonexistent/dir/libnothing.so");
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "plugin '/nonexistent/dir/libnothing.so' does not exist");

  // Through the model options: the plugin error comes first, as it is.
  ModelOptions options;
  options.plugins = {"/nonexistent/libswish.so"};
  try {
    Model::from_spec(single_custom_layer_model("Swish"), options);
    ADD_FAILURE() << "expected a plugin error";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kPlugin);
    expect_contains(err.what(), "/nonexistent/libswish.so");
  }
}

TEST(Plugins, DirectoryAndEmptyPath) {
  Error e = plugin_error((binary_dir() / "lib").string());
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "is a directory");
  EXPECT_EQ(plugin_error("").code(), ErrorCode::kPlugin);
}

TEST(Plugins, FileThatIsNoSharedLibrary) {
  const auto path = std::filesystem::temp_directory_path() / "morel_test_garbage_plugin.so";
  std::ofstream(path) << "this is not an ELF file\n";
  Error e = plugin_error(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "cannot be loaded: ");
  expect_contains(e.what(), path.string());
}

TEST(Plugins, LibraryThatIsNoPlugin) {
  Error e = plugin_error(lib("morel_test_not_a_plugin"));
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "is not a morel plugin: it does not export morel_plugin_abi_version");
  expect_contains(e.what(), "MOREL_PLUGIN");
}

TEST(Plugins, WrongAbiIsRefusedBeforeRegistration) {
  Error e = plugin_error(lib("morel_test_wrong_abi_plugin"));
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "was built for morel plugin ABI " +
                                std::to_string(kPluginAbiVersion + 1) +
                                ", but this morel has ABI " + std::to_string(kPluginAbiVersion));
  expect_contains(e.what(), "rebuild the plugin");
  EXPECT_FALSE(has_custom_layer("WrongAbiLayer"));
  // Refused every time, not remembered as loaded.
  EXPECT_EQ(plugin_error(lib("morel_test_wrong_abi_plugin")).code(), ErrorCode::kPlugin);
}

TEST(Plugins, RegistrationThatThrows) {
  Error e = plugin_error(lib("morel_test_throwing_plugin"));
  EXPECT_EQ(e.code(), ErrorCode::kPlugin);
  expect_contains(e.what(), "failed to register its classes: no license for ThrowingLayer");
}

}  // namespace
}  // namespace morel::test
