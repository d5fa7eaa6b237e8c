// Reference convolution and transposed convolution (deconvolution) kernels
// over contiguous float32. They always work on three spatial axes [D, H, W];
// a 2-D layer passes D = 1 with a depth kernel, stride and dilation of 1.
//
// These loops are the oracle faster kernels are tested against: they favour
// being obviously right over being fast.
#pragma once

#include <array>
#include <cstdint>

namespace morel::kernels::reference {

struct ConvParams {
  int64_t in_channels = 1;                   // channels of one input item
  int64_t out_channels = 1;                  // channels of one output item
  int64_t groups = 1;                        // divides both channel counts
  std::array<int64_t, 3> in_size{1, 1, 1};   // [D, H, W] of the input
  std::array<int64_t, 3> out_size{1, 1, 1};  // [D, H, W] of the output
  std::array<int64_t, 3> kernel{1, 1, 1};    // kernel extent, before dilation
  std::array<int64_t, 3> stride{1, 1, 1};
  std::array<int64_t, 3> dilation{1, 1, 1};
  std::array<int64_t, 3> pad_before{0, 0, 0};  // zeros added before the input (conv) /
                                               // cropped from the start of the output (deconv)
};

// Convolution of `items` independent items:
//   input   [items, in_channels, D, H, W]
//   weights [out_channels, in_channels / groups, kD, kH, kW]
//   bias    [out_channels], or nullptr for none
//   output  [items, out_channels, oD, oH, oW]
// out[n, o, z, y, x] = bias[o] + sum over the input channels c of o's group and
// the kernel taps (i, j, k) of in[n, c, z*sD - pD + i*dD, y*sH - pH + j*dH,
// x*sW - pW + k*dW] * w[o, c - group start, i, j, k]; taps falling outside the
// input read zero (padding).
void convolution(const ConvParams& p, int64_t items, const float* input, const float* weights,
                 const float* bias, float* output, int threads);

// Transposed convolution of `items` independent items:
//   input   [items, in_channels, D, H, W]
//   weights [in_channels, out_channels / groups, kD, kH, kW]
//   bias    [out_channels], or nullptr for none
//   output  [items, out_channels, oD, oH, oW]
// Every input value in[n, c, z, y, x] adds in * w[c, o - group start, i, j, k]
// to out[n, o, z*sD + i*dD - pD, y*sH + j*dH - pH, x*sW + k*dW - pW] for each
// output channel o of c's group; contributions landing outside the output are
// dropped, output cells no input reaches hold just the bias.
void deconvolution(const ConvParams& p, int64_t items, const float* input, const float* weights,
                   const float* bias, float* output, int threads);

}  // namespace morel::kernels::reference
