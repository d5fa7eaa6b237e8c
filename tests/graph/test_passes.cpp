// The optimization passes one at a time, on small lowered graphs: what they
// fuse, and what they must leave alone. (Numerical equality of whole networks
// with and without them is in tests/runtime/test_optimized_graphs.cpp.)
#include <gtest/gtest.h>

#include "graph/channel_shuffle_op.h"
#include "graph/graph.h"
#include "graph/passes/passes.h"
#include "morel/builder.h"

namespace morel::test {
namespace {

// A small N-d network over a [1, 4, 6, 6] input "x", built layer by layer.
class Builder {
 public:
  Builder() {
    b_.use_exact_shapes();
    b_.add_array_input("x", {1, 4, 6, 6});
  }
  void conv(const std::string& in, const std::string& out, int64_t in_channels = 4) {
    ConvolutionOptions o;
    o.kernel_channels = in_channels;
    o.output_channels = 4;
    o.kernel_h = o.kernel_w = 3;
    o.same_padding = true;
    b_.add_convolution(out, in, out, o, std::vector<float>(4 * in_channels * 9, 0.1f),
                       std::vector<float>(4, 0.f));
  }
  void batchnorm(const std::string& in, const std::string& out) {
    auto* p = b_.add_layer(out, {in}, {out}).mutable_batchnorm();
    p->set_channels(4);
    for (int i = 0; i < 4; ++i) {
      p->mutable_gamma()->add_floatvalue(2.f);
      p->mutable_beta()->add_floatvalue(1.f);
      p->mutable_mean()->add_floatvalue(0.f);
      p->mutable_variance()->add_floatvalue(1.f);
    }
  }
  void relu(const std::string& in, const std::string& out) {
    b_.add_activation(out, in, out, "RELU");
  }
  void sigmoid(const std::string& in, const std::string& out) {
    b_.add_activation(out, in, out, "SIGMOID");
  }
  void identity(const std::string& in, const std::string& out) {
    b_.add_activation(out, in, out, "LINEAR", {1.f, 0.f});
  }
  void add(const std::string& a, const std::string& b, const std::string& out) {
    b_.add_layer(out, {a, b}, {out}).mutable_addbroadcastable();
  }
  void multiply(const std::string& a, const std::string& b, const std::string& out) {
    b_.add_layer(out, {a, b}, {out}).mutable_multiplybroadcastable();
  }
  void maxpool(const std::string& in, const std::string& out) {
    b_.add_pooling(out, in, out, "MAX", 1, 1, 1, 1);
  }
  // reshape [1, 4, 6, 6] -> [1, 2, 2, 6, 6] -> transpose -> [1, 4, 6, 6].
  void shuffle(const std::string& in, const std::string& split, const std::string& swapped,
               const std::string& out) {
    auto* r1 = b_.add_layer(split, {in}, {split}).mutable_reshapestatic();
    for (int64_t d : {1, 2, 2, 6, 6}) r1->add_targetshape(d);
    auto* t = b_.add_layer(swapped, {split}, {swapped}).mutable_transpose();
    for (uint64_t a : {0, 2, 1, 3, 4}) t->add_axes(a);
    auto* r2 = b_.add_layer(out, {swapped}, {out}).mutable_reshapestatic();
    for (int64_t d : {1, 4, 6, 6}) r2->add_targetshape(d);
  }
  void concat(const std::vector<std::string>& in, const std::string& out) {
    b_.add_layer(out, in, {out}).mutable_concatnd()->set_axis(1);
  }
  void grouped_conv(const std::string& in, const std::string& out, int64_t in_channels) {
    ConvolutionOptions o;
    o.kernel_channels = in_channels / 2;
    o.output_channels = 4;
    o.groups = 2;
    b_.add_convolution(out, in, out, o, std::vector<float>(4 * in_channels / 2, 0.1f), {});
  }
  void flatten(const std::string& in, const std::string& out) {
    b_.add_layer(out, {in}, {out}).mutable_flattento2d()->set_axis(1);
  }

  graph::Graph lower(const std::vector<std::string>& outputs) {
    for (const auto& o : outputs) b_.add_array_output(o);
    spec_ = b_.build();
    graph::LowerContext ctx;
    ctx.rank5 = false;
    ctx.spec_version = spec_.specificationversion();
    return graph::lower_network(network_view(spec_), {"x"}, outputs, ctx);
  }

