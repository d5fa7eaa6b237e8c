// A plugin for the custom_lut tests: registers lookup-table functions the
// way a user's plugin would.
//   sign_lut     two entries, the means of the negative and the other weights
//   failing_lut  throws, to test how the error comes back
#include <stdexcept>

#include "morel/custom_layer.h"
#include "morel/quantize.h"

namespace {

morel::LookupTable sign_lut(std::span<const float> weights, int /*bits*/) {
  double sum[2] = {0, 0};
  double count[2] = {0, 0};
  morel::LookupTable t;
  for (float w : weights) {
    const int side = w < 0 ? 0 : 1;
    sum[side] += w;
    count[side] += 1;
    t.indices.push_back(static_cast<uint8_t>(side));
  }
  for (int side = 0; side < 2; ++side)
    t.table.push_back(count[side] > 0 ? static_cast<float>(sum[side] / count[side]) : 0.f);
  return t;
}

}  // namespace

MOREL_PLUGIN {
  morel::register_lut_function("sign_lut", sign_lut);
  morel::register_lut_function("failing_lut",
                               [](std::span<const float>, int) -> morel::LookupTable {
                                 throw std::runtime_error("failing_lut always fails");
                               });
}
