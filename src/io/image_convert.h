// Pixel layout conversion between the 8-bit formats an Image can hold.
#pragma once

#include "morel/image.h"

namespace morel::io {

// The same picture in another pixel format. Colour to gray uses ITU-R BT.601
// luma (0.299 R + 0.587 G + 0.114 B, rounded); gray to colour repeats the
// value; alpha is dropped, or set to 255 (opaque) when added. Converting to
// the image's own format returns a copy.
Image convert_pixels(const Image& image, PixelFormat format);

}  // namespace morel::io
