// Placeholder until the validation work lands: accepts every spec.
#include "morel/builder.h"
#include "morel/spec.h"

namespace morel {

void validate_spec(const Spec& spec) {
  (void)spec;
}

int minimum_spec_version(const Spec& spec) {
  NetworkView net = network_view(spec);
  if (net && (net.array_mapping == spec::EXACT_ARRAY_MAPPING ||
              net.image_mapping == spec::RANK4_IMAGE_MAPPING))
    return 4;
  return std::max(1, spec.specificationversion());
}

}  // namespace morel
