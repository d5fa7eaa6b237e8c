// oneDNN convolution and deconvolution (2-D, any groups, dilation, padding)
// with the epilogue (activations, residual add) as post-ops. Weights are
// reordered into the primitive's preferred layout once, when a plan is made.
#pragma once

#include <memory>
#include <span>

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

// A convolution (one group, not transposed) whose input arrives as inputs
// 0..n-1, consecutive runs of `part_channels` channels of it: the
// concatenation the graph no longer stores. One convolution per part over its
// slice of the weights; the first writes the output with the bias, each next
// one adds onto it (a sum post-op, in place), and the last runs the epilogue
// (which must hold no add). Null when a part has no fast kernel.
std::unique_ptr<Kernel> prepare_convolution_parts(const ConvolutionSpec& spec,
                                                  std::span<const int64_t> part_channels);

}  // namespace morel::kernels::cpu
