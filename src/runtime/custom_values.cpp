#include "runtime/custom_values.h"

#include <cstring>
#include <map>
#include <type_traits>

#include "morel/error.h"

namespace morel {

namespace {

// Rebuild the stored message from a Weight's fields, for decode_weights.
spec::WeightParams weight_params(const Weight& w) {
  spec::WeightParams p;
  switch (w.storage) {
    case WeightStorage::kEmpty: break;
    case WeightStorage::kFloat32: {
      std::vector<float> v(w.raw.size() / 4);
      if (!v.empty()) std::memcpy(v.data(), w.raw.data(), v.size() * 4);
      p.mutable_floatvalue()->Assign(v.begin(), v.end());
      break;
    }
    case WeightStorage::kFloat16: p.set_float16value(w.raw); break;
    case WeightStorage::kRawFloat32: p.set_rawvalue(w.raw); break;
    case WeightStorage::kLinearQuantized:
    case WeightStorage::kLookupTable: {
      if (w.int8)
        p.set_int8rawvalue(w.raw);
      else
        p.set_rawvalue(w.raw);
      auto* q = p.mutable_quantization();
      q->set_numberofbits(static_cast<uint64_t>(w.bits));
      if (w.storage == WeightStorage::kLookupTable) {
        auto* lut = q->mutable_lookuptablequantization()->mutable_floatvalue();
        lut->Assign(w.lookup_table.begin(), w.lookup_table.end());
      } else {
        auto* lin = q->mutable_linearquantization();
        lin->mutable_scale()->Assign(w.scale.begin(), w.scale.end());
        lin->mutable_bias()->Assign(w.bias.begin(), w.bias.end());
      }
      break;
    }
  }
  return p;
}

}  // namespace

std::vector<float> Weight::decoded(int64_t count, ChannelLayout layout) const {
  return decode_weights(weight_params(*this), count, layout, "custom layer weight");
}

namespace runtime {

namespace {

// One typed value of a layer's or a model's parameter map. The two messages
// share their field names; only a model's values can hold bytes.
template <class Value>
ParameterValue parameter_value(const Value& v) {
  switch (v.value_case()) {
    case Value::kDoubleValue: return v.doublevalue();
    case Value::kStringValue: return v.stringvalue();
    case Value::kIntValue: return v.intvalue();
    case Value::kLongValue: return v.longvalue();
    case Value::kBoolValue: return v.boolvalue();
    case Value::VALUE_NOT_SET: return std::monostate{};
    default: break;
  }
  if constexpr (std::is_same_v<Value, spec::CustomModel::CustomModelParamValue>) {
    if (v.value_case() == Value::kBytesValue)
      return Bytes(v.bytesvalue().begin(), v.bytesvalue().end());
  }
  return std::monostate{};
}

template <class Map>
Parameters parameters_of(const Map& map) {
  std::map<std::string, ParameterValue> values;
  for (const auto& [name, v] : map) values[name] = parameter_value(v);
  return Parameters(std::move(values));
}

}  // namespace

Parameters layer_parameters(const spec::CustomLayerParams& params) {
  return parameters_of(params.parameters());
}

Parameters model_parameters(const spec::CustomModel& model) {
  return parameters_of(model.parameters());
}

Weight custom_weight(const spec::WeightParams& w, const std::string& what) {
  Weight out;
  const WeightInfo info = describe_weights(w);
  out.storage = info.storage;
  out.bits = info.bits;
  switch (info.storage) {
    case WeightStorage::kEmpty: break;
    case WeightStorage::kFloat32:
      out.raw.assign(reinterpret_cast<const char*>(w.floatvalue().data()),
                     static_cast<size_t>(w.floatvalue_size()) * 4);
      break;
    case WeightStorage::kFloat16: out.raw = w.float16value(); break;
    case WeightStorage::kRawFloat32: out.raw = w.rawvalue(); break;
    case WeightStorage::kLinearQuantized:
    case WeightStorage::kLookupTable:
      out.int8 = !w.int8rawvalue().empty();
      out.raw = out.int8 ? w.int8rawvalue() : w.rawvalue();
      break;
  }
  if (w.has_quantization()) {
    const auto& q = w.quantization();
    if (q.has_linearquantization()) {
      out.scale.assign(q.linearquantization().scale().begin(),
                       q.linearquantization().scale().end());
      out.bias.assign(q.linearquantization().bias().begin(), q.linearquantization().bias().end());
    }
    if (q.has_lookuptablequantization())
      out.lookup_table.assign(q.lookuptablequantization().floatvalue().begin(),
                              q.lookuptablequantization().floatvalue().end());
  }
  int64_t count = stored_weight_count(w);
  if (count < 0) {  // packed sub-byte values: the bit width must be checked before dividing by it
    if (info.bits < 1 || info.bits > 8)
      throw Error(
          ErrorCode::kInvalidModel,
          what + ": quantization numberOfBits must be 1 to 8, found " + std::to_string(info.bits));
    count = info.size_bytes * 8 / info.bits;
  }
  out.values = decode_weights(w, count, what);
  return out;
}

}  // namespace runtime
}  // namespace morel
