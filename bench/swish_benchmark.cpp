// Swish on a 1x64x128x128 activation (a mid-network feature map): the naive
// per-element loop against the vectorized kernel the layers run, the layer's
// evaluate_cpu, and a whole prediction of a one-layer model through the
// runtime. Single-threaded throughout.
//
//   build/bin/bench_swish --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "morel/builder.h"
#include "morel/model.h"
#include "swish.h"
#include "swish_kernels.h"

namespace {

constexpr int64_t kC = 64, kH = 128, kW = 128, kCount = kC * kH * kW;

std::vector<float> activation() {
  std::mt19937 gen(1);
  std::normal_distribution<float> dist(0.f, 2.f);
  std::vector<float> v(kCount);
  for (float& x : v) x = dist(gen);
  return v;
}

void report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * kCount);
  state.SetBytesProcessed(state.iterations() * kCount * 2 * int64_t(sizeof(float)));
}

void BM_SwishNaiveLoop(benchmark::State& state) {
  const std::vector<float> x = activation();
  std::vector<float> y(x.size());
  for (auto _ : state) {
    swish::swish_naive(x.data(), y.data(), kCount, 1.f);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  report(state);
}
BENCHMARK(BM_SwishNaiveLoop)->Unit(benchmark::kMillisecond);

void BM_SwishVectorized(benchmark::State& state) {
  const std::vector<float> x = activation();
  std::vector<float> y(x.size());
  for (auto _ : state) {
    swish::swish_vectorized(x.data(), y.data(), kCount, 1.f);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  report(state);
}
BENCHMARK(BM_SwishVectorized)->Unit(benchmark::kMillisecond);

morel::CustomLayerSpec spec_for(const char* class_name) {
  morel::CustomLayerSpec spec;
  spec.layer_name = "swish";
  spec.class_name = class_name;
  return spec;
}

void BM_SwishLayerEvaluate(benchmark::State& state) {
  const std::vector<float> x = activation();
  std::vector<float> y(x.size());
  const morel::Shape shape{1, 1, kC, kH, kW};
  std::unique_ptr<morel::CustomLayer> layer = std::make_unique<swish::Swish>(spec_for("Swish"));
  const morel::ConstTensorView in(x.data(), shape);
  const morel::TensorView out{y.data(), shape};
  for (auto _ : state) {
    layer->evaluate_cpu({&in, 1}, {&out, 1});
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  report(state);
}
BENCHMARK(BM_SwishLayerEvaluate)->Unit(benchmark::kMillisecond);

void BM_LearnableSwishLayerEvaluate(benchmark::State& state) {
  const std::vector<float> x = activation();
  std::vector<float> y(x.size());
  const morel::Shape shape{1, 1, kC, kH, kW};
  swish::LearnableSwish layer(spec_for("LearnableSwish"));
  morel::Weight betas;
  betas.storage = morel::WeightStorage::kFloat32;
  for (int64_t c = 0; c < kC; ++c) betas.values.push_back(0.5f + 0.01f * static_cast<float>(c));
  layer.set_weights({&betas, 1});
  const morel::ConstTensorView in(x.data(), shape);
  const morel::TensorView out{y.data(), shape};
  for (auto _ : state) {
    layer.evaluate_cpu({&in, 1}, {&out, 1});
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  report(state);
}
BENCHMARK(BM_LearnableSwishLayerEvaluate)->Unit(benchmark::kMillisecond);

// Input copy-in, the planned run, and the output copy-out of a Model whose
// only layer is Swish.
void BM_SwishModelPredict(benchmark::State& state) {
  morel::register_custom_layer("Swish", morel::custom_layer_factory<swish::Swish>());
  morel::ModelBuilder b;
  b.add_array_input("x", {kC, kH, kW});
  b.add_array_output("y", {kC, kH, kW});
  b.add_custom("swish", {"x"}, {"y"}, "Swish");
  morel::ModelOptions options;
  options.threads = 1;
  morel::Model model = morel::Model::from_spec(b.build(), options);
  const std::vector<float> x = activation();
  morel::FeatureMap in = {{"x", morel::MultiArray::from_floats({kC, kH, kW}, x)}};
  for (auto _ : state) benchmark::DoNotOptimize(model.predict(in));
  report(state);
}
BENCHMARK(BM_SwishModelPredict)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
