// Decoding WeightParams. Sub-byte quantized values are one MSB-first bit
// stream (bit 7 of byte 0 is the top bit of element 0, values may straddle
// bytes, the tail is zero padded), the layout coremltools writes.
#include "morel/weights.h"

#include <cmath>
#include <cstring>
#include <string>

#include "morel/error.h"

namespace morel {

namespace {

[[noreturn]] void fail(std::string_view what, const std::string& message) {
  throw Error(ErrorCode::kInvalidModel, std::string(what) + ": " + message);
}

std::string str(int64_t v) {
  return std::to_string(v);
}

// Unsigned n-bit value number `index` of an MSB-first bit stream.
uint32_t read_bits(const uint8_t* bytes, int64_t index, int bits) {
  uint32_t value = 0;
  int64_t bit = index * bits;
  for (int b = 0; b < bits; ++b, ++bit) {
    uint32_t on = (bytes[bit >> 3] >> (7 - (bit & 7))) & 1u;
    value = (value << 1) | on;
  }
  return value;
}

}  // namespace

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: value = mantissa * 2^-24
      float f = std::ldexp(static_cast<float>(mantissa), -24);
      return sign ? -f : f;
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u)  // inf or nan (keep nan quiet)
    return sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u);
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds to beyond the largest half
  if (abs < 0x38800000u) {                        // result is subnormal or zero
    float a;
    std::memcpy(&a, &abs, 4);
    // a * 2^24 rounded to nearest even gives the subnormal mantissa.
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  uint32_t mantissa = abs & 0x7fffffu;
  uint32_t exponent = (abs >> 23) - 112;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;  // round to nearest, ties to even
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return sign | static_cast<uint16_t>(half);
}

std::string_view weight_storage_name(WeightStorage storage) {
  switch (storage) {
    case WeightStorage::kEmpty: return "empty";
    case WeightStorage::kFloat32: return "float32";
    case WeightStorage::kFloat16: return "float16";
    case WeightStorage::kLinearQuantized: return "linear";
    case WeightStorage::kLookupTable: return "lut";
    case WeightStorage::kRawFloat32: return "float32 (raw)";
  }
  return "unknown";
}

WeightInfo describe_weights(const spec::WeightParams& w) {
  WeightInfo info;
  if (w.floatvalue_size() > 0) {
    info.storage = WeightStorage::kFloat32;
    info.bits = 32;
    info.size_bytes = int64_t(w.floatvalue_size()) * 4;
  } else if (!w.float16value().empty()) {
    info.storage = WeightStorage::kFloat16;
    info.bits = 16;
    info.size_bytes = static_cast<int64_t>(w.float16value().size());
  } else if (!w.int8rawvalue().empty()) {
    info.storage = WeightStorage::kLinearQuantized;
    info.bits = 8;
    info.size_bytes = static_cast<int64_t>(w.int8rawvalue().size());
  } else if (!w.rawvalue().empty()) {
    info.size_bytes = static_cast<int64_t>(w.rawvalue().size());
    if (w.has_quantization()) {
      info.bits = static_cast<int>(w.quantization().numberofbits());
      info.storage = w.quantization().has_lookuptablequantization()
                         ? WeightStorage::kLookupTable
                         : WeightStorage::kLinearQuantized;
    } else {
      info.storage = WeightStorage::kRawFloat32;
      info.bits = 32;
    }
  }
  return info;
}

int64_t stored_weight_count(const spec::WeightParams& w) {
  WeightInfo info = describe_weights(w);
  switch (info.storage) {
    case WeightStorage::kEmpty: return 0;
    case WeightStorage::kFloat32: return w.floatvalue_size();
    case WeightStorage::kFloat16: return info.size_bytes / 2;
    case WeightStorage::kRawFloat32: return info.size_bytes / 4;
    default:
      if (info.bits == 8) return info.size_bytes;
      return -1;
  }
}

std::vector<float> decode_weights(const spec::WeightParams& w, int64_t count,
                                  std::string_view what) {
  return decode_weights(w, count, ChannelLayout{}, what);
}

