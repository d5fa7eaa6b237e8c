// Resizing: agreement with an independent oracle (torch's antialiased
// bilinear interpolate, tests/fixtures/generators/image_resize.py), exact
// properties (identity, constant images), and the fill / fit / center-crop
// geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "io/image_resize.h"
#include "io/npy.h"
#include "morel/error.h"
#include "support/paths.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

fs::path resize_dir() {
  return fixtures_dir() / "io" / "resize";
}

PixelFormat format_for(int64_t channels) {
  return channels == 1   ? PixelFormat::kGray8
         : channels == 3 ? PixelFormat::kRGB8
                         : PixelFormat::kRGBA8;
}

Image image_from_npy(const MultiArray& a) {
  Image im(static_cast<int>(a.shape()[1]), static_cast<int>(a.shape()[0]),
           format_for(a.shape()[2]));
  for (int64_t i = 0; i < a.count(); ++i)
    im.pixels[size_t(i)] = static_cast<uint8_t>(a.data<int32_t>()[i]);
  return im;
}

Image solid(int w, int h, PixelFormat f, std::vector<uint8_t> colour) {
  Image im(w, h, f);
  for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = colour[i % colour.size()];
  return im;
}

TEST(ImageResize, MatchesTorchAntialiasedBilinear) {
  std::ifstream in(resize_dir() / "cases.json");
  ASSERT_TRUE(in) << "missing fixture index; run tests/fixtures/generators/image_resize.py";
  nlohmann::json index = nlohmann::json::parse(in);
  ASSERT_GE(index.at("cases").size(), 5u);
  for (const auto& c : index.at("cases")) {
    std::string name = c.at("name");
    Image src = image_from_npy(io::read_npy(resize_dir() / c.at("source").get<std::string>()));
    MultiArray expected = io::read_npy(resize_dir() / c.at("expected").get<std::string>());
    const auto& r = c.at("region");
    io::Region region{r[0].get<double>(), r[1].get<double>(), r[2].get<double>(),
                      r[3].get<double>()};
    Image out = io::resize_region(src, region, c.at("width"), c.at("height"));
    ASSERT_EQ(out.width, expected.shape()[1]) << name;
    ASSERT_EQ(out.height, expected.shape()[0]) << name;
    ASSERT_EQ(out.format, src.format) << name;
    double worst = 0;
    for (int64_t i = 0; i < expected.count(); ++i)
      worst = std::max(worst, std::fabs(out.pixels[size_t(i)] - double(expected.data<float>()[i])));
    // Rounding to 8 bits moves a value by at most 0.5; allow float noise.
    EXPECT_LE(worst, 0.5 + 1e-3) << name;
  }
}

TEST(ImageResize, SameSizeIsIdentity) {
  Image im(7, 5, PixelFormat::kRGB8);
  for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = static_cast<uint8_t>(i * 13);
  EXPECT_EQ(io::resize_image(im, 7, 5).pixels, im.pixels);
}

TEST(ImageResize, ConstantImagesStayConstantAtAnySize) {
  Image im = solid(13, 7, PixelFormat::kRGBA8, {10, 200, 255, 128});
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1, 1}, {2, 9}, {26, 14}, {100, 3}, {5, 5}}) {
    Image out = io::resize_image(im, w, h);
    ASSERT_EQ(out.pixels.size(), size_t(w) * h * 4);
    for (size_t i = 0; i < out.pixels.size(); ++i)
      ASSERT_EQ(out.pixels[i], im.pixels[i % 4]) << w << "x" << h;
  }
}

TEST(ImageResize, HalvingAveragesPixelPairs) {
  Image im(4, 2, PixelFormat::kGray8);
  im.pixels = {0, 100, 50, 51, 0, 100, 50, 51};
  Image out = io::resize_image(im, 2, 1);
  // A factor-2 triangle spans 4 pixels with weights 1:3:3:1 (clamped at the
  // edges): (0*3 + 100*3 + 50*1) / 7 = 50, (100*1 + 50*3 + 51*3) / 7 = 57.57.
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{50, 58}));
}

TEST(ImageResize, FillStretches) {
  Image im = solid(40, 20, PixelFormat::kRGB8, {1, 2, 3});
  Image out = io::scale_image(im, 10, 30, io::ImageScale::kFill);
  EXPECT_EQ(out.width, 10);
  EXPECT_EQ(out.height, 30);
  EXPECT_EQ(out.pixels, solid(10, 30, PixelFormat::kRGB8, {1, 2, 3}).pixels);
}

