#include "morel/features.h"

namespace morel {

std::string_view feature_kind_name(const FeatureValue& value) {
  switch (value.index()) {
    case 0: return "multiArray";
    case 1: return "image";
    case 2: return "int64";
    case 3: return "double";
    case 4: return "string";
    default: return "dictionary";
  }
}

}  // namespace morel
