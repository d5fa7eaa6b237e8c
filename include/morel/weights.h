// WeightParams decoding: every storage form the format allows (float32,
// float16, 1-8 bit linear or lookup-table quantized, int8) to float32.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "NeuralNetwork.pb.h"

namespace morel {

enum class WeightStorage : uint8_t {
  kEmpty,
  kFloat32,          // floatValue
  kFloat16,          // float16Value
  kLinearQuantized,  // rawValue or int8RawValue with linear quantization
  kLookupTable,      // rawValue with a lookup table
  kRawFloat32,       // rawValue without quantization: little-endian float32
};

std::string_view weight_storage_name(WeightStorage storage);

struct WeightInfo {
  WeightStorage storage = WeightStorage::kEmpty;
  int bits = 0;            // bits per stored value (32, 16, or the quantization bits)
  int64_t size_bytes = 0;  // bytes the stored values take in the file
};
WeightInfo describe_weights(const spec::WeightParams& weights);

// How per-channel quantization parameters map onto the flat weight array:
// element i belongs to channel (i / inner) % channels. Output-channel-major
// weights use {C, count / C}; deconvolution ([Cin, Cout/groups, kH, kW])
// uses {Cout/groups, kH * kW}.
struct ChannelLayout {
  int64_t channels = 1;
  int64_t inner = 1;
};

// Decode to exactly `count` floats. Throws Error(kInvalidModel) naming `what`
// when the stored count, bit width or quantization parameters disagree.
std::vector<float> decode_weights(const spec::WeightParams& weights, int64_t count,
                                  ChannelLayout layout, std::string_view what);
// Decode when there is one channel or none (per-tensor parameters only).
std::vector<float> decode_weights(const spec::WeightParams& weights, int64_t count,
                                  std::string_view what);
// Number of values stored (the count a decode would need), or -1 for packed
// sub-byte data, where padding makes it ambiguous.
int64_t stored_weight_count(const spec::WeightParams& weights);

// Store values as floatValue / float16Value (replacing what was there).
void set_float_weights(spec::WeightParams& weights, const std::vector<float>& values);
void set_float16_weights(spec::WeightParams& weights, const std::vector<float>& values);

// n-bit unsigned values (each < 2^bits, bits 1-8) as the MSB-first bit
// stream decode_weights reads: bit 7 of byte 0 is the top bit of value 0,
// values straddle bytes, the tail is zero padded. Throws
// Error(kInvalidArgument) when bits or a value is out of range.
std::string pack_bits(std::span<const uint8_t> values, int bits);
// The inverse for `count` values; throws Error(kInvalidArgument) when the
// bytes are too few.
std::vector<uint8_t> unpack_bits(std::string_view bytes, int64_t count, int bits);

// Store quantized values as rawValue with their parameters (replacing what
// was there). Linear: w = q * scale[c] + bias[c], scale and bias of length 1
// or one per channel. Lookup table: w = table[q], the table of exactly
// 2^bits entries. Throws Error(kInvalidArgument) on out-of-range input.
void set_linear_quantized_weights(spec::WeightParams& weights, int bits,
                                  std::span<const uint8_t> values, std::span<const float> scale,
                                  std::span<const float> bias);
void set_lut_quantized_weights(spec::WeightParams& weights, int bits,
                               std::span<const uint8_t> values, std::span<const float> table);

// IEEE half <-> float conversion.
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

}  // namespace morel
