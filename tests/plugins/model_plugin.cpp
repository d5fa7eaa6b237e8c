// A plugin with a custom model class: "PluginAffine" returns
// y = a * x + b for the multi-array input "x" (double parameters a and b).
#include "morel/custom_layer.h"
#include "morel/multi_array.h"

namespace {

class PluginAffine : public morel::CustomModel {
 public:
  explicit PluginAffine(const morel::CustomModelSpec& spec)
      : a_(static_cast<float>(spec.parameters.get_double("a"))),
        b_(static_cast<float>(spec.parameters.get_double("b", 0.0))) {}
  morel::FeatureMap predict(const morel::FeatureMap& inputs) const override {
    const auto& x = std::get<morel::MultiArray>(inputs.at("x"));
    morel::MultiArray y(morel::DType::kFloat32, x.shape());
    for (int64_t i = 0; i < x.count(); ++i) y.set_float(i, a_ * x.get_float(i) + b_);
    return {{"y", y}};
  }

 private:
  float a_, b_;
};

}  // namespace

MOREL_PLUGIN {
  morel::register_custom_model("PluginAffine", morel::custom_model_factory<PluginAffine>());
}
