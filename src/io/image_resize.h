// Resizing 8-bit images, and the three ways Vision fits a picture to a
// model's input size (VNImageCropAndScaleOption): fill, fit, center-crop.
#pragma once

#include <optional>
#include <string_view>

#include "morel/image.h"

namespace morel::io {

// A rectangle of an image in pixel coordinates: [x0, x1) x [y0, y1). Edges
// may be fractional (a centre crop rarely falls on whole pixels).
struct Region {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Resample `region` of `image` to width x height, same pixel format.
//
// The filter is a triangle (bilinear) whose width grows with the reduction
// factor when shrinking, so every source pixel contributes and downscaling
// does not alias; enlarging is plain bilinear interpolation between pixel
// centres. This is the resampling of PIL's Image.resize(BILINEAR) and of
// torch's interpolate(mode="bilinear", antialias=True), which the tests use
// as the oracle. Only pixels that overlap the region contribute, so what a
// crop cuts away never bleeds into its edges. Channels (alpha included) are
// filtered independently; results are rounded to the nearest integer.
// Throws Error(kInvalidArgument) for an empty image, size or region.
Image resize_region(const Image& image, const Region& region, int width, int height);
Image resize_image(const Image& image, int width, int height);

enum class ImageScale : uint8_t {
  kFill,        // stretch to the size; the aspect ratio is not kept
  kFit,         // scale to fit inside, centre, pad the rest with black
  kCenterCrop,  // scale so the short side fits, cut out the centre
};

std::string_view image_scale_name(ImageScale scale);  // "fill", "fit", "center-crop"
std::optional<ImageScale> parse_image_scale(std::string_view name);

// The picture at exactly width x height, as `scale` says. Padding (fit) is
// black: 0 in every colour channel, 255 in alpha. An image already of that
// size comes back unchanged whatever the mode.
Image scale_image(const Image& image, int width, int height, ImageScale scale);

}  // namespace morel::io
