// Properties of the reshape, transpose, concat_split and sequence ops that
// the single-layer fixtures do not show: in-place runs, the batch
// independence they report, and a larger transpose against a direct loop.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "graph/layer_registry.h"
#include "morel/error.h"

namespace morel::test {
namespace {

std::unique_ptr<graph::Op> lower(const spec::NeuralNetworkLayer& layer, bool rank5) {
  graph::LowerContext ctx;
  ctx.rank5 = rank5;
  ctx.spec_version = rank5 ? 1 : 4;
  graph::LayerLowering f = graph::builtin_layers().find(layer.layer_case());
  EXPECT_NE(f, nullptr);
  return f(layer, ctx);
}

TEST(ReshapeOps, ViewLayersRunInPlace) {
  spec::NeuralNetworkLayer layer;
  layer.mutable_reshapestatic()->add_targetshape(-1);
  layer.mutable_reshapestatic()->add_targetshape(4);
  auto op = lower(layer, false);
  ASSERT_TRUE(op->in_place());
  std::vector<float> data(24);
  std::iota(data.begin(), data.end(), 0.f);
  const std::vector<float> before = data;
  const Shape in_shape{2, 3, 4};
  std::vector<Shape> out = op->infer_shapes(std::vector<Shape>{in_shape});
  ASSERT_EQ(out[0], (Shape{6, 4}));
  std::vector<ConstTensorView> ins{ConstTensorView(data.data(), in_shape)};
  std::vector<TensorView> outs{TensorView{data.data(), out[0]}};
  op->run(graph::RunContext{}, ins, outs);
  EXPECT_EQ(data, before);
}

TEST(ReshapeOps, ChannelLastFlattenIsNotInPlace) {
  spec::NeuralNetworkLayer layer;
  layer.mutable_flatten()->set_mode(spec::FlattenLayerParams::CHANNEL_LAST);
  EXPECT_FALSE(lower(layer, true)->in_place());
  layer.mutable_flatten()->set_mode(spec::FlattenLayerParams::CHANNEL_FIRST);
  EXPECT_TRUE(lower(layer, true)->in_place());
}

TEST(ReshapeOps, BatchIndependence) {
  // Legacy layers keep Batch items apart; N-d ones do not know a batch axis.
  spec::NeuralNetworkLayer reshape;
  for (int64_t d : {2, 3, 2, 2}) reshape.mutable_reshape()->add_targetshape(d);
  EXPECT_TRUE(lower(reshape, true)->batch_independent());
  spec::NeuralNetworkLayer permute;
  for (uint64_t a : {3, 1, 2, 0}) permute.mutable_permute()->add_axis(a);
  EXPECT_TRUE(lower(permute, true)->batch_independent());
  spec::NeuralNetworkLayer concat;
  concat.mutable_concat()->set_sequenceconcat(true);
  EXPECT_TRUE(lower(concat, true)->batch_independent());
  spec::NeuralNetworkLayer repeat;
  repeat.mutable_sequencerepeat()->set_nrepetitions(2);
  EXPECT_TRUE(lower(repeat, true)->batch_independent());
  spec::NeuralNetworkLayer transpose;
  for (uint64_t a : {1, 0}) transpose.mutable_transpose()->add_axes(a);
  EXPECT_FALSE(lower(transpose, false)->batch_independent());
}

TEST(ReshapeOps, NdLayersRefusedInRank5Networks) {
  spec::NeuralNetworkLayer layer;
  layer.mutable_squeeze()->set_squeezeall(true);
  try {
    lower(layer, true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

TEST(ReshapeOps, LargeTransposeMatchesDirectLoop) {
  // [1, 16, 56, 56] -> NHWC on 3 threads, checked element by element.
  spec::NeuralNetworkLayer layer;
  for (uint64_t a : {0, 2, 3, 1}) layer.mutable_transpose()->add_axes(a);
  auto op = lower(layer, false);
  const int64_t C = 16, H = 56, W = 56;
  const Shape in_shape{1, C, H, W};
  std::vector<float> in(static_cast<size_t>(in_shape.count()));
  std::iota(in.begin(), in.end(), 0.f);
  std::vector<Shape> out_shape = op->infer_shapes(std::vector<Shape>{in_shape});
  ASSERT_EQ(out_shape[0], (Shape{1, H, W, C}));
  std::vector<float> out(in.size());
  std::vector<ConstTensorView> ins{ConstTensorView(in.data(), in_shape)};
  std::vector<TensorView> outs{TensorView{out.data(), out_shape[0]}};
  graph::RunContext rc;
  rc.threads = 3;
  op->run(rc, ins, outs);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        ASSERT_EQ(out[static_cast<size_t>((h * W + w) * C + c)],
                  in[static_cast<size_t>((c * H + h) * W + w)]);
}

}  // namespace
}  // namespace morel::test