std::vector<float> decode_weights(const spec::WeightParams& w, int64_t count, ChannelLayout layout,
                                  std::string_view what) {
  if (count < 0) fail(what, "negative weight count " + str(count));
  // Far beyond any real model (2^40 values), and small enough that the byte
  // arithmetic below cannot overflow.
  if (count > (int64_t(1) << 40)) fail(what, "implausible weight count " + str(count));
  WeightInfo info = describe_weights(w);
  std::vector<float> out;
  switch (info.storage) {
    case WeightStorage::kEmpty:
      if (count != 0) fail(what, "expected " + str(count) + " values, found none");
      return out;
    case WeightStorage::kFloat32:
      if (w.floatvalue_size() != count)
        fail(what, "expected " + str(count) + " float values, found " + str(w.floatvalue_size()));
      return {w.floatvalue().begin(), w.floatvalue().end()};
    case WeightStorage::kFloat16: {
      const std::string& b = w.float16value();
      if (static_cast<int64_t>(b.size()) != count * 2)
        fail(what, "expected " + str(count) + " float16 values (" + str(count * 2) +
                       " bytes), found " + str(static_cast<int64_t>(b.size())) + " bytes");
      out.resize(static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) {
        uint16_t h = static_cast<uint16_t>(static_cast<uint8_t>(b[2 * i]) |
                                           (static_cast<uint8_t>(b[2 * i + 1]) << 8));
        out[i] = half_to_float(h);
      }
      return out;
    }
    case WeightStorage::kRawFloat32: {
      const std::string& b = w.rawvalue();
      if (static_cast<int64_t>(b.size()) != count * 4)
        fail(what, "expected " + str(count) + " raw float32 values (" + str(count * 4) +
                       " bytes), found " + str(static_cast<int64_t>(b.size())) + " bytes");
      out.resize(static_cast<size_t>(count));
      if (count) std::memcpy(out.data(), b.data(), b.size());
      return out;
    }
    case WeightStorage::kLinearQuantized:
    case WeightStorage::kLookupTable: break;
  }

  // Quantized storage.
  const bool int8 = !w.int8rawvalue().empty();
  const std::string& raw = int8 ? w.int8rawvalue() : w.rawvalue();
  const int bits = int8 ? 8 : info.bits;
  if (!int8 && !w.has_quantization())
    fail(what, "quantized weights without quantization parameters");
  if (bits < 1 || bits > 8)
    fail(what, "quantization numberOfBits must be 1 to 8, found " + str(bits));
  const int64_t need_bytes = (count * bits + 7) / 8;
  if (static_cast<int64_t>(raw.size()) != need_bytes)
    fail(what, "expected " + str(count) + " values of " + str(bits) + " bits (" + str(need_bytes) +
                   " bytes), found " + str(static_cast<int64_t>(raw.size())) + " bytes");
  const auto* bytes = reinterpret_cast<const uint8_t*>(raw.data());
  out.resize(static_cast<size_t>(count));

  const spec::QuantizationParams& q = w.quantization();
  if (q.has_lookuptablequantization()) {
    const auto& lut = q.lookuptablequantization().floatvalue();
    if (lut.size() != (1 << bits))
      fail(what, "lookup table has " + str(lut.size()) + " entries; " + str(bits) +
                     "-bit indices need " + str(int64_t(1) << bits));
    for (int64_t i = 0; i < count; ++i) out[i] = lut[static_cast<int>(read_bits(bytes, i, bits))];
    return out;
  }
  if (!q.has_linearquantization())
    fail(what, "quantized weights without linear or lookup-table parameters");
  const auto& scale = q.linearquantization().scale();
  const auto& bias = q.linearquantization().bias();
  if (scale.empty()) fail(what, "linear quantization has no scale");
  // Per-channel parameters: the caller says which axis is the channel axis;
  // without that, an array of scales is taken to run along axis 0.
  if (scale.size() > 1 && layout.channels == 1 && count % scale.size() == 0)
    layout = ChannelLayout{scale.size(), count / scale.size()};
  auto check_len = [&](int n, const char* field) {
    if (n != 1 && n != layout.channels)
      fail(what, std::string("linear quantization ") + field + " has " + str(n) +
                     " values; expected 1 or " + str(layout.channels) + " (one per channel)");
  };
  check_len(scale.size(), "scale");
  if (!bias.empty()) check_len(bias.size(), "bias");
  if (layout.inner <= 0) layout.inner = 1;
  for (int64_t i = 0; i < count; ++i) {
    int64_t c = layout.channels > 1 ? (i / layout.inner) % layout.channels : 0;
    float s = scale[scale.size() == 1 ? 0 : static_cast<int>(c)];
    float b = bias.empty() ? 0.f : bias[bias.size() == 1 ? 0 : static_cast<int>(c)];
    float v = int8 ? static_cast<float>(static_cast<int8_t>(bytes[i]))
                   : static_cast<float>(read_bits(bytes, i, bits));
    out[i] = v * s + b;
  }
  return out;
}