 private:
  ModelBuilder b_;
  Spec spec_;
};

std::vector<std::string> kinds(const graph::Graph& g) {
  std::vector<std::string> k;
  for (const auto& n : g.nodes) k.push_back(n.fused_kind());
  return k;
}

using Kinds = std::vector<std::string>;

TEST(FoldBatchnorm, FoldsIntoTheConvolutionBeforeIt) {
  Builder b;
  b.conv("x", "c");
  b.batchnorm("c", "bn");
  graph::Graph g = b.lower({"bn"});
  graph::fold_batchnorm(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution+batchnorm"}));
  EXPECT_EQ(g.nodes[0].outputs[0], g.outputs[0]) << "the convolution now defines the output";
}

TEST(FoldBatchnorm, LeavesAConvolutionOutputReadTwice) {
  Builder b;
  b.conv("x", "c");
  b.batchnorm("c", "bn");
  b.relu("c", "r");
  graph::Graph g = b.lower({"bn", "r"});
  graph::fold_batchnorm(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "batchnorm", "activation"}));
}

TEST(FoldBatchnorm, LeavesAConvolutionOutputThatIsAModelOutput) {
  Builder b;
  b.conv("x", "c");
  b.batchnorm("c", "bn");
  graph::Graph g = b.lower({"bn", "c"});
  graph::fold_batchnorm(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "batchnorm"}));
}

TEST(FoldBatchnorm, DoesNotFoldAfterAnActivation) {
  Builder b;
  b.conv("x", "c");
  b.relu("c", "r");
  b.batchnorm("r", "bn");
  graph::Graph g = b.lower({"bn"});
  graph::fuse_activation(g);
  graph::fold_batchnorm(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution+activation", "batchnorm"}));
}

TEST(FuseActivation, ChainsOfActivationsAllMoveIn) {
  Builder b;
  b.conv("x", "c");
  b.relu("c", "r1");
  b.sigmoid("r1", "r2");
  graph::Graph g = b.lower({"r2"});
  graph::fuse_activation(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution+activation+activation"}));
}

TEST(FuseActivation, RecognizesSwishEitherWayRound) {
  for (bool sigmoid_first : {true, false}) {
    Builder b;
    b.conv("x", "c");
    b.sigmoid("c", "s");
    if (sigmoid_first)
      b.multiply("s", "c", "y");
    else
      b.multiply("c", "s", "y");
    graph::Graph g = b.lower({"y"});
    graph::fuse_activation(g);
    EXPECT_EQ(kinds(g), (Kinds{"convolution+swish"}));
  }
}

TEST(FuseActivation, NoSwishWhenTheSigmoidIsReadElsewhere) {
  Builder b;
  b.conv("x", "c");
  b.sigmoid("c", "s");
  b.multiply("c", "s", "y");
  graph::Graph g = b.lower({"y", "s"});
  graph::fuse_activation(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "activation", "multiplyBroadcastable"}));
}

TEST(FuseAdd, TheOperandMadeLastTakesTheAdd) {
  Builder b;
  b.conv("x", "a");
  b.conv("x", "b");
  b.add("a", "b", "y");
  graph::Graph g = b.lower({"y"});
  graph::fuse_add(g);
  ASSERT_EQ(kinds(g), (Kinds{"convolution", "convolution+addBroadcastable"}));
  EXPECT_EQ(g.nodes[1].inputs.size(), 2u);
  EXPECT_EQ(g.nodes[1].inputs[1], g.nodes[0].outputs[0]) << "the other operand is an input now";
}

TEST(FuseAdd, NotWhenTheOtherOperandIsMadeLater) {
  Builder b;
  b.conv("x", "a");
  b.maxpool("x", "p");  // cannot take an add itself
  b.add("a", "p", "y");
  graph::Graph g = b.lower({"y"});
  graph::fuse_add(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "pooling", "addBroadcastable"}));
}

TEST(FuseAdd, NotAnAddOfAValueToItself) {
  Builder b;
  b.conv("x", "a");
  b.add("a", "a", "y");
  graph::Graph g = b.lower({"y"});
  graph::fuse_add(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "addBroadcastable"}));
}

TEST(RemoveNoops, DropsIdentitiesButKeepsNamedOutputs) {
  Builder b;
  b.identity("x", "i1");
  b.conv("i1", "c");
  b.identity("c", "i2");
  graph::Graph g = b.lower({"i2"});
  graph::remove_noops(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "activation"}));
  EXPECT_EQ(g.nodes[0].inputs[0], g.inputs[0]) << "the convolution reads the input directly";
}

TEST(FuseChannelShuffle, ReshapeTransposeReshapeBecomesOneOp) {
  Builder b;
  b.conv("x", "c");
  b.shuffle("c", "split", "swapped", "s");
  b.relu("s", "r");
  graph::Graph g = b.lower({"r"});
  graph::fuse_channel_shuffle(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "channelShuffle", "activation"}));
  EXPECT_EQ(g.nodes[1].name, "swapped");
  EXPECT_EQ(g.nodes[1].inputs[0], g.nodes[0].outputs[0]);
  EXPECT_EQ(g.nodes[2].inputs[0], g.nodes[1].outputs[0]);
}

