// Comparison metrics on known cases (identical -> infinite SNR, a known
// perturbation -> its known SNR/PSNR), top-k sets, and compare_models on
// real models: a model against itself, against a scaled copy with a known
// SNR, and a classifier's label and probability outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "io/npy.h"
#include "morel/builder.h"
#include "morel/compare.h"
#include "morel/error.h"
#include "morel/model.h"
#include "morel/quantize.h"
#include "support/paths.h"

namespace morel::test {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ArrayMetrics, IdenticalIsInfinite) {
  const std::vector<float> a = {1.f, -2.f, 3.5f};
  const ArrayMetrics m = array_metrics(a, a);
  EXPECT_EQ(m.snr_db, kInf);
  EXPECT_EQ(m.psnr_db, kInf);
  EXPECT_EQ(m.max_abs_error, 0);
  EXPECT_EQ(m.mean_abs_error, 0);
  EXPECT_EQ(m.count, 3);
  EXPECT_TRUE(m.identical());
}

TEST(ArrayMetrics, KnownPerturbations) {
  // ref = 1 everywhere, test = ref + 0.1: SNR = 10 log10(n / (n 0.01)) = 20 dB,
  // PSNR = 20 log10(1 / 0.1) = 20 dB.
  std::vector<float> ref(100, 1.f), test(100, 1.1f);
  ArrayMetrics m = array_metrics(ref, test);
  EXPECT_NEAR(m.snr_db, 20.0, 1e-5);
  EXPECT_NEAR(m.psnr_db, 20.0, 1e-5);
  EXPECT_NEAR(m.max_abs_error, 0.1, 1e-6);
  EXPECT_NEAR(m.mean_abs_error, 0.1, 1e-6);
  EXPECT_FALSE(m.identical());

  // ref = [3, 4], test = [3, 5]: signal 25, noise 1 -> 13.979 dB; RMSE
  // sqrt(1/2), peak 4 -> PSNR 20 log10(4 sqrt 2) = 15.051 dB.
  const std::vector<float> r2 = {3.f, 4.f}, t2 = {3.f, 5.f};
  EXPECT_NEAR(snr_db(r2, t2), 10 * std::log10(25.0), 1e-9);
  EXPECT_NEAR(psnr_db(r2, t2), 20 * std::log10(4 * std::sqrt(2.0)), 1e-9);
  EXPECT_NEAR(array_metrics(r2, t2).mean_abs_error, 0.5, 1e-12);

  // Scaling by (1 + e) gives SNR = -20 log10(e) whatever the signal.
  std::mt19937 rng(3);
  std::normal_distribution<float> dist;
  std::vector<float> x(1000), y(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = dist(rng), y[i] = x[i] * 1.01f;
  EXPECT_NEAR(snr_db(x, y), 40.0, 1e-3);

  // A zero reference with any error is -infinity; NaN on one side is infinite error.
  EXPECT_EQ(snr_db(std::vector<float>{0.f, 0.f}, std::vector<float>{0.f, 1.f}), -kInf);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(array_metrics(std::vector<float>{1.f, 2.f}, std::vector<float>{1.f, nan}).max_abs_error,
            kInf);
  EXPECT_TRUE(
      array_metrics(std::vector<float>{nan, 2.f}, std::vector<float>{nan, 2.f}).identical());
  EXPECT_THROW(array_metrics(std::vector<float>{1.f}, std::vector<float>{1.f, 2.f}), Error);
}

TEST(ArrayMetrics, AccumulatesOverSamples) {
  // Two samples: noise sums, so SNR is over everything, not averaged in dB.
  ArrayMetricsAccumulator acc;
  acc.add(std::vector<float>{1.f, 1.f}, std::vector<float>{1.f, 1.f});
  acc.add(std::vector<float>{1.f, 1.f}, std::vector<float>{1.f, 3.f});
  const ArrayMetrics m = acc.result();
  EXPECT_EQ(m.count, 4);
  EXPECT_NEAR(m.snr_db, 10 * std::log10(4.0 / 4.0), 1e-12);
  EXPECT_NEAR(m.mean_abs_error, 0.5, 1e-12);
  EXPECT_EQ(m.max_abs_error, 2.0);
}

TEST(ClassMetrics, TopK) {
  const StringDictionary a = {
      {"cat", 0.5}, {"dog", 0.3}, {"eel", 0.1}, {"fox", 0.06}, {"gnu", 0.04}};
  const StringDictionary b = {
      {"cat", 0.2}, {"dog", 0.5}, {"eel", 0.05}, {"fox", 0.2}, {"gnu", 0.05}};
  EXPECT_EQ(top_k_classes(a, 3), (std::vector<std::string>{"cat", "dog", "eel"}));
  EXPECT_EQ(top_k_classes(b, 2),
            (std::vector<std::string>{"dog", "cat"}));  // tie cat/fox: key order
  EXPECT_NEAR(top_k_overlap(a, b, 2), 1.0, 1e-12);
  EXPECT_NEAR(top_k_overlap(a, b, 3), 2.0 / 3, 1e-12);  // {cat,dog,eel} vs {dog,cat,fox}
  EXPECT_NEAR(top_k_overlap(a, b, 10), 1.0, 1e-12);     // k clipped to the 5 classes

  ClassMetricsAccumulator acc(3);
  acc.add(a, b);  // top-1 differs
  acc.add(a, a);
  const ClassMetrics m = acc.result();
  EXPECT_EQ(m.samples, 2);
  EXPECT_EQ(m.k, 3);
  EXPECT_NEAR(m.top1_agreement, 0.5, 1e-12);
  EXPECT_NEAR(m.topk_overlap, (2.0 / 3 + 1) / 2, 1e-12);

  const Int64Dictionary i1 = {{1, 0.9}, {2, 0.1}}, i2 = {{1, 0.4}, {2, 0.6}};
  ClassMetricsAccumulator ints;
  ints.add(i1, i2);
  EXPECT_EQ(ints.result().top1_agreement, 0.0);
  EXPECT_EQ(ints.result().k, 2);
  EXPECT_THROW(ints.add(i1, Int64Dictionary{{1, 1.0}}), Error);

  ClassMetricsAccumulator labels;
  labels.add_label(true);
  labels.add_label(false);
  labels.add_label(true);
  labels.add_label(true);
  EXPECT_NEAR(labels.result().top1_agreement, 0.75, 1e-12);
  EXPECT_EQ(labels.result().k, 0);
}

// y = W x (no bias): a copy with W scaled by s gives y' = s y, so SNR is
// exactly -20 log10|s - 1| dB.
Spec linear_model(float scale, bool classifier) {
  ModelBuilder b(classifier ? NetworkKind::kClassifier : NetworkKind::kPlain);
  b.add_array_input("x", {6});
  std::vector<float> w(6 * 4);
  for (size_t i = 0; i < w.size(); ++i) w[i] = scale * std::sin(0.7f * static_cast<float>(i));
  if (classifier) {
    b.add_inner_product("fc", "x", "logits", 6, 4, w);
    b.add_softmax("sm", "logits", "probs");
    b.set_class_labels(std::vector<std::string>{"a", "b", "c", "d"}, "label", "probabilities",
                       "probs");
  } else {
    b.add_array_output("y");
    b.add_inner_product("fc", "x", "y", 6, 4, w);
  }
  return b.build();
}

std::vector<FeatureMap> random_samples(int n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  std::vector<FeatureMap> out;
  for (int i = 0; i < n; ++i) {
    std::vector<float> x(6);
    for (auto& v : x) v = dist(rng);
    out.push_back({{"x", MultiArray::from_floats({6}, x)}});
  }
  return out;
}

TEST(CompareModels, SameModelIsIdentical) {
  const Model a = Model::from_spec(linear_model(1.f, false));
  const auto samples = random_samples(5);
  int progress_calls = 0;
  CompareOptions o;
  o.progress = [&](int64_t done, int64_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 5);
    EXPECT_EQ(done, progress_calls);
  };
  const CompareReport r = compare_models(a, a, samples, o);
  EXPECT_EQ(r.samples, 5);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].name, "y");
  EXPECT_EQ(r.outputs[0].kind, "array");
  ASSERT_TRUE(r.outputs[0].values);
  EXPECT_TRUE(r.outputs[0].values->identical());
  EXPECT_EQ(r.outputs[0].values->snr_db, kInf);
  EXPECT_EQ(r.outputs[0].values->count, 20);
  EXPECT_FALSE(r.outputs[0].classes);
  EXPECT_EQ(progress_calls, 5);
}

