// oneDNN inner product: y[rows, out] = x[rows, in] * W[out, in]^T + bias,
// with the epilogue's activations as post-ops. Plain layout only.
#pragma once

#include <memory>

#include "kernels/cpu/primitive_kernel.h"

namespace morel::kernels::cpu {

struct InnerProductSpec {
  int64_t rows = 1, in = 1, out = 1;
  const float* weights = nullptr;  // [out, in]
  const float* bias = nullptr;     // [out] or null
  EpilogueSetup epilogue;
};

std::unique_ptr<Kernel> prepare_inner_product(const InnerProductSpec& spec);

}  // namespace morel::kernels::cpu
