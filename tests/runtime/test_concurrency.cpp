// Concurrent predictions on one Model: many threads, the same and different
// input shapes of a flexible-shape network, results equal to single-threaded
// ones; and the same through custom layers, including one that declares
// itself not thread-safe. `make test-tsan` runs this program under
// ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "morel/builder.h"
#include "morel/custom_layer.h"
#include "morel/model.h"

namespace morel::test {
namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 40;

MultiArray random_array(const std::vector<int64_t>& shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  MultiArray a(DType::kFloat32, shape);
  for (int64_t i = 0; i < a.count(); ++i) a.data<float>()[i] = dist(gen);
  return a;
}

std::vector<float> output(const FeatureMap& out, const char* name = "y") {
  return std::get<MultiArray>(out.at(name)).to_floats();
}

// Runs body(thread, round) on kThreads threads at once.
template <class Body>
void in_parallel(Body body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int r = 0; r < kRounds; ++r) body(t, r);
    });
  go = true;
  for (auto& th : threads) th.join();
}

// x [2, H, W] (H, W in 4..32) -> conv 3x3 same (4 filters) -> ReLU -> softmax over channels.
Spec flexible_network() {
  ModelBuilder b;
  b.add_array_input("x", {2, 8, 8});
  b.set_shape_range("x", {{2, 2}, {4, 32}, {4, 32}});
  b.add_array_output("y");
  ConvolutionOptions conv;
  conv.kernel_channels = 2;
  conv.output_channels = 4;
  conv.kernel_h = conv.kernel_w = 3;
  conv.same_padding = true;
  std::vector<float> w(4 * 2 * 9), bias = {0.1f, -0.2f, 0.3f, 0.f};
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 37) % 11) / 10.f - 0.5f;
  b.add_convolution("conv", "x", "c", conv, w, bias);
  b.add_activation("relu", "c", "r", "RELU");
  b.add_softmax("softmax", "r", "y");
  return b.build();
}

TEST(Concurrency, FlexibleShapesFromManyThreadsMatchSingleThreadedResults) {
  ModelOptions options;
  options.threads = 2;
  Model model = Model::from_spec(flexible_network(), options);
  const std::vector<std::vector<int64_t>> shapes = {{2, 5, 7}, {2, 16, 16}, {2, 9, 4}, {2, 32, 31}};
  std::vector<FeatureMap> inputs;
  for (size_t s = 0; s < shapes.size(); ++s)
    for (unsigned k = 0; k < 3; ++k)
      inputs.push_back({{"x", random_array(shapes[s], static_cast<unsigned>(s * 10 + k))}});
  std::vector<std::vector<float>> expected;
  for (const FeatureMap& in : inputs) expected.push_back(output(model.predict(in)));

  std::atomic<int> mismatches{0}, failures{0};
  in_parallel([&](int t, int r) {
    // Threads of even index stay on one shape; the others cycle through all.
    const size_t i =
        t % 2 == 0 ? static_cast<size_t>(r % 3) : static_cast<size_t>(t * 7 + r) % inputs.size();
    try {
      if (output(model.predict(inputs[i])) != expected[i]) ++mismatches;
    } catch (...) {
      ++failures;
    }
  });
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(failures.load(), 0);
}

TEST(Concurrency, BatchesFromManyThreadsMatchSinglePredictions) {
  Model model = Model::from_spec(flexible_network());
  std::vector<FeatureMap> batch;
  for (unsigned k = 0; k < 5; ++k) batch.push_back({{"x", random_array({2, 6, 10}, 100 + k)}});
  std::vector<std::vector<float>> expected;
  for (const FeatureMap& in : batch) expected.push_back(output(model.predict(in)));
  std::atomic<int> mismatches{0};
  in_parallel([&](int, int r) {
    if (r % 4 != 0) return;  // batches are heavier; fewer of them
    std::vector<FeatureMap> out = model.predict_batch(batch);
    for (size_t i = 0; i < out.size(); ++i)
      if (output(out[i]) != expected[i]) ++mismatches;
  });
  EXPECT_EQ(mismatches.load(), 0);
}

// y = 3x - 1. Counts evaluations in flight, and stretches each one so that
// overlapping calls would be seen.
std::atomic<int> in_flight{0}, max_in_flight{0};

class Affine : public CustomLayer {
 public:
  explicit Affine(const CustomLayerSpec& s) : safe_(s.parameters.get_bool("thread_safe", true)) {}
  bool thread_safe() const override { return safe_; }
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    for (int64_t i = 0; i < in[0].count(); ++i) out[0].data[i] = 3 * in[0].data[i] - 1;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --in_flight;
  }

 private:
  bool safe_;
};

Spec custom_network(bool thread_safe) {
  register_custom_layer("ConcurrencyAffine", custom_layer_factory<Affine>());
  ModelBuilder b;
  b.add_array_input("x", {3, 4, 4});
  b.set_shape_range("x", {{3, 3}, {1, 16}, {1, 16}});
  b.add_array_output("y");
  b.add_activation("relu", "x", "r", "RELU");
  auto& p = b.add_custom("affine", {"r"}, {"y"}, "ConcurrencyAffine");
  (*p.mutable_parameters())["thread_safe"].set_boolvalue(thread_safe);
  return b.build();
}

void check_custom_layer_under_load(bool thread_safe) {
  Model model = Model::from_spec(custom_network(thread_safe));
  in_flight = 0;
  max_in_flight = 0;
  std::atomic<int> mismatches{0};
  in_parallel([&](int t, int r) {
    const int64_t h = 1 + (t + r) % 16, w = 1 + (t * 3 + r) % 16;
    MultiArray x = random_array({3, h, w}, static_cast<unsigned>(t * 1000 + r));
    std::vector<float> y = output(model.predict({{"x", x}}));
    const float* xs = x.data<float>();
    for (int64_t i = 0; i < x.count(); ++i)
      if (y[static_cast<size_t>(i)] != 3 * std::max(xs[i], 0.f) - 1) {
        ++mismatches;
        break;
      }
  });
  EXPECT_EQ(mismatches.load(), 0);
  if (!thread_safe) {
    EXPECT_EQ(max_in_flight.load(), 1) << "evaluations overlapped";
  }
}

TEST(Concurrency, ThreadSafeCustomLayerFromManyThreads) {
  check_custom_layer_under_load(true);
}

TEST(Concurrency, CustomLayerThatIsNotThreadSafeRunsOneAtATime) {
  check_custom_layer_under_load(false);
}

}  // namespace
}  // namespace morel::test
