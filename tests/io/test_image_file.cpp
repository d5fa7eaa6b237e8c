// Image files: PNG round trips for every pixel format at odd sizes, PNG
// layouts written by an independent encoder (gray+alpha, 16-bit, palette,
// interlaced), JPEG, and clear errors for unreadable or corrupt files.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "io/image_file.h"
#include "io/npy.h"
#include "morel/error.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

fs::path images_dir() {
  return fixtures_dir() / "io" / "images";
}

fs::path temp_file(const std::string& name) {
  static TempDir dir("test_image_file");
  return dir / name;
}

Image pattern(int w, int h, PixelFormat f) {
  Image im(w, h, f);
  for (size_t i = 0; i < im.pixels.size(); ++i)
    im.pixels[i] = static_cast<uint8_t>((i * 37 + i / 7) % 256);
  return im;
}

std::string error_of(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "(no error)";
}

TEST(ImageFile, PngRoundTripsGrayRgbRgbaAtOddSizes) {
  for (PixelFormat f : {PixelFormat::kGray8, PixelFormat::kRGB8, PixelFormat::kRGBA8}) {
    for (auto [w, h] : std::vector<std::pair<int, int>>{{1, 1}, {3, 7}, {17, 5}, {64, 1}}) {
      Image im = pattern(w, h, f);
      fs::path p = temp_file("rt.png");
      io::write_png(p, im);
      Image back = io::read_image(p);
      EXPECT_EQ(back.width, w);
      EXPECT_EQ(back.height, h);
      EXPECT_EQ(back.format, f) << pixel_format_name(f);
      EXPECT_EQ(back.pixels, im.pixels) << pixel_format_name(f) << " " << w << "x" << h;
    }
  }
}

TEST(ImageFile, BgrImagesAreWrittenInRgbOrder) {
  Image bgr(2, 1, PixelFormat::kBGRA8);
  bgr.pixels = {1, 2, 3, 4, 5, 6, 7, 8};  // B G R A
  fs::path p = temp_file("bgr.png");
  io::write_png(p, bgr);
  Image back = io::read_image(p);
  ASSERT_EQ(back.format, PixelFormat::kRGBA8);
  EXPECT_EQ(back.pixels, (std::vector<uint8_t>{3, 2, 1, 4, 7, 6, 5, 8}));
}

TEST(ImageFile, DecodesPngLayoutsFromAnotherEncoder) {
  struct Case {
    std::string name;
    PixelFormat format;
  };
  for (const Case& c : std::vector<Case>{{"gray_alpha_3x2", PixelFormat::kGray8},
                                         {"rgb16_2x3", PixelFormat::kRGB8},
                                         {"palette_4x2", PixelFormat::kRGB8},
                                         {"gray_interlaced_5x5", PixelFormat::kGray8}}) {
    Image im = io::read_image(images_dir() / (c.name + ".png"));
    MultiArray expected = io::read_npy(images_dir() / (c.name + ".expected.npy"));
    ASSERT_EQ(expected.shape().size(), 3u);
    EXPECT_EQ(im.format, c.format) << c.name;
    EXPECT_EQ(im.height, expected.shape()[0]) << c.name;
    EXPECT_EQ(im.width, expected.shape()[1]) << c.name;
    ASSERT_EQ(static_cast<int64_t>(im.pixels.size()), expected.count()) << c.name;
    for (int64_t i = 0; i < expected.count(); ++i)
      ASSERT_EQ(im.pixels[size_t(i)], expected.data<int32_t>()[i]) << c.name << " byte " << i;
  }
}

TEST(ImageFile, JpegRoundTripIsClose) {
  Image im(16, 9, PixelFormat::kRGB8);
  for (int y = 0; y < 9; ++y)
    for (int x = 0; x < 16; ++x) {
      uint8_t* p = im.pixels.data() + (y * 16 + x) * 3;
      p[0] = 200, p[1] = static_cast<uint8_t>(x * 8), p[2] = 40;  // a smooth ramp
    }
  fs::path p = temp_file("ramp.jpg");
  io::write_jpeg(p, im, 95);
  Image back = io::read_image(p);
  ASSERT_EQ(back.width, 16);
  ASSERT_EQ(back.height, 9);
  ASSERT_EQ(back.format, PixelFormat::kRGB8);
  int worst = 0;
  for (size_t i = 0; i < im.pixels.size(); ++i)
    worst = std::max(worst, std::abs(im.pixels[i] - back.pixels[i]));
  EXPECT_LE(worst, 12) << "JPEG at quality 95 should stay close to a smooth image";
}

TEST(ImageFile, CorruptOrForeignFilesGiveOneClearError) {
  Image im = pattern(8, 8, PixelFormat::kRGB8);
  fs::path png = temp_file("good.png");
  io::write_png(png, im);
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::string damaged = bytes;
  for (size_t i = 40; i < damaged.size() - 12; ++i)
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  for (const std::string& b : {std::string(), std::string("just text, not an image"),
                               bytes.substr(0, 30), bytes.substr(0, bytes.size() / 2), damaged}) {
    ErrorCode code{};
    std::string msg = error_of([&] { io::decode_image(b, "photo.png"); }, &code);
    EXPECT_EQ(code, ErrorCode::kInvalidInput) << msg;
    EXPECT_NE(msg.find("photo.png: cannot decode image"), std::string::npos) << msg;
    EXPECT_NE(msg.find("PNG and JPEG"), std::string::npos) << msg;
  }
}

TEST(ImageFile, MissingFileAndFolderAreIoErrors) {
  ErrorCode code{};
  std::string missing = error_of([] { io::read_image("/nonexistent/cat.png"); }, &code);
  EXPECT_EQ(code, ErrorCode::kIo);
  EXPECT_NE(missing.find("/nonexistent/cat.png"), std::string::npos) << missing;
  std::string folder = error_of([] { io::read_image(images_dir()); }, &code);
  EXPECT_EQ(code, ErrorCode::kIo);
  EXPECT_NE(folder.find("is a folder"), std::string::npos) << folder;
}

TEST(ImageFile, WritingAnInconsistentImageIsRefused) {
  Image im(4, 4, PixelFormat::kRGB8);
  im.pixels.resize(10);
  ErrorCode code{};
  std::string msg = error_of([&] { io::write_png(temp_file("bad.png"), im); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("4x4 RGB"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] {
              io::write_jpeg(temp_file("bad.jpg"), pattern(2, 2, PixelFormat::kGray8), 0);
            }).find("quality"),
            std::string::npos);
}

}  // namespace
}  // namespace morel::test
