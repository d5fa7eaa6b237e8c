#include "runtime/custom_values.h"

#include <cstring>

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

Parameters layer_parameters(const spec::CustomLayerParams& params) {
  using V = spec::CustomLayerParams::CustomLayerParamValue;
  std::map<std::string, ParameterValue> values;
  for (const auto& [name, v] : params.parameters()) {
    ParameterValue& out = values[name];
    switch (v.value_case()) {
      case V::kDoubleValue: out = v.doublevalue(); break;
      case V::kStringValue: out = v.stringvalue(); break;
      case V::kIntValue: out = v.intvalue(); break;
      case V::kLongValue: out = v.longvalue(); break;
      case V::kBoolValue: out = v.boolvalue(); break;
      case V::VALUE_NOT_SET: break;  // stays std::monostate
    }
  }
  return Parameters(std::move(values));
}

Parameters model_parameters(const spec::CustomModel& model) {
  using V = spec::CustomModel::CustomModelParamValue;
  std::map<std::string, ParameterValue> values;
  for (const auto& [name, v] : model.parameters()) {
    ParameterValue& out = values[name];
    switch (v.value_case()) {
      case V::kDoubleValue: out = v.doublevalue(); break;
      case V::kStringValue: out = v.stringvalue(); break;
      case V::kIntValue: out = v.intvalue(); break;
      case V::kLongValue: out = v.longvalue(); break;
      case V::kBoolValue: out = v.boolvalue(); break;
      case V::kBytesValue: out = Bytes(v.bytesvalue().begin(), v.bytesvalue().end()); break;
      case V::VALUE_NOT_SET: break;
    }
  }
  return Parameters(std::move(values));
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
