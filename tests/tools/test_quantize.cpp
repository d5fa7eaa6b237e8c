// The per-tensor quantizers, and whole-model quantization against the real
// coremltools files in ../shared/testdata/coreml/quantized: linear, linear
// symmetric, linear LUT and fp16 reproduce coremltools byte for byte;
// k-means tables fit the weights at least as well as coremltools' own.
#include <gtest/gtest.h>
#include <algorithm>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/quantize.h"
#include "morel/spec.h"
#include "support/paths.h"
#include "tools/quantize.h"

namespace morel::test {
namespace {

std::vector<float> random_weights(size_t n, uint32_t seed, float stddev = 0.1f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, stddev);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// Decode what a LinearQuantized stands for, as the runtime does (float math).
std::vector<float> dequantize(const tools::LinearQuantized& q, ChannelLayout layout) {
  spec::WeightParams w;
  set_linear_quantized_weights(w, 8, q.values, q.scale, q.bias);
  return decode_weights(w, static_cast<int64_t>(q.values.size()), layout, "w");
}

TEST(QuantizeLinear, ErrorWithinHalfAStepPerChannel) {
  const ChannelLayout layout{4, 50};
  std::vector<float> w = random_weights(200, 1);
  for (int i = 50; i < 100; ++i) w[i] *= 10;  // channel 1 has a wider range
  for (bool symmetric : {false, true}) {
    SCOPED_TRACE(symmetric ? "symmetric" : "asymmetric");
    const auto q = tools::quantize_linear(w, layout, 8, symmetric);
    ASSERT_EQ(q.scale.size(), 4u);
    ASSERT_EQ(q.bias.size(), 4u);
    EXPECT_GT(q.scale[1], 5 * q.scale[0]);
    const auto d = dequantize(q, layout);
    for (size_t i = 0; i < w.size(); ++i) {
      const float step = q.scale[(i / 50) % 4];
      ASSERT_LE(std::abs(d[i] - w[i]), 0.5f * step + 1e-6f) << i;
    }
    if (symmetric) {
      for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(q.bias[c], -128 * q.scale[c]);
    }
  }
}

TEST(QuantizeLinear, SymmetricKeepsZeroAndAsymmetricKeepsTheEnds) {
  const std::vector<float> w = {-0.3f, 0.f, 0.1f, 0.6f};
  for (int bits = 2; bits <= 8; ++bits) {
    const auto s = tools::quantize_linear(w, {}, bits, true);
    EXPECT_EQ(s.values[1], 1 << (bits - 1)) << bits << " bits: zero is the middle level";
    EXPECT_EQ(s.values[3], (1 << bits) - 1);
    const auto a = tools::quantize_linear(w, {}, bits, false);
    EXPECT_EQ(a.values[0], 0);
    EXPECT_EQ(a.values[3], (1 << bits) - 1);
    EXPECT_EQ(a.bias[0], -0.3f);
  }
  EXPECT_THROW(tools::quantize_linear(w, {}, 1, true), Error);  // no middle level
}

TEST(QuantizeLinear, ConstantChannelsSurvive) {
  const std::vector<float> w = {0.25f, 0.25f, 0.25f, -7.f, -7.f, -7.f, 0.f, 0.f, 0.f};
  for (bool symmetric : {false, true}) {
    const auto q = tools::quantize_linear(w, ChannelLayout{3, 3}, 4, symmetric);
    spec::WeightParams p;
    set_linear_quantized_weights(p, 4, q.values, q.scale, q.bias);
    const auto d = decode_weights(p, 9, ChannelLayout{3, 3}, "w");
    if (!symmetric) {
      EXPECT_EQ(d, w);  // scale 0, the value in the bias
    } else {
      // r / 7 steps from a middle level: exact up to float rounding.
      for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(d[i], w[i], 1e-6f * 8) << i;
      EXPECT_EQ(d[6], 0.f);
    }
  }
}

TEST(QuantizeLinear, RejectsNonFinite) {
  std::vector<float> w = {1.f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THROW(tools::quantize_linear(w, {}, 8, false), Error);
  w[1] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(tools::quantize_linear_lut(w, 4), Error);
  EXPECT_THROW(tools::quantize_kmeans(w, 4), Error);
}

TEST(QuantizeLut, TablesHaveTwoToTheBitsEntries) {
  const std::vector<float> w = random_weights(5000, 4);
  for (int bits = 1; bits <= 8; ++bits) {
    SCOPED_TRACE(std::to_string(bits) + " bits");
    const auto lin = tools::quantize_linear_lut(w, bits);
    const auto km = tools::quantize_kmeans(w, bits);
    ASSERT_EQ(lin.table.size(), size_t(1) << bits);
    ASSERT_EQ(km.table.size(), size_t(1) << bits);
    EXPECT_TRUE(std::is_sorted(km.table.begin(), km.table.end()));
    double lin_err = 0, km_err = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      lin_err += std::pow(w[i] - lin.table[lin.values[i]], 2);
      km_err += std::pow(w[i] - km.table[km.values[i]], 2);
    }
    EXPECT_LE(km_err, lin_err * 1.0001);
  }
  // Fewer distinct values than entries: exact, table padded with the last value.
  const auto few = tools::quantize_kmeans(std::vector<float>{2.f, -1.f, 2.f}, 3);
  EXPECT_EQ(few.table, (std::vector<float>{-1.f, 2.f, 2.f, 2.f, 2.f, 2.f, 2.f, 2.f}));
  EXPECT_EQ(few.values, (std::vector<uint8_t>{1, 0, 1}));
}

TEST(QuantizeLut, CustomTablesAreChecked) {
  LookupTable ok{{0.5f, 1.5f}, {1, 0, 1}};
  const auto q = tools::check_custom_lut(ok, 3, 2);
  EXPECT_EQ(q.table, (std::vector<float>{0.5f, 1.5f, 1.5f, 1.5f}));
  EXPECT_THROW(tools::check_custom_lut(LookupTable{{}, {0, 0, 0}}, 3, 2), Error);
  EXPECT_THROW(tools::check_custom_lut(LookupTable{{1, 2, 3, 4, 5}, {0, 0, 0}}, 3, 2), Error);
  EXPECT_THROW(tools::check_custom_lut(LookupTable{{1, 2}, {0, 0}}, 3, 2), Error);
  EXPECT_THROW(tools::check_custom_lut(LookupTable{{1, 2}, {0, 2, 0}}, 3, 2), Error);
  EXPECT_THROW(tools::check_custom_lut(
                   LookupTable{{1, std::numeric_limits<float>::quiet_NaN()}, {0, 1, 0}}, 3, 2),
               Error);
}

// ---------------------------------------------------------------------------
// Against coremltools' own quantized files
// ---------------------------------------------------------------------------

std::filesystem::path quantized_dir() {
  return testdata_dir() / "coreml" / "quantized";
}

Spec base_model() {
  return load_spec(testdata_dir() / "coreml" / "torch" / "squeezenet1_1.mlmodel");
}

// Every WeightParams of the network, in order.
std::vector<LayerWeightRef> all_weights(const Spec& spec) {
  std::vector<LayerWeightRef> out;
  for (const auto& layer : *network_view(spec).layers)
    for (auto& ref : layer_weights(layer)) out.push_back(ref);
  return out;
}

void expect_same_weights(const Spec& ours, const Spec& theirs) {
  const auto a = all_weights(ours), b = all_weights(theirs);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 52u);
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i) + " " + a[i].field);
    const spec::WeightParams& x = *a[i].weights;
    const spec::WeightParams& y = *b[i].weights;
    EXPECT_EQ(x.rawvalue(), y.rawvalue());
    EXPECT_EQ(x.float16value(), y.float16value());
    EXPECT_EQ(x.floatvalue_size(), y.floatvalue_size());
    EXPECT_EQ(x.quantization().SerializeAsString(), y.quantization().SerializeAsString());
  }
}

