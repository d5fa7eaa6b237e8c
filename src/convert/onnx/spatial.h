// Kernel geometry shared by convolution and pooling: kernel, strides,
// dilations and explicit begin/end padding per spatial axis, with auto_pad
// (SAME_UPPER, SAME_LOWER, VALID) resolved against the static input size.
#pragma once

#include <vector>

#include "convert/onnx/node.h"

namespace morel::onnxc {

struct Spatial {
  std::vector<int64_t> kernel, stride, dilation, pad_begin, pad_end;
  size_t rank() const { return kernel.size(); }
};

// `input` holds the spatial sizes; `kernel` the kernel sizes (from the
// kernel_shape attribute or the weights). Errors name the node.
Spatial read_spatial(const Node& node, const std::vector<int64_t>& input,
                     const std::vector<int64_t>& kernel);

// floor((in + pads - dilated kernel) / stride) + 1, or with ceil_mode the
// ceiling, dropping a last window that would start in the end padding.
int64_t pooled_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil);

}  // namespace morel::onnxc
