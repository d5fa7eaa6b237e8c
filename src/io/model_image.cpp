#include "io/model_image.h"

#include <algorithm>
#include <string>

#include "io/image_convert.h"
#include "morel/error.h"

namespace morel::io {

namespace {

// Larger sides are refused rather than allocated.
constexpr int64_t kMaxSide = 1 << 16;

bool in_range(int64_t v, const spec::SizeRange& r) {
  return v >= static_cast<int64_t>(r.lowerbound()) && (r.upperbound() < 0 || v <= r.upperbound());
}

int64_t clamp_to(int64_t v, const spec::SizeRange& r) {
  v = std::max(v, static_cast<int64_t>(r.lowerbound()));
  if (r.upperbound() >= 0) v = std::min(v, r.upperbound());
  return v;
}

}  // namespace

std::pair<int, int> input_image_size(const spec::ImageFeatureType& type, int width, int height) {
  const int64_t w = width, h = height;
  int64_t dw = type.width(), dh = type.height();
  bool accepted = w == dw && h == dh;
  if (type.has_enumeratedsizes()) {
    for (const auto& s : type.enumeratedsizes().sizes())
      accepted = accepted ||
                 (static_cast<uint64_t>(w) == s.width() && static_cast<uint64_t>(h) == s.height());
    if ((dw <= 0 || dh <= 0) && type.enumeratedsizes().sizes_size() > 0) {
      dw = static_cast<int64_t>(type.enumeratedsizes().sizes(0).width());
      dh = static_cast<int64_t>(type.enumeratedsizes().sizes(0).height());
    }
  } else if (type.has_imagesizerange()) {
    const auto& r = type.imagesizerange();
    accepted = in_range(w, r.widthrange()) && in_range(h, r.heightrange());
    if (dw <= 0 || dh <= 0) dw = clamp_to(w, r.widthrange()), dh = clamp_to(h, r.heightrange());
  }
  if (accepted && w > 0 && h > 0) return {width, height};
  if (dw <= 0 || dh <= 0 || dw > kMaxSide || dh > kMaxSide)
    throw Error(ErrorCode::kInvalidModel, "image input declares size " + std::to_string(dw) + "x" +
                                              std::to_string(dh) + "; expected 1.." +
                                              std::to_string(kMaxSide) + " pixels a side");
  return {static_cast<int>(dw), static_cast<int>(dh)};
}

Image image_for_input(const Image& image, const spec::ImageFeatureType& type, ImageScale scale) {
  auto [w, h] = input_image_size(type, image.width, image.height);
  if (image.format == PixelFormat::kRGBA8 || image.format == PixelFormat::kBGRA8) {
    // Dropping alpha first is exact and saves resizing a channel nobody reads.
    PixelFormat opaque =
        image.format == PixelFormat::kRGBA8 ? PixelFormat::kRGB8 : PixelFormat::kBGR8;
    return scale_image(convert_pixels(image, opaque), w, h, scale);
  }
  return scale_image(image, w, h, scale);
}

}  // namespace morel::io
