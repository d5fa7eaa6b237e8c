// load_any_model: the one entry point commands use to open a model file.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "morel/builder.h"
#include "morel/error.h"
#include "support/temp_dir.h"
#include "tools/load_model.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

std::pair<ErrorCode, std::string> failure_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {ErrorCode::kInvalidArgument, "(no error)"};
}

class LoadModel : public ::testing::Test {
 protected:
  TempDir tmp_{"test_load_model"};
  const fs::path& dir_ = tmp_.path();
};

TEST_F(LoadModel, LoadsAnMlmodel) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {2});
  b.add_array_output("y", {2});
  b.add_activation("relu", "x", "y", "RELU");
  save_spec(b.build(), dir_ / "relu.mlmodel");
  Model m = tools::load_any_model(dir_ / "relu.mlmodel");
  FeatureMap out = m.predict({{"x", MultiArray::from_floats({2}, std::vector<float>{-1, 2})}});
  EXPECT_EQ(std::get<MultiArray>(out.at("y")).to_floats(), (std::vector<float>{0, 2}));
}

TEST_F(LoadModel, OnnxGoesThroughTheConverter) {
  std::ofstream(dir_ / "net.ONNX") << "onnx bytes";
  auto [code, msg] = failure_of([&] { tools::load_any_model(dir_ / "net.ONNX"); });
  EXPECT_EQ(code, ErrorCode::kInvalidModel);
  EXPECT_NE(msg.find("net.ONNX is not an ONNX model"), std::string::npos) << msg;
  EXPECT_TRUE(tools::is_onnx_path("a/b.onnx"));
  EXPECT_FALSE(tools::is_onnx_path("a/b.mlmodel"));
}

TEST_F(LoadModel, MissingFileFolderAndGarbageAreNamed) {
  auto [c1, missing] = failure_of([&] { tools::load_any_model(dir_ / "none.mlmodel"); });
  EXPECT_EQ(c1, ErrorCode::kIo);
  EXPECT_NE(missing.find("none.mlmodel: no such file"), std::string::npos) << missing;

  fs::create_directories(dir_ / "m.mlpackage");
  auto [c2, folder] = failure_of([&] { tools::load_any_model(dir_ / "m.mlpackage"); });
  EXPECT_EQ(c2, ErrorCode::kIo);
  EXPECT_NE(folder.find("is a folder"), std::string::npos) << folder;
  EXPECT_NE(folder.find("ML program"), std::string::npos) << folder;

  std::ofstream(dir_ / "junk.mlmodel") << "\xff\xff\xff\xff not a protobuf";
  auto [c3, junk] = failure_of([&] { tools::load_any_model(dir_ / "junk.mlmodel"); });
  EXPECT_EQ(c3, ErrorCode::kInvalidModel) << junk;
  EXPECT_NE(junk.find("junk.mlmodel"), std::string::npos) << junk;
}

}  // namespace
}  // namespace morel::test
