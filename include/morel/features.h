// Feature values: what goes into a prediction and what comes out of it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "morel/image.h"
#include "morel/multi_array.h"

namespace morel {

using StringDictionary = std::map<std::string, double>;  // e.g. class label -> probability
using Int64Dictionary = std::map<int64_t, double>;

using FeatureValue = std::variant<MultiArray, Image, int64_t, double, std::string, StringDictionary,
                                  Int64Dictionary>;

// Features keyed by name; ordered so that printing them is deterministic.
using FeatureMap = std::map<std::string, FeatureValue>;

// "multiArray", "image", "int64", "double", "string", "dictionary".
std::string_view feature_kind_name(const FeatureValue& value);

}  // namespace morel
