// A plugin that says it was built for another morel plugin ABI; loading it
// must fail before its registration code runs.
#include "morel/custom_layer.h"

namespace {
class NeverRegistered : public morel::CustomLayer {
 public:
  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> in) const override {
    return {in[0]};
  }
  void evaluate_cpu(std::span<const morel::ConstTensorView>,
                    std::span<const morel::TensorView>) const override {}
};
}  // namespace

extern "C" __attribute__((visibility("default"))) int morel_plugin_abi_version() {
  return morel::kPluginAbiVersion + 1;
}

extern "C" __attribute__((visibility("default"))) void morel_plugin_register() {
  morel::register_custom_layer("WrongAbiLayer", morel::custom_layer_factory<NeverRegistered>());
}