struct CoremltoolsCase {
  const char* file;
  QuantizationMode mode;
  int bits;
};

class MatchesCoremltools : public ::testing::TestWithParam<CoremltoolsCase> {};

TEST_P(MatchesCoremltools, ByteForByte) {
  const CoremltoolsCase c = GetParam();
  Spec spec = base_model();
  QuantizeOptions o;
  o.mode = c.mode;
  o.bits = c.bits;
  const QuantizeReport r = quantize(spec, o);
  EXPECT_EQ(r.weights_changed, 52);
  Spec theirs = load_spec(quantized_dir() / c.file);
  EXPECT_EQ(spec.specificationversion(), theirs.specificationversion());
  expect_same_weights(spec, theirs);
  EXPECT_NO_THROW(validate_spec(spec));
}

INSTANTIATE_TEST_SUITE_P(
    Squeezenet, MatchesCoremltools,
    ::testing::Values(
        CoremltoolsCase{"squeezenet1_1_q8_linear.mlmodel", QuantizationMode::kLinear, 8},
        CoremltoolsCase{"squeezenet1_1_q8_linear_symmetric.mlmodel",
                        QuantizationMode::kLinearSymmetric, 8},
        CoremltoolsCase{"squeezenet1_1_q6_linear_lut.mlmodel", QuantizationMode::kLinearLut, 6},
        CoremltoolsCase{"squeezenet1_1_fp16.mlmodel", QuantizationMode::kFloat16, 16}),
    [](const ::testing::TestParamInfo<CoremltoolsCase>& param_info) {
      std::string n = param_info.param.file;
      n = n.substr(0, n.find('.'));
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(QuantizeKMeans, FitsAtLeastAsWellAsCoremltools) {
  for (int bits : {4, 2}) {
    SCOPED_TRACE(std::to_string(bits) + " bits");
    const Spec base = base_model();
    Spec ours = base;
    QuantizeOptions o;
    o.mode = QuantizationMode::kKMeans;
    o.bits = bits;
    quantize(ours, o);
    const Spec theirs =
        load_spec(quantized_dir() / ("squeezenet1_1_q" + std::to_string(bits) + "_kmeans.mlmodel"));
    const auto w0 = all_weights(base), w1 = all_weights(ours), w2 = all_weights(theirs);
    ASSERT_EQ(w0.size(), w1.size());
    ASSERT_EQ(w0.size(), w2.size());
    double total_ours = 0, total_theirs = 0;
    for (size_t i = 0; i < w0.size(); ++i) {
      const int64_t n = w0[i].expected_count;
      const auto ref = decode_weights(*w0[i].weights, n, "base");
      const auto a = decode_weights(*w1[i].weights, n, "ours");
      const auto b = decode_weights(*w2[i].weights, n, "theirs");
      EXPECT_EQ(describe_weights(*w1[i].weights).storage, WeightStorage::kLookupTable);
      EXPECT_EQ(w1[i].weights->quantization().numberofbits(), static_cast<uint64_t>(bits));
      double ea = 0, eb = 0;
      for (int64_t j = 0; j < n; ++j) {
        ea += std::pow(double(ref[j]) - a[j], 2);
        eb += std::pow(double(ref[j]) - b[j], 2);
      }
      EXPECT_LE(ea, eb * 1.0001 + 1e-12) << "tensor " << i << " " << w0[i].field;
      total_ours += ea, total_theirs += eb;
    }
    EXPECT_LT(total_ours, total_theirs);
    std::cout << "[ info ] " << bits << "-bit k-means squared error: morel " << total_ours
              << ", coremltools " << total_theirs << "\n";
  }
}

TEST(QuantizeDequantize, CoremltoolsFilesDecodeToTheirTwins) {
  // Our dequantize of each coremltools file equals coremltools' own
  // dequantized twin (to float rounding: we decode in float32 as the runtime
  // does, coremltools in float64).
  for (const char* name :
       {"squeezenet1_1_q8_linear", "squeezenet1_1_q8_linear_symmetric", "squeezenet1_1_q4_kmeans",
        "squeezenet1_1_q2_kmeans", "squeezenet1_1_q6_linear_lut", "squeezenet1_1_fp16"}) {
    SCOPED_TRACE(name);
    Spec spec = load_spec(quantized_dir() / (std::string(name) + ".mlmodel"));
    QuantizeOptions o;
    o.mode = QuantizationMode::kDequantize;
    const QuantizeReport r = quantize(spec, o);
    EXPECT_EQ(r.weights_changed, 52);
    const Spec twin = load_spec(quantized_dir() / (std::string(name) + "_dequantized.mlmodel"));
    const auto a = all_weights(spec), b = all_weights(twin);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].weights->floatvalue_size(), b[i].weights->floatvalue_size());
      for (int j = 0; j < a[i].weights->floatvalue_size(); ++j) {
        const float x = a[i].weights->floatvalue(j), y = b[i].weights->floatvalue(j);
        ASSERT_LE(std::abs(x - y), 2e-7f * (1 + std::abs(y))) << a[i].field << "[" << j << "]";
      }
    }
  }
}

}  // namespace
}  // namespace morel::test
