// A plugin for the `morel predict` tests: a custom model "EchoModel" that
// takes every scalar kind the command line can give (int64, double,
// string) next to a multi-array, and answers like an int64-label classifier.
//   y       = x * scale + k           (multi-array, x's shape)
//   message = tag + ":" + k           (string)
//   total   = sum(y)                  (double)
//   best    = index of the largest y  (int64, the predicted label)
//   scores  = {index: y[index]}       (int64 -> double dictionary)
#include <algorithm>
#include <stdexcept>

#include "morel/custom_layer.h"

namespace {

class EchoModel : public morel::CustomModel {
 public:
  morel::FeatureMap predict(const morel::FeatureMap& inputs) const override {
    const auto& x = std::get<morel::MultiArray>(inputs.at("x"));
    const int64_t k = std::get<int64_t>(inputs.at("k"));
    const double scale = std::get<double>(inputs.at("scale"));
    const std::string& tag = std::get<std::string>(inputs.at("tag"));
    if (x.count() == 0) throw std::runtime_error("x is empty");
    morel::MultiArray y(morel::DType::kFloat32, x.shape());
    double total = 0;
    morel::Int64Dictionary scores;
    int64_t best = 0;
    for (int64_t i = 0; i < x.count(); ++i) {
      float v = static_cast<float>(x.get_float(i) * scale + double(k));
      y.set_float(i, v);
      total += v;
      scores[i] = v;
      if (v > y.get_float(best)) best = i;
    }
    morel::FeatureMap out;
    out["y"] = y;
    out["message"] = tag + ":" + std::to_string(k);
    out["total"] = total;
    out["best"] = best;
    out["scores"] = scores;
    return out;
  }
};

}  // namespace

MOREL_PLUGIN {
  morel::register_custom_model(
      "EchoModel", [](const morel::CustomModelSpec&) { return std::make_unique<EchoModel>(); });
}
