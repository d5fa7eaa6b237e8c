// The benchmark library: inputs equal to the peer benchmark's, quantiles as
// it takes them, and a run over a real model.
#include <gtest/gtest.h>

#include "morel/benchmark.h"
#include "morel/builder.h"
#include "morel/error.h"
#include "support/paths.h"

namespace morel::test {
namespace {

TEST(RandomInputs, AreTheSequenceOrtBenchFeeds) {
  // Values computed by node running ort_bench.js's generator
  // (../shared/bench/ort_bench.js, makeInput) for a 1x3x224x224 input.
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("input", {1, 3, 224, 224});
  b.add_activation("r", "input", "r", "RELU");
  b.add_array_output("r");
  const FeatureMap in = random_inputs(b.build().description());
  const MultiArray& a = std::get<MultiArray>(in.at("input"));
  ASSERT_EQ(a.count(), 150528);
  const float* v = a.data<float>();
  const float first[] = {0.155154049f, -0.195185661f, 0.132483482f,
                         0.495881081f, 0.179461479f,  0.173123360f};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(v[i], first[i]) << "element " << i;
  EXPECT_FLOAT_EQ(v[150527], 0.435595155f);
}

TEST(RandomInputs, ImagesAndFlexibleShapesGetTheirDefaultSize) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_image_input("image", 20, 10);
  b.add_array_input("v", {1, 5});
  b.set_shape_range("v", {{1, 1}, {3, 8}});
  b.add_activation("r", "v", "r", "RELU");
  b.add_array_output("r");
  const FeatureMap in = random_inputs(b.build().description());
  const Image& im = std::get<Image>(in.at("image"));
  EXPECT_EQ(im.width, 20);
  EXPECT_EQ(im.height, 10);
  EXPECT_EQ(std::get<MultiArray>(in.at("v")).shape(), (std::vector<int64_t>{1, 3}));
}

TEST(Quantile, TakesTheSortedElementAtFloorQN) {
  EXPECT_EQ(quantile({5, 1, 4, 2, 3}, 0.5), 3);
  EXPECT_EQ(quantile({4, 1, 3, 2}, 0.5), 3);  // the upper median, as ort_bench.js
  EXPECT_EQ(quantile({4, 1, 3, 2}, 0.9), 4);
  EXPECT_EQ(quantile({}, 0.5), 0);
}

TEST(BenchmarkModel, RunsARealModelAndProfilesIt) {
  BenchmarkOptions o;
  o.threads = 1;
  o.iterations = 3;
  o.warmup = 1;
  o.profile = true;
  int calls = 0;
  o.progress = [&](int done, int total) {
    ++calls;
    EXPECT_LE(done, total);
  };
  const auto path = testdata_dir() / "coreml/torch/squeezenet1_1.mlmodel";
  const BenchmarkResult r = benchmark_model(path, o);
  EXPECT_EQ(calls, 1 + 1 + 3 + 3);
  EXPECT_EQ(r.threads, 1);
  EXPECT_EQ(r.runs, 3);
  EXPECT_GT(r.load_ms, 0);
  EXPECT_GT(r.first_prediction_ms, 0);
  EXPECT_LE(r.min_ms, r.median_ms);
  EXPECT_LE(r.median_ms, r.p90_ms);
  EXPECT_GT(r.peak_rss_bytes, 1 << 20);
  ASSERT_FALSE(r.layers.empty());
  int convolutions = 0;
  for (const LayerTiming& l : r.layers) {
    EXPECT_GE(l.seconds, 0);
    convolutions += l.kind.rfind("convolution", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(convolutions, 26);  // squeezenet1_1's convolutions, each with its ReLU fused
}

TEST(BenchmarkModel, BadArgumentsAndFilesFailClearly) {
  BenchmarkOptions o;
  o.iterations = 0;
  EXPECT_THROW(benchmark_model(testdata_dir() / "coreml/torch/relu.mlmodel", o), Error);
  try {
    benchmark_model("/nonexistent/model.mlmodel");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.mlmodel"), std::string::npos);
  }
}

}  // namespace
}  // namespace morel::test
