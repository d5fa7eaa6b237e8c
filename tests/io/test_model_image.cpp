// Which size a picture is brought to for a model's image input, and the
// prepared image itself.
#include <gtest/gtest.h>

#include "io/model_image.h"
#include "morel/error.h"

namespace morel::test {
namespace {

spec::ImageFeatureType image_type(int64_t w, int64_t h) {
  spec::ImageFeatureType t;
  t.set_width(w);
  t.set_height(h);
  t.set_colorspace(spec::ImageFeatureType::RGB);
  return t;
}

TEST(ModelImage, FixedSizeAlwaysGivesTheDeclaredSize) {
  auto t = image_type(32, 24);
  EXPECT_EQ(io::input_image_size(t, 32, 24), std::make_pair(32, 24));
  EXPECT_EQ(io::input_image_size(t, 640, 480), std::make_pair(32, 24));
}

TEST(ModelImage, EnumeratedSizesKeepAFittingPicture) {
  auto t = image_type(64, 64);
  for (auto [w, h] : {std::pair{128, 96}, std::pair{32, 32}}) {
    auto* s = t.mutable_enumeratedsizes()->add_sizes();
    s->set_width(w), s->set_height(h);
  }
  EXPECT_EQ(io::input_image_size(t, 128, 96), std::make_pair(128, 96));
  EXPECT_EQ(io::input_image_size(t, 32, 32), std::make_pair(32, 32));
  EXPECT_EQ(io::input_image_size(t, 64, 64), std::make_pair(64, 64));
  EXPECT_EQ(io::input_image_size(t, 96, 128), std::make_pair(64, 64));  // not listed: default
  // No default size: the first listed one.
  t.set_width(0), t.set_height(0);
  EXPECT_EQ(io::input_image_size(t, 5, 5), std::make_pair(128, 96));
}

TEST(ModelImage, SizeRangeKeepsAPictureInsideIt) {
  auto t = image_type(100, 100);
  auto* r = t.mutable_imagesizerange();
  r->mutable_widthrange()->set_lowerbound(64), r->mutable_widthrange()->set_upperbound(256);
  r->mutable_heightrange()->set_lowerbound(64), r->mutable_heightrange()->set_upperbound(-1);
  EXPECT_EQ(io::input_image_size(t, 200, 1000), std::make_pair(200, 1000));
  EXPECT_EQ(io::input_image_size(t, 300, 80),
            std::make_pair(100, 100));  // width too large: default
  t.set_width(0), t.set_height(0);
  EXPECT_EQ(io::input_image_size(t, 300, 20), std::make_pair(256, 64));  // clamped into the range
}

TEST(ModelImage, AnInputWithoutASizeIsAnInvalidModel) {
  try {
    io::input_image_size(image_type(0, 0), 10, 10);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("0x0"), std::string::npos) << e.what();
  }
}

TEST(ModelImage, PreparedImageHasTheSizeAndNoAlpha) {
  Image rgba(40, 30, PixelFormat::kRGBA8);
  for (size_t i = 0; i < rgba.pixels.size(); ++i) rgba.pixels[i] = i % 4 == 3 ? 0 : 120;
  Image out = io::image_for_input(rgba, image_type(8, 8), io::ImageScale::kCenterCrop);
  EXPECT_EQ(out.width, 8);
  EXPECT_EQ(out.height, 8);
  EXPECT_EQ(out.format, PixelFormat::kRGB8);
  EXPECT_EQ(out.pixels, std::vector<uint8_t>(8 * 8 * 3, 120));

  Image gray(8, 8, PixelFormat::kGray8);
  Image same = io::image_for_input(gray, image_type(8, 8), io::ImageScale::kFit);
  EXPECT_EQ(same.format, PixelFormat::kGray8);  // gray stays gray: the runtime widens it
}

}  // namespace
}  // namespace morel::test
