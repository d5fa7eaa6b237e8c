// ModelOptions::threads is honoured exactly: the OpenMP team every kernel of
// a prediction runs on (oneDNN's included, which takes OpenMP's default) has
// that many threads, and no other pool is started.
#include <gtest/gtest.h>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <atomic>
#include <fstream>
#include <string>

#include "morel/builder.h"
#include "morel/custom_layer.h"
#include "morel/model.h"

namespace morel::test {
namespace {

// Records, when evaluated, the team size a parallel region gets by default
// (what oneDNN would use) and passes its input through.
std::atomic<int> g_default_team{0};

class TeamProbe : public CustomLayer {
 public:
  explicit TeamProbe(const CustomLayerSpec&) {}
  std::vector<Shape> output_shapes(std::span<const Shape> inputs) const override {
    return {inputs[0]};
  }
  void evaluate_cpu(std::span<const ConstTensorView> inputs,
                    std::span<const TensorView> outputs) const override {
    int team = 1;
#if defined(_OPENMP)
#pragma omp parallel
    {
#pragma omp single
      team = omp_get_num_threads();
    }
#endif
    g_default_team = team;
    std::copy(inputs[0].data, inputs[0].data + inputs[0].count(), outputs[0].data);
  }
};

MOREL_REGISTER_CUSTOM_LAYER("TeamProbe", TeamProbe);

// OS threads of this process.
int process_threads() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "Threads:") {
      int n = 0;
      status >> n;
      return n;
    }
    std::getline(status, key);
  }
  return -1;
}

Spec conv_probe_conv() {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 8, 32, 32});
  ConvolutionOptions o;
  o.kernel_channels = 8;
  o.output_channels = 8;
  o.kernel_h = o.kernel_w = 3;
  o.same_padding = true;
  const std::vector<float> w(8 * 8 * 9, 0.01f);
  b.add_convolution("c1", "x", "c1", o, w);
  b.add_custom("probe", {"c1"}, {"p"}, "TeamProbe");
  b.add_convolution("c2", "p", "c2", o, w);
  b.add_array_output("c2");
  return b.build();
}

FeatureMap input() {
  FeatureMap in;
  in.emplace("x", MultiArray(DType::kFloat32, {1, 8, 32, 32}));
  return in;
}

// Runs first in this process: with one thread, predictions start no thread.
TEST(Threads, OneThreadStartsNoOtherThread) {
  ModelOptions o;
  o.threads = 1;
  const Model m = Model::from_spec(conv_probe_conv(), o);
  const int before = process_threads();
  for (int i = 0; i < 3; ++i) m.predict(input());
  EXPECT_EQ(g_default_team.load(), 1);
  EXPECT_EQ(process_threads(), before);
}

TEST(Threads, TheTeamHasExactlyTheThreadsAskedFor) {
  for (int threads : {3, 2, 1, 4}) {
    ModelOptions o;
    o.threads = threads;
    const Model m = Model::from_spec(conv_probe_conv(), o);
    m.predict(input());
    EXPECT_EQ(g_default_team.load(), threads) << threads << " threads asked for";
    // The only pool is OpenMP's: this thread plus the workers of the largest
    // team so far (4 threads: 3 workers).
    EXPECT_LE(process_threads(), 4) << "an unexpected thread pool";
  }
}

// Two models with different thread counts predicting in turn on one thread
// each get their own count (it is set per prediction, not once per process).
TEST(Threads, EachModelKeepsItsOwnCount) {
  ModelOptions one, three;
  one.threads = 1;
  three.threads = 3;
  const Model a = Model::from_spec(conv_probe_conv(), one);
  const Model b = Model::from_spec(conv_probe_conv(), three);
  for (int i = 0; i < 2; ++i) {
    a.predict(input());
    EXPECT_EQ(g_default_team.load(), 1);
    b.predict(input());
    EXPECT_EQ(g_default_team.load(), 3);
  }
}

// Ops with small outputs (a squeeze-and-excitation branch after global
// pooling) run on one thread; the threads option still holds for the rest.
TEST(Threads, SmallOpsRunOnOneThread) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("x", {1, 8, 32, 32});
  b.add_pooling("pool", "x", "pool", "AVERAGE", 1, 1, 1, 1, true, true);  // [1, 8, 1, 1]
  b.add_custom("probe", {"pool"}, {"p"}, "TeamProbe");
  b.add_array_output("p");
  ModelOptions o;
  o.threads = 3;
  const Model m = Model::from_spec(b.build(), o);
  m.predict(input());
  EXPECT_EQ(g_default_team.load(), 1);
  // And back to three for the large ops of the next model.
  const Model big = Model::from_spec(conv_probe_conv(), o);
  big.predict(input());
  EXPECT_EQ(g_default_team.load(), 3);
}

}  // namespace
}  // namespace morel::test