void set_float_weights(spec::WeightParams& w, const std::vector<float>& values) {
  w.Clear();
  w.mutable_floatvalue()->Assign(values.begin(), values.end());
}

void set_float16_weights(spec::WeightParams& w, const std::vector<float>& values) {
  w.Clear();
  std::string bytes(values.size() * 2, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t h = float_to_half(values[i]);
    bytes[2 * i] = static_cast<char>(h & 0xff);
    bytes[2 * i + 1] = static_cast<char>(h >> 8);
  }
  w.set_float16value(std::move(bytes));
}

namespace {

[[noreturn]] void bad_argument(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

void check_bits(int bits) {
  if (bits < 1 || bits > 8) bad_argument("quantized values take 1 to 8 bits, not " + str(bits));
}

}  // namespace

std::string pack_bits(std::span<const uint8_t> values, int bits) {
  check_bits(bits);
  const uint32_t limit = 1u << bits;
  const size_t n = values.size();
  std::string out((n * bits + 7) / 8, '\0');
  if (bits == 8) {
    if (n) std::memcpy(out.data(), values.data(), n);
    return out;
  }
  // Shift values into an accumulator and emit whole bytes from its top.
  uint32_t acc = 0;
  int filled = 0;
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    if (values[i] >= limit)
      bad_argument("value " + str(values[i]) + " at index " + str(static_cast<int64_t>(i)) +
                   " does not fit in " + str(bits) + " bits");
    acc = (acc << bits) | values[i];
    filled += bits;
    while (filled >= 8) {
      filled -= 8;
      out[pos++] = static_cast<char>((acc >> filled) & 0xffu);
    }
  }
  if (filled > 0) out[pos] = static_cast<char>((acc << (8 - filled)) & 0xffu);
  return out;
}

std::vector<uint8_t> unpack_bits(std::string_view bytes, int64_t count, int bits) {
  check_bits(bits);
  if (count < 0) bad_argument("negative value count " + str(count));
  const int64_t need = (count * bits + 7) / 8;
  if (static_cast<int64_t>(bytes.size()) < need)
    bad_argument(str(count) + " values of " + str(bits) + " bits need " + str(need) +
                 " bytes, found " + str(static_cast<int64_t>(bytes.size())));
  std::vector<uint8_t> out(static_cast<size_t>(count));
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  for (int64_t i = 0; i < count; ++i) out[i] = static_cast<uint8_t>(read_bits(b, i, bits));
  return out;
}

void set_linear_quantized_weights(spec::WeightParams& w, int bits, std::span<const uint8_t> values,
                                  std::span<const float> scale, std::span<const float> bias) {
  if (scale.empty()) bad_argument("linear quantization needs at least one scale");
  if (!bias.empty() && bias.size() != scale.size() && bias.size() != 1)
    bad_argument("linear quantization has " + str(static_cast<int64_t>(scale.size())) +
                 " scales but " + str(static_cast<int64_t>(bias.size())) + " biases");
  std::string raw = pack_bits(values, bits);
  w.Clear();
  w.set_rawvalue(std::move(raw));
  spec::QuantizationParams* q = w.mutable_quantization();
  q->set_numberofbits(static_cast<uint64_t>(bits));
  auto* lin = q->mutable_linearquantization();
  lin->mutable_scale()->Assign(scale.begin(), scale.end());
  lin->mutable_bias()->Assign(bias.begin(), bias.end());
}

void set_lut_quantized_weights(spec::WeightParams& w, int bits, std::span<const uint8_t> values,
                               std::span<const float> table) {
  check_bits(bits);
  if (table.size() != (size_t(1) << bits))
    bad_argument("a lookup table for " + str(bits) + "-bit indices has " + str(int64_t(1) << bits) +
                 " entries, not " + str(static_cast<int64_t>(table.size())));
  std::string raw = pack_bits(values, bits);
  w.Clear();
  w.set_rawvalue(std::move(raw));
  spec::QuantizationParams* q = w.mutable_quantization();
  q->set_numberofbits(static_cast<uint64_t>(bits));
  q->mutable_lookuptablequantization()->mutable_floatvalue()->Assign(table.begin(), table.end());
}

}  // namespace morel
