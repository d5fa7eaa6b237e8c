// Custom layer weights: each WeightParams reaches set_weights with its
// storage kind, its stored bytes untouched and its values decoded — float32,
// float16, raw float32, 8-bit linear, packed sub-byte linear, lookup table,
// per-channel scales (and int8 storage, which models may not give a custom
// layer) — and hostile weights fail the load with an error, never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>

#include "custom/custom_test_models.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"
#include "runtime/custom_values.h"

namespace morel::test {
namespace {

std::mutex received_mutex;
std::vector<Weight> received;

class WeightProbe : public CustomLayer {
 public:
  void set_weights(std::span<const Weight> weights) override {
    std::lock_guard lock(received_mutex);
    received.assign(weights.begin(), weights.end());
  }
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    std::copy(in[0].data, in[0].data + in[0].count(), out[0].data);
  }
};
MOREL_REGISTER_CUSTOM_LAYER("WeightProbe", WeightProbe);

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

std::vector<Weight> load(const std::function<void(spec::CustomLayerParams&)>& add_weights) {
  Model::from_bytes(serialize_spec(single_custom_layer_model("WeightProbe", add_weights)));
  std::lock_guard lock(received_mutex);
  return received;
}

void linear(spec::WeightParams& w, std::vector<float> scale, std::vector<float> bias, int bits) {
  auto* q = w.mutable_quantization();
  q->set_numberofbits(static_cast<uint64_t>(bits));
  q->mutable_linearquantization()->mutable_scale()->Assign(scale.begin(), scale.end());
  q->mutable_linearquantization()->mutable_bias()->Assign(bias.begin(), bias.end());
}

TEST(CustomWeights, FloatStorageKindsArriveIntact) {
  const std::vector<float> f32 = {1.5f, -2.f, 3.25f, 1e-20f};
  const std::vector<float> f16 = {0.5f, -1.f, 65504.f, 0.1f};
  std::string raw_f32(8, '\0');
  const float raw_values[2] = {7.f, -0.25f};
  std::memcpy(raw_f32.data(), raw_values, 8);
  auto w = load([&](spec::CustomLayerParams& p) {
    set_float_weights(*p.add_weights(), f32);
    set_float16_weights(*p.add_weights(), f16);
    p.add_weights()->set_rawvalue(raw_f32);
    p.add_weights();  // empty
  });
  ASSERT_EQ(w.size(), 4u);

  EXPECT_EQ(w[0].storage, WeightStorage::kFloat32);
  EXPECT_EQ(w[0].bits, 32);
  EXPECT_EQ(w[0].values, f32);
  ASSERT_EQ(w[0].raw.size(), 16u);
  EXPECT_EQ(std::memcmp(w[0].raw.data(), f32.data(), 16), 0);

  EXPECT_EQ(w[1].storage, WeightStorage::kFloat16);
  EXPECT_EQ(w[1].bits, 16);
  ASSERT_EQ(w[1].raw.size(), 8u);
  // Stored bytes are the halves, little-endian: 0.5 = 0x3800, -1 = 0xbc00,
  // 65504 = 0x7bff, 0.1 ~ 0x2e66.
  EXPECT_EQ(w[1].raw, bytes({0x00, 0x38, 0x00, 0xbc, 0xff, 0x7b, 0x66, 0x2e}));
  EXPECT_EQ(w[1].values, (std::vector<float>{0.5f, -1.f, 65504.f, half_to_float(0x2e66)}));

  EXPECT_EQ(w[2].storage, WeightStorage::kRawFloat32);
  EXPECT_EQ(w[2].raw, raw_f32);
  EXPECT_EQ(w[2].values, (std::vector<float>{7.f, -0.25f}));

  EXPECT_EQ(w[3].storage, WeightStorage::kEmpty);
  EXPECT_TRUE(w[3].values.empty());
  EXPECT_TRUE(w[3].raw.empty());
}

TEST(CustomWeights, EightBitLinear) {
  auto w = load([&](spec::CustomLayerParams& p) {
    auto* u8 = p.add_weights();
    u8->set_rawvalue(bytes({0, 1, 255}));
    linear(*u8, {0.5f}, {-1.f}, 8);
  });
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].storage, WeightStorage::kLinearQuantized);
  EXPECT_EQ(w[0].bits, 8);
  EXPECT_FALSE(w[0].int8);
  EXPECT_EQ(w[0].raw, bytes({0, 1, 255}));
  EXPECT_EQ(w[0].scale, std::vector<float>{0.5f});
  EXPECT_EQ(w[0].bias, std::vector<float>{-1.f});
  EXPECT_EQ(w[0].values, (std::vector<float>{-1.f, -0.5f, 126.5f}));
  EXPECT_EQ(w[0].decoded(3), w[0].values);
}

