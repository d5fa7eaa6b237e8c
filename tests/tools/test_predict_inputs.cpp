// What a user types for an input becomes a feature value, or one clear error
// naming the input.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "io/image_file.h"
#include "io/npy.h"
#include "morel/builder.h"
#include "morel/error.h"
#include "support/temp_dir.h"
#include "tools/predict_inputs.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

struct Failure {
  ErrorCode code{};
  std::string message = "(no error)";
};

Failure failure_of(const std::function<void()>& f) {
  Failure r;
  try {
    f();
  } catch (const Error& e) {
    r.code = e.code();
    r.message = e.what();
  }
  return r;
}

#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

class PredictInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& d = *desc_.add_input();
    d.set_name("image");
    d.mutable_type()->mutable_imagetype()->set_width(8);
    d.mutable_type()->mutable_imagetype()->set_height(6);
    d.mutable_type()->mutable_imagetype()->set_colorspace(spec::ImageFeatureType::GRAYSCALE);
    auto& x = *desc_.add_input();
    x.set_name("x");
    x.mutable_type()->mutable_multiarraytype()->add_shape(3);
    x.mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
    desc_.add_input()->set_name("k");
    desc_.mutable_input(2)->mutable_type()->mutable_int64type();
    desc_.add_input()->set_name("scale");
    desc_.mutable_input(3)->mutable_type()->mutable_doubletype();
    desc_.add_input()->set_name("tag");
    desc_.mutable_input(4)->mutable_type()->mutable_stringtype();
    desc_.add_input()->set_name("maybe");
    desc_.mutable_input(5)->mutable_type()->mutable_doubletype();
    desc_.mutable_input(5)->mutable_type()->set_isoptional(true);
  }

  const spec::FeatureDescription& input(const std::string& name) {
    return tools::find_input(desc_, name, "m.mlmodel");
  }
  void touch(const std::string& name, const std::string& bytes = "x") {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }

  TempDir tmp_{"test_predict_inputs"};
  const fs::path& dir_ = tmp_.path();
  spec::ModelDescription desc_;
};