TEST(FuseChannelShuffle, NotWhenAPartIsReadElsewhere) {
  Builder b;
  b.shuffle("x", "split", "swapped", "s");
  b.relu("swapped", "r");
  graph::Graph g = b.lower({"s", "r"});
  graph::fuse_channel_shuffle(g);
  EXPECT_EQ(kinds(g), (Kinds{"reshapeStatic", "transpose", "reshapeStatic", "activation"}));
}

TEST(FuseChannelShuffle, OnlyTheShufflePermutation) {
  EXPECT_TRUE(graph::is_channel_shuffle_permutation({0, 2, 1, 3, 4}));
  EXPECT_TRUE(graph::is_channel_shuffle_permutation({1, 0, 2, 3}));
  EXPECT_FALSE(graph::is_channel_shuffle_permutation({0, 1, 2, 3, 4}));
  EXPECT_FALSE(graph::is_channel_shuffle_permutation({0, 2, 1, 4, 3}));
  EXPECT_FALSE(graph::is_channel_shuffle_permutation({0, 1, 3, 2, 4}));
  EXPECT_FALSE(graph::is_channel_shuffle_permutation({1, 0, 2}));
}

TEST(FuseInputConcat, AConvolutionReadsTheParts) {
  Builder b;
  b.conv("x", "c1");
  b.relu("x", "r");
  b.concat({"c1", "r", "x"}, "cat");
  b.conv("cat", "c2", 12);
  graph::Graph g = b.lower({"c2"});
  graph::fuse_input_concat(g);
  EXPECT_EQ(kinds(g), (Kinds{"convolution", "activation", "convolution+concatND"}));
  EXPECT_EQ(g.nodes[2].inputs,
            (std::vector<int>{g.nodes[0].outputs[0], g.nodes[1].outputs[0], g.inputs[0]}));
}

TEST(FuseInputConcat, NotWhenTheConcatIsReadElsewhere) {
  Builder b;
  b.concat({"x", "x"}, "cat");
  b.conv("cat", "c1", 8);
  b.conv("cat", "c2", 8);
  b.add("c1", "c2", "s");
  graph::Graph g = b.lower({"s"});
  graph::fuse_input_concat(g);
  EXPECT_EQ(kinds(g), (Kinds{"concatND", "convolution", "convolution", "addBroadcastable"}));
}

TEST(FuseInputConcat, NotIntoAGroupedConvolutionOrAfterAFusedAdd) {
  Builder b;
  b.concat({"x", "x"}, "cat1");
  b.grouped_conv("cat1", "g", 8);
  b.concat({"g", "x"}, "cat2");
  b.conv("cat2", "c", 8);
  b.add("c", "g", "s");
  graph::Graph g = b.lower({"s"});
  graph::fuse_add(g);
  graph::fuse_input_concat(g);
  EXPECT_EQ(kinds(g),
            (Kinds{"concatND", "convolution", "concatND", "convolution+addBroadcastable"}));
}

TEST(AssignLayouts, ReordersOnlyAtRegionBorders) {
  Builder b;
  b.conv("x", "c1");
  b.relu("c1", "r");
  b.maxpool("r", "p");
  b.conv("p", "c2");
  b.add("c2", "p", "s");
  b.flatten("s", "f");  // plain only
  graph::Graph g = b.lower({"f", "s"});
  graph::assign_layouts(g);
  EXPECT_EQ(kinds(g), (Kinds{"reorder", "convolution", "activation", "pooling", "convolution",
                             "addBroadcastable", "reorder", "flattenTo2D"}));
  // The reorder of s made for flatten is shared with the model output.
  EXPECT_EQ(g.nodes[6].outputs[0], g.nodes[7].inputs[0]);
  EXPECT_EQ(g.outputs[1], g.nodes[6].outputs[0]);
  EXPECT_EQ(g.outputs[0], g.nodes[7].outputs[0]);
  for (size_t i : {1u, 2u, 3u, 4u, 5u}) EXPECT_EQ(g.nodes[i].layout, graph::Layout::kChannelsLast);
  EXPECT_EQ(g.nodes[7].layout, graph::Layout::kPlain);
}

TEST(AssignLayouts, PlainOnlyNetworksGetNoReorders) {
  Builder b;
  b.relu("x", "r");
  b.flatten("r", "f");
  graph::Graph g = b.lower({"f"});
  graph::assign_layouts(g);
  EXPECT_EQ(kinds(g), (Kinds{"activation", "flattenTo2D"}));
}

}  // namespace
}  // namespace morel::test