TEST(CustomWeights, SignedInt8Storage) {
  // The format allows int8RawValue only in int8DynamicQuantize layers, so a
  // model never hands one to a custom layer (validation refuses it); the
  // conversion still describes it faithfully.
  spec::WeightParams p;
  p.set_int8rawvalue(bytes({0x80, 0, 0x7f}));
  linear(p, {0.25f}, {}, 8);
  Weight w = runtime::custom_weight(p, "int8 weights");
  EXPECT_EQ(w.storage, WeightStorage::kLinearQuantized);
  EXPECT_TRUE(w.int8);
  EXPECT_EQ(w.raw, bytes({0x80, 0, 0x7f}));
  EXPECT_EQ(w.values, (std::vector<float>{-32.f, 0.f, 31.75f}));
  EXPECT_EQ(w.decoded(3), w.values);
  try {
    Model::from_spec(single_custom_layer_model(
        "WeightProbe", [&](spec::CustomLayerParams& l) { *l.add_weights() = p; }));
    ADD_FAILURE() << "int8RawValue in a custom layer should be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("int8RawValue"), std::string::npos) << e.what();
  }
}

TEST(CustomWeights, BadPackedBitWidthIsAnErrorNotADivisionByZero) {
  // What reaches the conversion when nothing validated the model first.
  spec::WeightParams p;
  p.set_rawvalue(bytes({1, 2}));
  linear(p, {1.f}, {}, 0);
  try {
    runtime::custom_weight(p, "layer 'x': weights[0]");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_EQ(std::string(e.what()),
              "layer 'x': weights[0]: quantization numberOfBits must be 1 to 8, found 0");
  }
}

