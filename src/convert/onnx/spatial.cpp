#include "convert/onnx/spatial.h"

#include <algorithm>

namespace morel::onnxc {

Spatial read_spatial(const Node& node, const std::vector<int64_t>& input,
                     const std::vector<int64_t>& kernel) {
  const size_t r = input.size();
  Spatial s;
  s.kernel = node.attr_ints("kernel_shape", kernel);
  if (s.kernel.size() != r)
    node.invalid("kernel_shape has " + std::to_string(s.kernel.size()) + " values for " +
                 std::to_string(r) + " spatial axes");
  if (!kernel.empty() && kernel != s.kernel)
    node.invalid("kernel_shape " + shape_str(s.kernel) + " does not match the weights' " +
                 shape_str(kernel));
  s.stride = node.attr_ints("strides", std::vector<int64_t>(r, 1));
  s.dilation = node.attr_ints("dilations", std::vector<int64_t>(r, 1));
  if (s.stride.size() != r || s.dilation.size() != r)
    node.invalid("strides / dilations need one value per spatial axis (" + std::to_string(r) + ")");
  for (size_t i = 0; i < r; ++i)
    if (s.kernel[i] < 1 || s.stride[i] < 1 || s.dilation[i] < 1)
      node.invalid("kernel_shape, strides and dilations must be positive");
  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  s.pad_begin.assign(r, 0);
  s.pad_end.assign(r, 0);
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
    if (pads.size() != 2 * r)
      node.invalid("pads has " + std::to_string(pads.size()) + " values; expected " +
                   std::to_string(2 * r));
    for (size_t i = 0; i < r; ++i) {
      s.pad_begin[i] = pads[i];
      s.pad_end[i] = pads[i + r];
      if (pads[i] < 0 || pads[i + r] < 0) node.unsupported("negative pads");
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < r; ++i) {
      const int64_t out = (input[i] + s.stride[i] - 1) / s.stride[i];
      const int64_t extent = (s.kernel[i] - 1) * s.dilation[i] + 1;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s.stride[i] + extent - input[i]);
      const int64_t small = total / 2, big = total - small;
      s.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : big;
      s.pad_end[i] = auto_pad == "SAME_UPPER" ? big : small;
    }
  } else if (auto_pad != "VALID") {
    node.invalid("auto_pad = '" + auto_pad +
                 "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  return s;
}

int64_t pooled_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                    bool ceil) {
  const int64_t span = in + pb + pe - ((k - 1) * d + 1);
  if (span < 0) return 0;
  int64_t out = (ceil ? (span + s - 1) / s : span / s) + 1;
  if (ceil && (out - 1) * s >= in + pb) --out;
  return out;
}

}  // namespace morel::onnxc
