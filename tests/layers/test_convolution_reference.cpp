// Checks of the reference convolution kernels and the convolution / pooling
// lowerings that the single-layer fixtures do not make:
// * deconvolution is the adjoint (transpose) of convolution for the same
//   geometry, over many random 2-D and 3-D geometries;
// * hostile shapes and parameters fail with morel::Error instead of
//   overflowing.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "graph/layer_registry.h"
#include "kernels/reference/convolution.h"
#include "morel/error.h"

namespace morel::test {
namespace {

namespace ref = kernels::reference;

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

TEST(ConvolutionReference, DeconvolutionIsTheAdjointOfConvolution) {
  std::mt19937 gen(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  std::normal_distribution<float> normal;
  for (int trial = 0; trial < 200; ++trial) {
    const bool three_d = trial % 4 == 0;
    ref::ConvParams p;
    p.groups = pick(1, 3);
    p.in_channels = p.groups * pick(1, 2);
    p.out_channels = p.groups * pick(1, 2);
    for (int a = three_d ? 0 : 1; a < 3; ++a) {
      p.kernel[a] = pick(1, 3);
      p.stride[a] = pick(1, 3);
      p.dilation[a] = pick(1, 2);
      p.pad_before[a] = pick(0, 2);
      p.in_size[a] = pick(1, 6);
      // Any output size works for the adjoint identity, including sizes
      // whose windows leave the input on either side.
      p.out_size[a] = pick(1, 6);
    }
    const int64_t items = pick(1, 2);
    auto volume = [](const std::array<int64_t, 3>& s) { return s[0] * s[1] * s[2]; };
    const int64_t taps = volume(p.kernel);
    std::vector<float> x(items * p.in_channels * volume(p.in_size));
    std::vector<float> y(items * p.out_channels * volume(p.out_size));
    std::vector<float> w(p.out_channels * (p.in_channels / p.groups) * taps);
    for (float& v : x) v = normal(gen);
    for (float& v : y) v = normal(gen);
    for (float& v : w) v = normal(gen);

    std::vector<float> conv_x(y.size());
    ref::convolution(p, items, x.data(), w.data(), nullptr, conv_x.data(), 1);

    // The transpose maps the output space back to the input space with the
    // same geometry; [Cout, Cin / groups, k...] convolution weights are
    // exactly deconvolution weights [in = Cout, out / groups = Cin / groups, k...].
    ref::ConvParams t = p;
    std::swap(t.in_channels, t.out_channels);
    std::swap(t.in_size, t.out_size);
    std::vector<float> deconv_y(x.size());
    ref::deconvolution(t, items, y.data(), w.data(), nullptr, deconv_y.data(), 2);

    const double lhs = dot(conv_x, y), rhs = dot(x, deconv_y);
    EXPECT_NEAR(lhs, rhs, 1e-4 * (1 + std::abs(lhs))) << "trial " << trial;
  }
}

std::unique_ptr<graph::Op> lower(const spec::NeuralNetworkLayer& layer, bool rank5 = false) {
  graph::LowerContext ctx;
  ctx.rank5 = rank5;
  ctx.spec_version = rank5 ? 1 : 4;
  return graph::builtin_layers().find(layer.layer_case())(layer, ctx);
}

TEST(ConvolutionReference, HugeShapesFailCleanly) {
  spec::NeuralNetworkLayer layer;
  layer.add_input(std::string("x"));
  layer.add_output(std::string("y"));
  auto* c = layer.mutable_convolution();
  c->set_outputchannels(1);
  c->set_kernelchannels(1);
  c->add_kernelsize(1);
  c->add_kernelsize(1);
  c->add_stride(int64_t(1) << 30);
  c->add_stride(int64_t(1) << 30);
  c->set_isdeconvolution(true);
  c->mutable_weights()->add_floatvalue(1.f);
  auto op = lower(layer);
  const Shape huge{1, 1, int64_t(1) << 40, 1};
  EXPECT_THROW(op->infer_shapes(std::span<const Shape>(&huge, 1)), Error);
  const Shape wide{1, 1, int64_t(1) << 31, int64_t(1) << 31};
  EXPECT_THROW(op->infer_shapes(std::span<const Shape>(&wide, 1)), Error);
}

TEST(ConvolutionReference, WeightCountOverflowFailsCleanly) {
  spec::NeuralNetworkLayer layer;
  layer.add_input(std::string("x"));
  layer.add_output(std::string("y"));
  auto* c = layer.mutable_convolution();
  c->set_outputchannels(uint64_t(1) << 30);
  c->set_kernelchannels(uint64_t(1) << 30);
  c->add_kernelsize(uint64_t(1) << 30);
  c->add_kernelsize(uint64_t(1) << 30);
  try {
    lower(layer);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

TEST(PoolingLowering, HugePaddingFailsCleanly) {
  spec::NeuralNetworkLayer layer;
  layer.add_input(std::string("x"));
  layer.add_output(std::string("y"));
  auto* p = layer.mutable_pooling();
  p->add_kernelsize(2);
  p->add_kernelsize(2);
  for (int i = 0; i < 2; ++i) {
    auto* b = p->mutable_valid()->mutable_paddingamounts()->add_borderamounts();
    b->set_startedgesize(uint64_t(1) << 63);
    b->set_endedgesize(1);
  }
  EXPECT_THROW(lower(layer), Error);
}

}  // namespace
}  // namespace morel::test
