// The optimized CPU kernels against the reference kernels, on random layer
// parameters and shapes: every case runs each layer twice, through the
// reference kernel and through the kernel prepare() builds (oneDNN), on one
// thread and on several, and the results must agree. Cases oneDNN declines
// fall back to the reference kernel; the tests also check that the common
// ones do get an optimized kernel, so that this file cannot pass vacuously.
#include <gtest/gtest.h>

#include <random>

#include "graph/layer_registry.h"
#include "kernels/available.h"
#include "morel/error.h"
#include "support/compare.h"
#include "support/run_layer.h"

namespace morel::test {
namespace {

using Rng = std::mt19937;

int64_t pick(Rng& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
bool coin(Rng& rng) {
  return pick(rng, 0, 1) == 1;
}

void fill(spec::WeightParams* w, int64_t n, Rng& rng) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (int64_t i = 0; i < n; ++i) w->add_floatvalue(d(rng));
}

MultiArray random_array(std::vector<int64_t> shape, Rng& rng) {
  MultiArray a(DType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (int64_t i = 0; i < a.count(); ++i) a.data<float>()[i] = d(rng);
  return a;
}

// True when the op gets an optimized kernel for these inputs.
bool prepared(const spec::NeuralNetworkLayer& layer, const std::vector<MultiArray>& inputs,
              const graph::LowerContext& ctx) {
  std::unique_ptr<graph::Op> op = graph::builtin_layers().find(layer.layer_case())(layer, ctx);
  std::vector<Shape> shapes;
  for (const MultiArray& a : inputs) shapes.emplace_back(std::span<const int64_t>(a.shape()));
  const std::vector<Shape> out = op->infer_shapes(shapes);
  return op->prepare(shapes, out, graph::PrepareContext{1}) != nullptr;
}

struct Case {
  spec::NeuralNetworkLayer layer;
  std::vector<MultiArray> inputs;
  graph::LowerContext ctx;
  std::string what;
};

// Runs a case both ways; returns whether the optimized kernel was used, or
// nullopt when the layer refuses these shapes (both ways alike).
std::optional<bool> check(const Case& c) {
  LayerRun ref;
  try {
    ref = run_layer(c.layer, c.inputs, c.ctx, true, 1);
  } catch (const Error&) {
    EXPECT_THROW(run_layer(c.layer, c.inputs, c.ctx, false, 2), Error) << c.what;
    return std::nullopt;
  }
  for (int threads : {1, 3}) {
    LayerRun opt = run_layer(c.layer, c.inputs, c.ctx, false, threads);
    EXPECT_EQ(opt.shapes, ref.shapes) << c.what;
    for (size_t k = 0; k < ref.values.size(); ++k)
      EXPECT_TRUE(all_close(opt.values[k], ref.values[k], {1e-4, 1e-4}))
          << c.what << ", " << threads << " threads, output " << k;
  }
  return prepared(c.layer, c.inputs, c.ctx);
}

Case random_convolution(Rng& rng, bool deconvolution) {
  Case c;
  c.ctx.rank5 = coin(rng);
  c.ctx.spec_version = c.ctx.rank5 ? 1 : 4;
  const int64_t kind = pick(rng, 0, 3);  // plain, grouped, depthwise, wide
  int64_t groups = kind == 1 ? pick(rng, 2, 4) : 1;
  int64_t in_pg = pick(rng, 1, 5), out_pg = pick(rng, 1, 5);
  if (kind == 2) groups = pick(rng, 2, 24), in_pg = 1, out_pg = coin(rng) ? 1 : 2;
  if (kind == 3) in_pg = pick(rng, 16, 40), out_pg = pick(rng, 16, 40);
  const int64_t kh = pick(rng, 1, 5), kw = pick(rng, 1, 5);
  const int64_t sh = pick(rng, 1, 3), sw = pick(rng, 1, 3);
  const int64_t dh = deconvolution ? 1 : pick(rng, 1, 2), dw = deconvolution ? 1 : pick(rng, 1, 2);
  const int64_t h = (kh - 1) * dh + 1 + pick(rng, 0, 9), w = (kw - 1) * dw + 1 + pick(rng, 0, 9);

  auto* p = c.layer.mutable_convolution();
  c.layer.set_name("conv");
  c.layer.add_input("x");  // layers check their input count
  c.layer.add_output("y");
  p->set_isdeconvolution(deconvolution);
  p->set_ngroups(static_cast<uint64_t>(groups));
  p->set_outputchannels(static_cast<uint64_t>(groups * out_pg));
  p->set_kernelchannels(static_cast<uint64_t>(deconvolution ? groups * in_pg : in_pg));
  for (int64_t v : {kh, kw}) p->add_kernelsize(static_cast<uint64_t>(v));
  for (int64_t v : {sh, sw}) p->add_stride(static_cast<uint64_t>(v));
  for (int64_t v : {dh, dw}) p->add_dilationfactor(static_cast<uint64_t>(v));
  if (coin(rng)) {
    p->mutable_same()->set_asymmetrymode(coin(rng) ? spec::SamePadding::BOTTOM_RIGHT_HEAVY
                                                   : spec::SamePadding::TOP_LEFT_HEAVY);
  } else {
    auto* amounts = p->mutable_valid()->mutable_paddingamounts();
    for (int a = 0; a < 2; ++a) {
      auto* b = amounts->add_borderamounts();
      b->set_startedgesize(static_cast<uint64_t>(pick(rng, 0, 2)));
      b->set_endedgesize(static_cast<uint64_t>(pick(rng, 0, 2)));
    }
  }
  if (deconvolution && coin(rng)) {  // an explicit output size, up to the full one
    p->add_outputshape(static_cast<uint64_t>((h - 1) * sh + kh - pick(rng, 0, 1)));
    p->add_outputshape(static_cast<uint64_t>((w - 1) * sw + kw - pick(rng, 0, 1)));
  }
  fill(p->mutable_weights(), groups * in_pg * out_pg * kh * kw, rng);
  p->set_hasbias(coin(rng));
  if (p->hasbias()) fill(p->mutable_bias(), groups * out_pg, rng);

  const int64_t n = pick(rng, 1, 2), channels = groups * in_pg;
  std::vector<int64_t> shape = {n, channels, h, w};
  if (c.ctx.rank5) shape = {1, n, channels, h, w};
  c.inputs.push_back(random_array(shape, rng));
  c.what = (deconvolution ? "deconvolution " : "convolution ") +
           p->ShortDebugString().substr(0, 200) + " on " +
           Shape(std::span<const int64_t>(shape)).str();
  return c;
}

Case random_pooling(Rng& rng) {
  Case c;
  c.ctx.rank5 = coin(rng);
  c.ctx.spec_version = c.ctx.rank5 ? 1 : 4;
  c.layer.set_name("pool");
  c.layer.add_input("x");  // layers check their input count
  c.layer.add_output("y");
  auto* p = c.layer.mutable_pooling();
  const int64_t type = pick(rng, 0, 4);  // max and average twice as often as L2
  p->set_type(type < 2   ? spec::PoolingLayerParams::MAX
              : type < 4 ? spec::PoolingLayerParams::AVERAGE
                         : spec::PoolingLayerParams::L2);
  const int64_t kh = pick(rng, 1, 4), kw = pick(rng, 1, 4);
  p->add_kernelsize(static_cast<uint64_t>(kh));
  p->add_kernelsize(static_cast<uint64_t>(kw));
  p->add_stride(static_cast<uint64_t>(pick(rng, 1, 3)));
  p->add_stride(static_cast<uint64_t>(pick(rng, 1, 3)));
  p->set_avgpoolexcludepadding(coin(rng));
  p->set_globalpooling(pick(rng, 0, 5) == 0);
  switch (pick(rng, 0, 2)) {
    case 0:
      p->mutable_same()->set_asymmetrymode(coin(rng) ? spec::SamePadding::BOTTOM_RIGHT_HEAVY
                                                     : spec::SamePadding::TOP_LEFT_HEAVY);
      break;
    case 1: {
      auto* amounts = p->mutable_valid()->mutable_paddingamounts();
      for (int a = 0; a < 2; ++a) {
        auto* b = amounts->add_borderamounts();
        b->set_startedgesize(static_cast<uint64_t>(pick(rng, 0, 1)));
        b->set_endedgesize(static_cast<uint64_t>(pick(rng, 0, 1)));
      }
      break;
    }
    default: {
      auto* last = p->mutable_includelastpixel();
      last->add_paddingamounts(static_cast<uint64_t>(pick(rng, 0, 1)));
      last->add_paddingamounts(static_cast<uint64_t>(pick(rng, 0, 1)));
    }
  }
  const int64_t n = pick(rng, 1, 2), channels = pick(rng, 1, 20);
  const int64_t h = kh + pick(rng, 0, 8), w = kw + pick(rng, 0, 8);
  std::vector<int64_t> shape = {n, channels, h, w};
  if (c.ctx.rank5) shape = {1, n, channels, h, w};
  c.inputs.push_back(random_array(shape, rng));
  c.what =
      "pooling " + p->ShortDebugString() + " on " + Shape(std::span<const int64_t>(shape)).str();
  return c;
}

Case random_inner_product(Rng& rng) {
  Case c;
  c.ctx.rank5 = coin(rng);
  c.ctx.spec_version = c.ctx.rank5 ? 1 : 4;
  c.layer.set_name("fc");
  c.layer.add_input("x");  // layers check their input count
  c.layer.add_output("y");
  auto* p = c.layer.mutable_innerproduct();
  const int64_t rows = pick(rng, 1, 4), in = pick(rng, 1, 300), out = pick(rng, 1, 300);
  p->set_inputchannels(static_cast<uint64_t>(in));
  p->set_outputchannels(static_cast<uint64_t>(out));
  fill(p->mutable_weights(), in * out, rng);
  p->set_hasbias(coin(rng));
  if (p->hasbias()) fill(p->mutable_bias(), out, rng);
  std::vector<int64_t> shape = {rows, in};
  if (c.ctx.rank5) shape = {1, rows, in, 1, 1};
  c.inputs.push_back(random_array(shape, rng));
  c.what = "innerProduct " + std::to_string(in) + " -> " + std::to_string(out) + " on " +
           Shape(std::span<const int64_t>(shape)).str();
  return c;
}

// An N-d reduction over a random set of axes (often one contiguous run, the
// fast kernel's case) of a random rank-1..5 input.
Case random_reduce(Rng& rng) {
  Case c;
  c.ctx.rank5 = false;
  c.ctx.spec_version = 4;
  c.layer.set_name("reduce");
  c.layer.add_input("x");
  c.layer.add_output("y");
  const int rank = static_cast<int>(pick(rng, 1, 5));
  std::vector<int64_t> shape;
  for (int a = 0; a < rank; ++a) shape.push_back(pick(rng, 1, a == rank - 1 ? 40 : 6));
  const int first = static_cast<int>(pick(rng, 0, rank - 1));
  const int last = static_cast<int>(pick(rng, first, rank - 1));
  std::vector<int64_t> axes;
  for (int a = first; a <= last; ++a)
    if (pick(rng, 0, 5) > 0 || a == first) axes.push_back(coin(rng) ? a : a - rank);
  const bool keep = coin(rng);
  auto set = [&](auto* p) {
    for (int64_t a : axes) p->add_axes(a);
    p->set_keepdims(keep);
  };
  switch (pick(rng, 0, 4)) {
    case 0: set(c.layer.mutable_reducesum()); break;
    case 1: set(c.layer.mutable_reducemean()); break;
    case 2: set(c.layer.mutable_reducemax()); break;
    case 3: set(c.layer.mutable_reducemin()); break;
    default: set(c.layer.mutable_reducel2()); break;  // reference only
  }
  MultiArray x = random_array(shape, rng);
  if (pick(rng, 0, 9) == 0) x.data<float>()[pick(rng, 0, x.count() - 1)] = NAN;  // NaN sticks
  c.inputs.push_back(std::move(x));
  c.what = c.layer.ShortDebugString() + " on " + Shape(std::span<const int64_t>(shape)).str();
  return c;
}

// Runs `n` random cases of a kind; returns how many got an optimized kernel
// and how many ran at all.
template <class Make>
std::pair<int, int> run_cases(int n, unsigned seed, Make&& make) {
  Rng rng(seed);
  int optimized = 0, ran = 0;
  for (int i = 0; i < n; ++i) {
    const Case c = make(rng);
    SCOPED_TRACE(c.what);
    const std::optional<bool> used = check(c);
    if (!used) continue;
    ++ran;
    optimized += *used ? 1 : 0;
  }
  return {optimized, ran};
}

TEST(CpuVsReference, Convolution) {
  auto [optimized, ran] = run_cases(80, 1, [](Rng& r) { return random_convolution(r, false); });
  EXPECT_GE(ran, 60);
  if (kernels::cpu_kernels_available()) {
    EXPECT_EQ(optimized, ran);
  }
}

TEST(CpuVsReference, Deconvolution) {
  auto [optimized, ran] = run_cases(60, 2, [](Rng& r) { return random_convolution(r, true); });
  EXPECT_GE(ran, 40);
  // Output sizes beyond the full transposed output are left to the reference.
  if (kernels::cpu_kernels_available()) {
    EXPECT_GE(optimized, ran / 2);
  }
}

TEST(CpuVsReference, Pooling) {
  auto [optimized, ran] = run_cases(120, 3, random_pooling);
  EXPECT_GE(ran, 60);
  // L2 pooling and averages with a ceil-mode overhang stay on the reference.
  if (kernels::cpu_kernels_available()) {
    EXPECT_GE(optimized, ran / 2);
  }
}

TEST(CpuVsReference, Reduce) {
  auto [optimized, ran] = run_cases(150, 5, random_reduce);
  EXPECT_EQ(ran, 150);
  // Sum, mean, max and min over one contiguous run of axes are fast.
  if (kernels::cpu_kernels_available()) {
    EXPECT_GE(optimized, ran / 2);
  }
}

TEST(CpuVsReference, InnerProduct) {
  auto [optimized, ran] = run_cases(40, 4, random_inner_product);
  EXPECT_EQ(ran, 40);
  if (kernels::cpu_kernels_available()) {
    EXPECT_EQ(optimized, ran);
  }
}

}  // namespace
}  // namespace morel::test