TEST_F(PredictInputs, ParsesNameEqualsValue) {
  auto a = tools::parse_input_argument("image=a=b.png");
  EXPECT_EQ(a.name, "image");
  EXPECT_EQ(a.value, "a=b.png");
  EXPECT_EQ(tools::parse_input_argument("tag=").value, "");
  for (const char* bad : {"image", "=x.png", ""}) {
    Failure f = failure_of([&] { tools::parse_input_argument(bad); });
    EXPECT_EQ(f.code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_HAS(f.message, "NAME=VALUE");
  }
}

TEST_F(PredictInputs, UnknownNameListsTheModelInputs) {
  Failure f = failure_of([&] { tools::find_input(desc_, "imag", "m.mlmodel"); });
  EXPECT_EQ(f.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(
      f.message,
      "input 'imag' is not an input of m.mlmodel; its inputs are: image (image gray 8x6), x (");
  EXPECT_HAS(f.message, "k (int64)");
}

TEST_F(PredictInputs, MissingRequiredInputSaysHowToGiveIt) {
  Failure f = failure_of([&] {
    tools::check_required_inputs(desc_, {"image", "k", "scale", "tag"});
  });
  EXPECT_EQ(f.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(f.message, "missing input 'x' (multiArray float32 3)");
  EXPECT_HAS(f.message, "--input x=ARRAY.npy");
  // The optional input may be left out.
  EXPECT_NO_THROW(tools::check_required_inputs(desc_, {"image", "x", "k", "scale", "tag"}));
}

TEST_F(PredictInputs, ScalarValues) {
  EXPECT_EQ(std::get<int64_t>(tools::load_input_value(input("k"), "-9007199254740993")),
            -9007199254740993);
  EXPECT_EQ(std::get<double>(tools::load_input_value(input("scale"), "2.5e-3")), 2.5e-3);
  EXPECT_EQ(std::get<std::string>(tools::load_input_value(input("tag"), "hello world")),
            "hello world");
  for (const char* bad : {"3.5", "", "12abc", "99999999999999999999"})
    EXPECT_HAS(failure_of([&] { tools::load_input_value(input("k"), bad); }).message,
               "is not a 64-bit integer");
  for (const char* bad : {"abc", "", "1.5x", " 1"})
    EXPECT_HAS(failure_of([&] { tools::load_input_value(input("scale"), bad); }).message,
               "is not a number");
}

TEST_F(PredictInputs, ImagesAreDecodedAndScaledToTheInput) {
  Image big(32, 12, PixelFormat::kRGBA8);
  for (size_t i = 0; i < big.pixels.size(); ++i) big.pixels[i] = 77;
  io::write_png(dir_ / "a.png", big);
  Image im = std::get<Image>(tools::load_input_value(input("image"), (dir_ / "a.png").string()));
  EXPECT_EQ(im.width, 8);
  EXPECT_EQ(im.height, 6);
  EXPECT_EQ(im.format, PixelFormat::kRGB8);
  EXPECT_EQ(im.pixels, std::vector<uint8_t>(8 * 6 * 3, 77));
}

TEST_F(PredictInputs, FileErrorsNameTheInputAndTheFile) {
  Failure missing = failure_of([&] { tools::load_input_value(input("image"), "nope.png"); });
  EXPECT_EQ(missing.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(missing.message, "input 'image' (image gray 8x6): no such file 'nope.png'");

  touch("broken.png", "\x89PNG\r\n\x1a\n garbage");
  Failure corrupt =
      failure_of([&] { tools::load_input_value(input("image"), (dir_ / "broken.png").string()); });
  EXPECT_EQ(corrupt.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(corrupt.message, "input 'image': ");
  EXPECT_HAS(corrupt.message, "broken.png: cannot decode image");

  touch("x.npy", "not numpy");
  Failure npy = failure_of([&] { tools::load_input_value(input("x"), (dir_ / "x.npy").string()); });
  EXPECT_HAS(npy.message, "input 'x': ");
  EXPECT_HAS(npy.message, "x.npy: not a .npy file");

  Failure folder = failure_of([&] { tools::load_input_value(input("x"), dir_.string()); });
  EXPECT_HAS(folder.message, "is a folder");
}

TEST_F(PredictInputs, UnsupportedInputKindsAreNamed) {
  auto& d = *desc_.add_input();
  d.set_name("dict");
  d.mutable_type()->mutable_dictionarytype()->mutable_stringkeytype();
  Failure f = failure_of([&] { tools::load_input_value(input("dict"), "x"); });
  EXPECT_EQ(f.code, ErrorCode::kUnsupported);
  EXPECT_HAS(f.message, "input 'dict' is dictionary");
}

TEST_F(PredictInputs, FolderItemsAreSortedAndFiltered) {
  for (const char* n : {"b.png", "a.JPG", "c.jpeg", "notes.txt", ".hidden.png", "d.npy"}) touch(n);
  fs::create_directories(dir_ / "sub.png");
  std::vector<fs::path> skipped;
  auto images = tools::folder_items(input("image"), dir_, &skipped);
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].filename(), "a.JPG");
  EXPECT_EQ(images[1].filename(), "b.png");
  EXPECT_EQ(images[2].filename(), "c.jpeg");
  ASSERT_EQ(skipped.size(), 3u);  // d.npy, notes.txt, sub.png/
  auto arrays = tools::folder_items(input("x"), dir_);
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].filename(), "d.npy");
}

TEST_F(PredictInputs, FolderErrors) {
  Failure empty = failure_of([&] { tools::folder_items(input("x"), dir_); });
  EXPECT_EQ(empty.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(empty.message, "holds no .npy files");
  Failure missing = failure_of([&] { tools::folder_items(input("image"), dir_ / "none"); });
  EXPECT_HAS(missing.message, "no such folder");
  Failure scalar = failure_of([&] { tools::folder_items(input("k"), dir_); });
  EXPECT_HAS(scalar.message, "only image and multi-array inputs can come from a folder");
}

TEST_F(PredictInputs, SharedStemsAreReported) {
  EXPECT_NO_THROW(tools::check_distinct_stems({"d/a.png", "d/b.png"}));
  Failure f = failure_of([&] { tools::check_distinct_stems({"d/a.jpg", "d/a.png"}); });
  EXPECT_EQ(f.code, ErrorCode::kInvalidInput);
  EXPECT_HAS(f.message, "share the name 'a'");
}

}  // namespace
}  // namespace morel::test