TEST(CompareModels, ScaledCopyHasTheKnownSnr) {
  const Model a = Model::from_spec(linear_model(1.f, false));
  const Model b = Model::from_spec(linear_model(1.05f, false));
  const CompareReport r = compare_models(a, b, random_samples(20), {});
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_NEAR(r.outputs[0].values->snr_db, -20 * std::log10(0.05), 1e-3);  // 26.02 dB
}

TEST(CompareModels, ClassifierOutputs) {
  const Model a = Model::from_spec(linear_model(1.f, true));
  const Model same = Model::from_spec(linear_model(1.f, true));
  const Model flipped = Model::from_spec(linear_model(-1.f, true));  // reverses every ranking
  const auto samples = random_samples(10);
  CompareReport r = compare_models(a, same, samples, {});
  ASSERT_EQ(r.outputs.size(), 2u);  // label, probabilities (map order)
  EXPECT_EQ(r.outputs[0].name, "label");
  EXPECT_EQ(r.outputs[0].kind, "label");
  EXPECT_EQ(r.outputs[0].classes->top1_agreement, 1.0);
  EXPECT_EQ(r.outputs[1].kind, "probabilities");
  EXPECT_EQ(r.outputs[1].classes->top1_agreement, 1.0);
  EXPECT_EQ(r.outputs[1].classes->k, 4);
  EXPECT_EQ(r.outputs[1].classes->topk_overlap, 1.0);
  EXPECT_TRUE(r.outputs[1].values->identical());

  CompareOptions o;
  o.top_k = 2;
  o.outputs = {"probabilities"};
  r = compare_models(a, flipped, samples, o);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].classes->top1_agreement, 0.0);
  EXPECT_EQ(r.outputs[0].classes->k, 2);
  EXPECT_EQ(r.outputs[0].classes->topk_overlap, 0.0);  // top-2 vs bottom-2 of 4
}