TEST(ImageResize, FitKeepsAspectAndPadsWithBlack) {
  // 40x20 white into 10x10: scaled to 10x5, rows 2..6 white, the rest black.
  Image out =
      io::scale_image(solid(40, 20, PixelFormat::kGray8, {255}), 10, 10, io::ImageScale::kFit);
  ASSERT_EQ(out.width, 10);
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 10; ++x)
      EXPECT_EQ(out.pixels[size_t(y * 10 + x)], (y >= 2 && y < 7) ? 255 : 0) << x << "," << y;

  // Tall picture: columns padded; RGBA padding is black and opaque.
  Image tall =
      io::scale_image(solid(3, 12, PixelFormat::kRGBA8, {9, 9, 9, 7}), 8, 8, io::ImageScale::kFit);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const uint8_t* p = tall.pixel(x, y);
      bool inside = x >= 3 && x < 5;  // 3x12 -> 2x8, centred at column 3
      EXPECT_EQ(p[0], inside ? 9 : 0) << x << "," << y;
      EXPECT_EQ(p[3], inside ? 7 : 255) << x << "," << y;
    }
}

TEST(ImageResize, CenterCropCutsTheMiddleOfTheLongSide) {
  // Left quarter 0, middle half 100, right quarter 200 (40x20): the 10x10
  // centre crop sees only the middle (source columns 10..29).
  Image im(40, 20, PixelFormat::kGray8);
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 40; ++x) im.pixels[size_t(y * 40 + x)] = x < 10 ? 0 : x < 30 ? 100 : 200;
  Image out = io::scale_image(im, 10, 10, io::ImageScale::kCenterCrop);
  EXPECT_EQ(out.pixels, std::vector<uint8_t>(100, 100));
  EXPECT_EQ(out.pixels, io::resize_region(im, {10, 0, 30, 20}, 10, 10).pixels);

  // The same geometry against the torch oracle's crop case.
  std::ifstream in(resize_dir() / "cases.json");
  nlohmann::json index = nlohmann::json::parse(in);
  for (const auto& c : index.at("cases")) {
    if (c.at("name") != "crop_rgb") continue;
    Image src = image_from_npy(io::read_npy(resize_dir() / c.at("source").get<std::string>()));
    MultiArray expected = io::read_npy(resize_dir() / c.at("expected").get<std::string>());
    Image crop = io::scale_image(src, 10, 10, io::ImageScale::kCenterCrop);
    for (int64_t i = 0; i < expected.count(); ++i)
      ASSERT_LE(std::fabs(crop.pixels[size_t(i)] - double(expected.data<float>()[i])), 0.5 + 1e-3)
          << i;
  }
}

TEST(ImageResize, FractionalCropStaysInsideTheImage) {
  // 7x3 to 2x2: the crop is 3 source pixels wide starting at x = 2.
  Image im(7, 3, PixelFormat::kGray8);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 7; ++x) im.pixels[size_t(y * 7 + x)] = static_cast<uint8_t>(x * 40);
  Image out = io::scale_image(im, 2, 2, io::ImageScale::kCenterCrop);
  ASSERT_EQ(out.width, 2);
  // Centred crop of [2, 5): left output pixel leans to x = 2..3, right to 3..4.
  EXPECT_LT(out.pixels[0], 120);
  EXPECT_GT(out.pixels[1], 120);
  EXPECT_EQ(int(out.pixels[0]) + int(out.pixels[1]),
            240);  // symmetric about the centre column (120)
}

TEST(ImageResize, SameSizeIsUnchangedInEveryMode) {
  Image im(6, 4, PixelFormat::kRGB8);
  for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = static_cast<uint8_t>(i);
  for (auto mode : {io::ImageScale::kFill, io::ImageScale::kFit, io::ImageScale::kCenterCrop})
    EXPECT_EQ(io::scale_image(im, 6, 4, mode).pixels, im.pixels);
}

TEST(ImageResize, ScaleNamesRoundTrip) {
  for (auto mode : {io::ImageScale::kFill, io::ImageScale::kFit, io::ImageScale::kCenterCrop})
    EXPECT_EQ(io::parse_image_scale(io::image_scale_name(mode)), mode);
  EXPECT_FALSE(io::parse_image_scale("crop").has_value());
}

TEST(ImageResize, RefusesEmptySizesAndRegions) {
  Image im = solid(4, 4, PixelFormat::kGray8, {1});
  auto code_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kIo;  // "no error" marker: not what any case expects
  };
  EXPECT_EQ(code_of([&] { io::resize_image(im, 0, 3); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] {
              io::resize_region(im, {1, 1, 1, 3}, 2, 2);
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] {
              io::resize_region(im, {-1, 0, 3, 3}, 2, 2);
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] {
              io::resize_region(im, {0, 0, 5, 3}, 2, 2);
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { io::resize_image(Image{}, 2, 2); }), ErrorCode::kInvalidArgument);
  Image broken(4, 4, PixelFormat::kRGB8);
  broken.pixels.pop_back();
  EXPECT_EQ(code_of([&] { io::scale_image(broken, 2, 2, io::ImageScale::kFit); }),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace morel::test
