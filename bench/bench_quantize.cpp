// Quantization speed: 1-D k-means on one 25M-value tensor, and whole models
// of 25M weights (50 inner products of 707 x 707) at 8-bit k-means LUT and
// 8-bit linear, on one thread and on every core.
//
//   build/bin/bench_quantize --benchmark_filter=.
#include <benchmark/benchmark.h>

#include <random>
#include <thread>

#include "morel/quantize.h"
#include "morel/spec.h"
#include "morel/weights.h"
#include "tools/kmeans_1d.h"

namespace {

constexpr int64_t kWeights = 25'000'000;

std::vector<float> random_weights(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, 0.05f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

const morel::Spec& big_model() {
  static const morel::Spec spec = [] {
    morel::Spec s;
    s.set_specificationversion(4);
    auto* net = s.mutable_neuralnetwork();
    const int layers = 50, side = 707;  // 50 * 707^2 = 24.99M weights
    for (int l = 0; l < layers; ++l) {
      auto* layer = net->add_layers();
      layer->set_name("fc" + std::to_string(l));
      auto* ip = layer->mutable_innerproduct();
      ip->set_inputchannels(side);
      ip->set_outputchannels(side);
      morel::set_float_weights(*ip->mutable_weights(),
                               random_weights(int64_t(side) * side, static_cast<uint32_t>(l)));
    }
    return s;
  }();
  return spec;
}

void BM_KMeans1D_25M(benchmark::State& state) {
  const std::vector<float> v = random_weights(kWeights, 1);
  const int k = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto km = morel::tools::kmeans_1d(v, k);
    benchmark::DoNotOptimize(km.sse);
  }
  state.SetItemsProcessed(state.iterations() * kWeights);
}
BENCHMARK(BM_KMeans1D_25M)->Arg(256)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_QuantizeModel_25M(benchmark::State& state) {
  morel::QuantizeOptions o;
  o.mode = static_cast<morel::QuantizationMode>(state.range(0));
  o.bits = 8;
  o.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    morel::Spec spec = big_model();
    state.ResumeTiming();
    auto report = morel::quantize(spec, o);
    benchmark::DoNotOptimize(report.size_after_bytes);
  }
  state.SetItemsProcessed(state.iterations() * kWeights);
}
BENCHMARK(BM_QuantizeModel_25M)
    ->ArgNames({"mode", "threads"})
    ->Args({static_cast<int>(morel::QuantizationMode::kKMeans), 1})
    ->Args({static_cast<int>(morel::QuantizationMode::kKMeans), 0})
    ->Args({static_cast<int>(morel::QuantizationMode::kLinear), 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