TEST(CustomWeights, PackedSubByteAndLookupTable) {
  auto w = load([&](spec::CustomLayerParams& p) {
    // 4-bit values 1, 15, 7 packed MSB first: 0001 1111 | 0111 (0000 padding).
    auto* nibbles = p.add_weights();
    nibbles->set_rawvalue(bytes({0x1f, 0x70}));
    linear(*nibbles, {2.f}, {0.5f}, 4);
    // 2-bit indices 3 0 2 1 1 into a 4-entry table: 11 00 10 01 | 01 (000000).
    auto* lut = p.add_weights();
    lut->set_rawvalue(bytes({0xc9, 0x40}));
    lut->mutable_quantization()->set_numberofbits(2);
    for (float v : {-1.f, 0.f, 0.5f, 2.f})
      lut->mutable_quantization()->mutable_lookuptablequantization()->add_floatvalue(v);
  });
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].storage, WeightStorage::kLinearQuantized);
  EXPECT_EQ(w[0].bits, 4);
  EXPECT_EQ(w[0].raw, bytes({0x1f, 0x70}));
  // The stored data does not say how many values it holds: all four slots
  // (the last one padding) are decoded, and decoded(3) gives the three.
  EXPECT_EQ(w[0].values, (std::vector<float>{2.5f, 30.5f, 14.5f, 0.5f}));
  EXPECT_EQ(w[0].decoded(3), (std::vector<float>{2.5f, 30.5f, 14.5f}));

  EXPECT_EQ(w[1].storage, WeightStorage::kLookupTable);
  EXPECT_EQ(w[1].bits, 2);
  EXPECT_EQ(w[1].lookup_table, (std::vector<float>{-1.f, 0.f, 0.5f, 2.f}));
  EXPECT_EQ(w[1].values.size(), 8u);
  EXPECT_EQ(w[1].decoded(5), (std::vector<float>{2.f, -1.f, 0.5f, 0.f, 0.f}));
  // A count the bytes cannot hold is an error, not a read past the end.
  try {
    w[1].decoded(9);
    ADD_FAILURE() << "9 two-bit values do not fit in 2 bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

TEST(CustomWeights, PerChannelScalesAlongTheFirstAxisOrAsLaidOut) {
  auto w = load([&](spec::CustomLayerParams& p) {
    auto* q = p.add_weights();
    q->set_rawvalue(bytes({1, 2, 3, 4}));
    linear(*q, {1.f, 10.f}, {0.f, 0.5f}, 8);
  });
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].scale, (std::vector<float>{1.f, 10.f}));
  EXPECT_EQ(w[0].values, (std::vector<float>{1.f, 2.f, 30.5f, 40.5f}));
  // Channels interleaved instead: element i in channel i % 2.
  EXPECT_EQ(w[0].decoded(4, ChannelLayout{2, 1}), (std::vector<float>{1.f, 20.5f, 3.f, 40.5f}));
}

TEST(CustomWeights, HostileWeightsFailTheLoadNamingTheBlob) {
  struct Case {
    const char* what;
    std::function<void(spec::WeightParams&)> make;
    const char* message;
  };
  std::vector<Case> cases = {
      {"zero bits",
       [](spec::WeightParams& w) {
         w.set_rawvalue(bytes({1, 2}));
         linear(w, {1.f}, {}, 0);
       },
       "numberOfBits is 0; must be 1 to 8"},
      {"nine bits",
       [](spec::WeightParams& w) {
         w.set_rawvalue(bytes({1, 2}));
         linear(w, {1.f}, {}, 9);
       },
       "numberOfBits is 9; must be 1 to 8"},
      {"short lookup table",
       [](spec::WeightParams& w) {
         w.set_rawvalue(bytes({0xff}));
         w.mutable_quantization()->set_numberofbits(2);
         w.mutable_quantization()->mutable_lookuptablequantization()->add_floatvalue(1.f);
       },
       "lookup table has 1 entries"},
      {"scales for no channel layout",
       [](spec::WeightParams& w) {
         w.set_rawvalue(bytes({1, 2, 3}));
         linear(w, {1.f, 2.f}, {}, 8);
       },
       "scale has 2 values"},
      {"odd float16 bytes",
       [](spec::WeightParams& w) {
         w.set_float16value(bytes({0, 0x3c, 0}));
       },
       "float16Value has an odd number of bytes (3)"},
      {"quantized without parameters",
       [](spec::WeightParams& w) {
         w.set_rawvalue(bytes({1}));
         w.mutable_quantization()->set_numberofbits(8);
       },
       "neither linearQuantization nor lookupTableQuantization"},
  };
  for (const Case& c : cases) {
    try {
      load([&](spec::CustomLayerParams& p) {
        p.add_weights();
        c.make(*p.add_weights());
      });
      ADD_FAILURE() << c.what << ": expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << c.what;
      const std::string m = e.what();
      EXPECT_NE(m.find("layer 'probe'"), std::string::npos) << c.what << ": " << m;
      EXPECT_NE(m.find("weights[1]"), std::string::npos) << c.what << ": " << m;
      EXPECT_NE(m.find(c.message), std::string::npos) << c.what << ": " << m;
    }
  }
}

}  // namespace
}  // namespace morel::test
