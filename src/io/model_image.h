// Bringing a decoded picture to what a model's image input accepts: the size
// (fixed, one of several, or a range) and the crop-and-scale choice. Colour
// layout and preprocessing (scale, biases, mean image) are the runtime's job.
#pragma once

#include <utility>

#include "io/image_resize.h"
#include "morel/image.h"
#include "morel/spec.h"

namespace morel::io {

// The width x height a picture of `width` x `height` should have for this
// input: its own size when the input accepts it (the declared size, one of
// the enumerated sizes, or inside the size range), otherwise the declared
// (default) size. A flexible input without a default size falls back to its
// first enumerated size, or to the picture's size clamped into the range.
// Throws Error(kInvalidModel) when the input declares no usable size.
std::pair<int, int> input_image_size(const spec::ImageFeatureType& type, int width, int height);

// The picture ready for the input: alpha dropped (Core ML ignores it) and
// scaled to input_image_size() as `scale` says.
Image image_for_input(const Image& image, const spec::ImageFeatureType& type, ImageScale scale);

}  // namespace morel::io
