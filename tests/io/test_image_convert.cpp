// Pixel format conversion between gray, RGB, BGR, RGBA and BGRA.
#include <gtest/gtest.h>

#include "io/image_convert.h"
#include "morel/error.h"

namespace morel::test {
namespace {

Image two_pixels(PixelFormat f, std::vector<uint8_t> bytes) {
  Image im(2, 1, f);
  im.pixels = std::move(bytes);
  return im;
}

TEST(ImageConvert, ColourToGrayUsesBt601Luma) {
  Image rgb = two_pixels(PixelFormat::kRGB8, {255, 0, 0, 10, 200, 30});
  Image gray = io::convert_pixels(rgb, PixelFormat::kGray8);
  ASSERT_EQ(gray.format, PixelFormat::kGray8);
  // 0.299 * 255 = 76.2; 0.299*10 + 0.587*200 + 0.114*30 = 123.81.
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{76, 124}));
  // The same colours stored as BGRA give the same gray.
  Image bgra = two_pixels(PixelFormat::kBGRA8, {0, 0, 255, 9, 30, 200, 10, 9});
  EXPECT_EQ(io::convert_pixels(bgra, PixelFormat::kGray8).pixels, gray.pixels);
  // White stays white (the weights sum to one).
  EXPECT_EQ(io::convert_pixels(two_pixels(PixelFormat::kRGB8, std::vector<uint8_t>(6, 255)),
                               PixelFormat::kGray8)
                .pixels,
            (std::vector<uint8_t>{255, 255}));
}

TEST(ImageConvert, GrayToColourRepeatsAndAddsOpaqueAlpha) {
  Image gray = two_pixels(PixelFormat::kGray8, {7, 250});
  EXPECT_EQ(io::convert_pixels(gray, PixelFormat::kRGB8).pixels,
            (std::vector<uint8_t>{7, 7, 7, 250, 250, 250}));
  EXPECT_EQ(io::convert_pixels(gray, PixelFormat::kBGRA8).pixels,
            (std::vector<uint8_t>{7, 7, 7, 255, 250, 250, 250, 255}));
}

TEST(ImageConvert, ChannelOrderAndAlpha) {
  Image rgba = two_pixels(PixelFormat::kRGBA8, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(io::convert_pixels(rgba, PixelFormat::kBGR8).pixels,
            (std::vector<uint8_t>{3, 2, 1, 7, 6, 5}));
  EXPECT_EQ(io::convert_pixels(rgba, PixelFormat::kRGB8).pixels,
            (std::vector<uint8_t>{1, 2, 3, 5, 6, 7}));
  EXPECT_EQ(io::convert_pixels(rgba, PixelFormat::kBGRA8).pixels,
            (std::vector<uint8_t>{3, 2, 1, 4, 7, 6, 5, 8}));
  Image bgr = two_pixels(PixelFormat::kBGR8, {3, 2, 1, 7, 6, 5});
  EXPECT_EQ(io::convert_pixels(bgr, PixelFormat::kRGBA8).pixels,
            (std::vector<uint8_t>{1, 2, 3, 255, 5, 6, 7, 255}));
  EXPECT_EQ(io::convert_pixels(rgba, PixelFormat::kRGBA8).pixels, rgba.pixels);
}

TEST(ImageConvert, RoundTripsThroughEveryColourFormat) {
  Image rgb(3, 2, PixelFormat::kRGB8);
  for (size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = static_cast<uint8_t>(i * 41);
  for (PixelFormat f : {PixelFormat::kBGR8, PixelFormat::kRGBA8, PixelFormat::kBGRA8}) {
    Image there = io::convert_pixels(rgb, f);
    EXPECT_EQ(there.width, 3);
    EXPECT_EQ(io::convert_pixels(there, PixelFormat::kRGB8).pixels, rgb.pixels)
        << pixel_format_name(f);
  }
}

TEST(ImageConvert, RefusesABufferOfTheWrongSize) {
  Image im(2, 2, PixelFormat::kRGB8);
  im.pixels.resize(5);
  try {
    io::convert_pixels(im, PixelFormat::kGray8);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("2x2 RGB holds 5 bytes"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace morel::test