TEST(CompareModels, SamplesReadOneAtATime) {
  // A source loads each sample once, in order, when its turn comes; the
  // result equals comparing the same samples held in memory, and a load
  // error comes through unchanged.
  const Model a = Model::from_spec(linear_model(1.f, false));
  const Model b = Model::from_spec(linear_model(1.05f, false));
  const auto samples = random_samples(7);
  std::vector<int64_t> loaded;
  SampleSource source;
  source.count = 7;
  source.load = [&](int64_t i) {
    loaded.push_back(i);
    return samples[static_cast<size_t>(i)];
  };
  const CompareReport lazy = compare_models(a, b, source, {});
  EXPECT_EQ(loaded, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  const CompareReport eager = compare_models(a, b, samples, {});
  EXPECT_EQ(lazy.samples, 7);
  EXPECT_EQ(lazy.outputs.at(0).values->snr_db, eager.outputs.at(0).values->snr_db);

  source.load = [&](int64_t i) -> FeatureMap {
    if (i == 3) throw Error(ErrorCode::kIo, "cannot read 'd.npy'");
    return samples[static_cast<size_t>(i)];
  };
  try {
    compare_models(a, b, source, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_STREQ(e.what(), "cannot read 'd.npy'");
  }
}

TEST(CompareModels, Errors) {
  const Model a = Model::from_spec(linear_model(1.f, false));
  const Model c = Model::from_spec(linear_model(1.f, true));
  EXPECT_THROW(compare_models(a, a, std::vector<FeatureMap>{}, {}), Error);
  EXPECT_THROW(compare_models(a, a, SampleSource{}, {}), Error);
  try {
    compare_models(a, c, random_samples(1), {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no output in common"), std::string::npos) << e.what();
  }
  CompareOptions o;
  o.outputs = {"z"};
  try {
    compare_models(a, a, random_samples(1), o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "'z' is not an output of the reference model; its outputs are y"),
              std::string::npos)
        << e.what();
  }
  std::vector<FeatureMap> bad = {{{"x", MultiArray::from_floats({5}, std::vector<float>(5))}}};
  o.outputs.clear();
  o.sample_names = {"bad.npy"};
  try {
    compare_models(a, a, bad, o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("sample 'bad.npy', reference model: input 'x'"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompareModels, QuantizedFilesAgreeWithTheirTwins) {
  // Each of coremltools' quantized files computes the same function as its
  // dequantized twin (SNR far beyond quantization noise), and drifts from
  // the float model by what quantization costs.
  const auto dir = testdata_dir() / "coreml" / "quantized";
  const Model base = Model::load(testdata_dir() / "coreml" / "torch" / "squeezenet1_1.mlmodel");
  const std::vector<FeatureMap> samples = {
      {{"input", io::read_npy(testdata_dir() / "coreml" / "torch" / "squeezenet1_1.input.npy")}}};
  for (const char* name : {"squeezenet1_1_q8_linear", "squeezenet1_1_q8_linear_symmetric",
                           "squeezenet1_1_q6_linear_lut", "squeezenet1_1_q4_kmeans",
                           "squeezenet1_1_q2_kmeans", "squeezenet1_1_fp16"}) {
    SCOPED_TRACE(name);
    const Model q = Model::load(dir / (std::string(name) + ".mlmodel"));
    const Model twin = Model::load(dir / (std::string(name) + "_dequantized.mlmodel"));
    const CompareReport same = compare_models(twin, q, samples, {});
    ASSERT_EQ(same.outputs.size(), 1u);
    EXPECT_GT(same.outputs[0].values->snr_db, 100);
    const double drift = compare_models(base, q, samples, {}).outputs.at(0).values->snr_db;
    std::cout << "[ info ] " << name << ": SNR vs the float model " << drift << " dB\n";
    EXPECT_LT(drift, 100);
    EXPECT_GT(drift, 0);
  }
}

}  // namespace
}  // namespace morel::test
