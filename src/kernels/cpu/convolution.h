// oneDNN convolution and deconvolution (2-D, any groups, dilation, padding)
// with the epilogue (activations, residual add) as post-ops. Weights are
// reordered into the primitive's preferred layout once, when a plan is made.
#pragma once

#include <memory>

#include "kernels/cpu/primitive_kernel.h"
#include "kernels/reference/convolution.h"

namespace morel::kernels::cpu {

struct ConvolutionSpec {
  reference::ConvParams params;  // 2-D: axis 0 (depth) of every array is 1
  int64_t items = 1;             // independent images (N)
  bool deconvolution = false;
  const float* weights = nullptr;  // the reference kernels' layout
  const float* bias = nullptr;     // or null
  EpilogueSetup epilogue;          // its channels_last is the layout of input and output too
};

// The kernel for `spec`, or null when oneDNN has no fast one for it.
std::unique_ptr<Kernel> prepare_convolution(const ConvolutionSpec& spec);

}  // namespace morel::kernels::cpu
