// A test plugin: a custom layer class for ONNX Det (the determinant of each
// square matrix in the last two axes), which morel's converter has no Core
// ML layer for, as a user would write one for a model converted with
// --add-custom-layers. Its output shape differs from its input's, so the
// converter must ask the class for it (or read the model's value_info).
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include "morel/custom_layer.h"

namespace {

class Det final : public morel::CustomLayer {
 public:
  explicit Det(const morel::CustomLayerSpec& spec) {
    if (spec.parameters.get_string("onnx_op_type", "Det") != "Det")
      throw std::runtime_error("Det: built for another op type");
  }

  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> inputs) const override {
    if (inputs.size() != 1) throw std::runtime_error("Det takes one input");
    const morel::Shape& s = inputs[0];
    if (s.rank() < 2 || s.dim(-1) != s.dim(-2))
      throw std::runtime_error("Det needs square matrices in the last two axes, got " + s.str());
    morel::Shape out;
    for (int i = 0; i < s.rank() - 2; ++i) out.push_back(s[i]);
    if (out.empty()) out.push_back(1);  // a scalar runs as [1]
    return {out};
  }

  void evaluate_cpu(std::span<const morel::ConstTensorView> inputs,
                    std::span<const morel::TensorView> outputs) const override {
    const morel::Shape& s = inputs[0].shape;
    const int64_t n = s.dim(-1), count = s.count() / (n * n);
    std::vector<double> a(static_cast<size_t>(n * n));
    for (int64_t m = 0; m < count; ++m) {
      for (int64_t i = 0; i < n * n; ++i) a[i] = inputs[0].data[m * n * n + i];
      double det = 1;
      for (int64_t c = 0; c < n; ++c) {  // Gaussian elimination with partial pivoting
        int64_t p = c;
        for (int64_t r = c + 1; r < n; ++r)
          if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
        if (a[p * n + c] == 0) {
          det = 0;
          break;
        }
        if (p != c) {
          for (int64_t k = 0; k < n; ++k) std::swap(a[p * n + k], a[c * n + k]);
          det = -det;
        }
        det *= a[c * n + c];
        for (int64_t r = c + 1; r < n; ++r) {
          const double f = a[r * n + c] / a[c * n + c];
          for (int64_t k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
        }
      }
      outputs[0].data[m] = static_cast<float>(det);
    }
  }
};

}  // namespace

MOREL_PLUGIN {
  morel::register_custom_layer("Det", [](const morel::CustomLayerSpec& s) {
    return std::unique_ptr<morel::CustomLayer>(new Det(s));
  });
}
