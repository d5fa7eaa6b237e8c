// The quantized-weight encoder (pack_bits, set_linear/lut_quantized_weights)
// against the decoder beside it: exact bit layouts, round trips for every
// width, and the errors for values or tables that do not fit.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "morel/error.h"
#include "morel/weights.h"

namespace morel::test {
namespace {

std::vector<uint8_t> random_values(size_t n, int bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(0, (1 << bits) - 1);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(dist(rng));
  return v;
}

std::vector<uint8_t> bytes_of(const std::string& s) {
  return {s.begin(), s.end()};
}

TEST(PackBits, MsbFirstLayout) {
  // 2-bit 3,0,1,2 -> 11 00 01 10.
  EXPECT_EQ(bytes_of(pack_bits(std::vector<uint8_t>{3, 0, 1, 2}, 2)), (std::vector<uint8_t>{0xC6}));
  // 1-bit, 9 values: the tail of the second byte is zero padding.
  EXPECT_EQ(bytes_of(pack_bits(std::vector<uint8_t>{1, 0, 1, 1, 0, 0, 0, 1, 1}, 1)),
            (std::vector<uint8_t>{0xB1, 0x80}));
  // 6-bit values straddle bytes: 111111 000001 100000 -> 11111100 00011000 00(000000).
  EXPECT_EQ(bytes_of(pack_bits(std::vector<uint8_t>{63, 1, 32}, 6)),
            (std::vector<uint8_t>{0xFC, 0x18, 0x00}));
  // 3-bit 5,2,7 -> 101 010 11|1 (0000).
  EXPECT_EQ(bytes_of(pack_bits(std::vector<uint8_t>{5, 2, 7}, 3)),
            (std::vector<uint8_t>{0xAB, 0x80}));
  // 8-bit is plain bytes.
  EXPECT_EQ(bytes_of(pack_bits(std::vector<uint8_t>{0, 255, 17}, 8)),
            (std::vector<uint8_t>{0, 255, 17}));
  EXPECT_TRUE(pack_bits(std::vector<uint8_t>{}, 4).empty());
}

TEST(PackBits, RoundTripsEveryWidth) {
  for (int bits = 1; bits <= 8; ++bits) {
    for (size_t n : {1u, 7u, 8u, 9u, 1000u, 1001u}) {
      SCOPED_TRACE("bits " + std::to_string(bits) + ", n " + std::to_string(n));
      std::vector<uint8_t> v = random_values(n, bits, static_cast<uint32_t>(bits * 131 + n));
      std::string packed = pack_bits(v, bits);
      EXPECT_EQ(packed.size(), (n * bits + 7) / 8);
      EXPECT_EQ(unpack_bits(packed, static_cast<int64_t>(n), bits), v);
    }
  }
}

TEST(PackBits, RejectsOutOfRange) {
  EXPECT_THROW(pack_bits(std::vector<uint8_t>{4}, 2), Error);
  EXPECT_THROW(pack_bits(std::vector<uint8_t>{0}, 0), Error);
  EXPECT_THROW(pack_bits(std::vector<uint8_t>{0}, 9), Error);
  EXPECT_THROW(unpack_bits(std::string(2, '\0'), 5, 4), Error);  // 5 x 4 bits need 3 bytes
  try {
    pack_bits(std::vector<uint8_t>{1, 2, 9}, 3);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("index 2"), std::string::npos) << e.what();
  }
}

TEST(QuantizedWeights, LinearDecodesPerChannel) {
  // Two channels of three values: w = q * scale[c] + bias[c].
  const std::vector<uint8_t> q = {0, 1, 3, 2, 0, 1};
  const std::vector<float> scale = {0.5f, 2.f}, bias = {-1.f, 10.f};
  for (int bits : {2, 3, 5, 8}) {
    spec::WeightParams w;
    w.add_floatvalue(1.f);  // replaced
    set_linear_quantized_weights(w, bits, q, scale, bias);
    EXPECT_EQ(w.floatvalue_size(), 0);
    EXPECT_EQ(w.quantization().numberofbits(), static_cast<uint64_t>(bits));
    WeightInfo info = describe_weights(w);
    EXPECT_EQ(info.storage, WeightStorage::kLinearQuantized);
    EXPECT_EQ(info.bits, bits);
    std::vector<float> d = decode_weights(w, 6, ChannelLayout{2, 3}, "w");
    EXPECT_EQ(d, (std::vector<float>{-1.f, -0.5f, 0.5f, 14.f, 10.f, 12.f})) << bits << " bits";
  }
}

TEST(QuantizedWeights, LookupTableDecodes) {
  for (int bits = 1; bits <= 8; ++bits) {
    const size_t entries = size_t(1) << bits;
    std::vector<float> table(entries);
    for (size_t i = 0; i < entries; ++i) table[i] = static_cast<float>(i) * 0.25f - 3.f;
    std::vector<uint8_t> q = random_values(333, bits, 5u + bits);
    spec::WeightParams w;
    set_lut_quantized_weights(w, bits, q, table);
    EXPECT_EQ(describe_weights(w).storage, WeightStorage::kLookupTable);
    std::vector<float> d = decode_weights(w, 333, "w");
    for (size_t i = 0; i < q.size(); ++i) ASSERT_EQ(d[i], table[q[i]]) << "bits " << bits;
  }
}

TEST(QuantizedWeights, RejectsBadParameters) {
  spec::WeightParams w;
  const std::vector<uint8_t> q = {0, 1};
  EXPECT_THROW(set_lut_quantized_weights(w, 2, q, std::vector<float>{1, 2, 3}), Error);
  EXPECT_THROW(set_linear_quantized_weights(w, 2, q, {}, {}), Error);
  EXPECT_THROW(
      set_linear_quantized_weights(w, 2, q, std::vector<float>{1, 2}, std::vector<float>{1, 2, 3}),
      Error);
  EXPECT_THROW(set_linear_quantized_weights(w, 1, std::vector<uint8_t>{2}, std::vector<float>{1},
                                            std::vector<float>{0}),
               Error);
}

TEST(QuantizedWeights, KeepsNothingOfTheOldStorage) {
  spec::WeightParams w;
  set_float16_weights(w, {1.f, 2.f});
  set_lut_quantized_weights(w, 1, std::vector<uint8_t>{1, 0}, std::vector<float>{5.f, 6.f});
  EXPECT_TRUE(w.float16value().empty());
  EXPECT_EQ(decode_weights(w, 2, "w"), (std::vector<float>{6.f, 5.f}));
  set_float_weights(w, {7.f});
  EXPECT_FALSE(w.has_quantization());
  EXPECT_TRUE(w.rawvalue().empty());
}

}  // namespace
}  // namespace morel::test
