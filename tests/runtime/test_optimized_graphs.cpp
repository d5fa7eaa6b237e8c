// Whole networks run with the optimized path (passes, channels-last layout,
// oneDNN kernels) and with the reference kernels only must give the same
// results. The networks are the shapes the passes target — residual blocks,
// fire modules, inverted bottlenecks, squeeze-and-excitation with swish —
// plus the cases they must leave alone or handle through fallbacks, built
// with random sizes and weights. Model::profile shows the fused graph, so the
// tests also check that the passes fired where they should.
#include <gtest/gtest.h>

#include <random>

#include "kernels/available.h"
#include "morel/builder.h"
#include "morel/error.h"
#include "morel/model.h"
#include "support/compare.h"

namespace morel::test {
namespace {

using Rng = std::mt19937;

std::vector<float> random_values(int64_t n, Rng& rng, float scale = 1.f) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

// Builds networks layer by layer, tracking channel counts.
class Net {
 public:
  Net(bool exact, int64_t channels, int64_t h, int64_t w, unsigned seed)
      : exact_(exact), rng_(seed) {
    if (exact) b_.use_exact_shapes();
    b_.add_array_input("x", exact ? std::vector<int64_t>{1, channels, h, w}
                                  : std::vector<int64_t>{channels, h, w});
    channels_["x"] = channels;
  }

  std::string conv(const std::string& in, int64_t out, int64_t k, int64_t stride = 1,
                   int64_t groups = 1, bool bias = true) {
    const std::string name = next("conv");
    ConvolutionOptions o;
    o.kernel_channels = channels_.at(in) / groups;
    o.output_channels = out;
    o.kernel_h = o.kernel_w = k;
    o.stride_h = o.stride_w = stride;
    o.groups = groups;
    o.same_padding = true;
    const auto w = random_values(out * o.kernel_channels * k * k, rng_, 0.5f);
    const auto b = random_values(out, rng_, 0.2f);
    b_.add_convolution(name, in, name, o, w,
                       bias ? std::span<const float>(b) : std::span<const float>());
    channels_[name] = out;
    return name;
  }

  std::string batchnorm(const std::string& in) {
    const std::string name = next("bn");
    auto& l = b_.add_layer(name, {in}, {name});
    auto* p = l.mutable_batchnorm();
    const int64_t c = channels_.at(in);
    p->set_channels(static_cast<uint64_t>(c));
    p->set_epsilon(1e-3f);
    for (float v : random_values(c, rng_)) p->mutable_gamma()->add_floatvalue(1.f + 0.3f * v);
    for (float v : random_values(c, rng_)) p->mutable_beta()->add_floatvalue(0.2f * v);
    for (float v : random_values(c, rng_)) p->mutable_mean()->add_floatvalue(0.1f * v);
    for (float v : random_values(c, rng_)) p->mutable_variance()->add_floatvalue(1.f + 0.5f * v);
    channels_[name] = c;
    return name;
  }

  std::string act(const std::string& in, const std::string& kind, std::vector<float> p = {}) {
    const std::string name = next("act");
    b_.add_activation(name, in, name, kind, std::move(p));
    channels_[name] = channels_.at(in);
    return name;
  }

  // clip(x, 0, 6) in N-d networks; a ReLU in rank-5 ones (clip is an N-d layer).
  std::string relu6(const std::string& in) {
    if (!exact_) return act(in, "RELU");
    const std::string name = next("clip");
    auto& l = b_.add_layer(name, {in}, {name});
    l.mutable_clip()->set_minval(0.f);
    l.mutable_clip()->set_maxval(6.f);
    channels_[name] = channels_.at(in);
    return name;
  }

  std::string add(const std::string& a, const std::string& b) {
    const std::string name = next("add");
    auto& l = b_.add_layer(name, {a, b}, {name});
    if (exact_)
      l.mutable_addbroadcastable();
    else
      l.mutable_add();
    channels_[name] = std::max(channels_.at(a), channels_.at(b));
    return name;
  }

  std::string multiply(const std::string& a, const std::string& b) {
    const std::string name = next("mul");
    auto& l = b_.add_layer(name, {a, b}, {name});
    if (exact_)
      l.mutable_multiplybroadcastable();
    else
      l.mutable_multiply();
    channels_[name] = std::max(channels_.at(a), channels_.at(b));
    return name;
  }

  std::string concat(const std::vector<std::string>& in) {
    const std::string name = next("cat");
    auto& l = b_.add_layer(name, in, {name});
    l.mutable_concat();
    int64_t c = 0;
    for (const auto& i : in) c += channels_.at(i);
    channels_[name] = c;
    return name;
  }

  std::string pool(const std::string& in, const std::string& kind, int64_t k, int64_t s,
                   bool global = false) {
    const std::string name = next("pool");
    b_.add_pooling(name, in, name, kind, k, k, s, s, true, global);
    channels_[name] = channels_.at(in);
    return name;
  }

  // A [C, 1, 1] constant.
  std::string constant(int64_t c) {
    const std::string name = next("const");
    auto* p = b_.add_layer(name, {}, {name}).mutable_loadconstant();
    for (int64_t d : {c, int64_t(1), int64_t(1)}) p->add_shape(static_cast<uint64_t>(d));
    for (float v : random_values(c, rng_)) p->mutable_data()->add_floatvalue(v);
    channels_[name] = c;
    return name;
  }

  // Per-channel PReLU.
  std::string prelu(const std::string& in) {
    const std::string name = next("prelu");
    auto* alpha = b_.add_layer(name, {in}, {name}).mutable_activation()->mutable_prelu();
    for (float v : random_values(channels_.at(in), rng_)) alpha->mutable_alpha()->add_floatvalue(v);
    channels_[name] = channels_.at(in);
    return name;
  }

  ModelBuilder& builder() { return b_; }
  int64_t channels(const std::string& v) const { return channels_.at(v); }
  // Records the channel count of a blob added through builder().
  void note(const std::string& v, int64_t channels) { channels_[v] = channels; }

  Spec finish(const std::string& out) {
    b_.add_array_output(out);
    return b_.build();
  }

 private:
  std::string next(const std::string& what) { return what + std::to_string(++counter_); }
  bool exact_;
  Rng rng_;
  ModelBuilder b_;
  std::map<std::string, int64_t> channels_;
  int counter_ = 0;
};

FeatureMap input_for(const Model& m, unsigned seed) {
  Rng rng(seed);
  const auto& f = m.description().input(0);
  std::vector<int64_t> shape(f.type().multiarraytype().shape().begin(),
                             f.type().multiarraytype().shape().end());
  MultiArray a(DType::kFloat32, shape);
  for (int64_t i = 0; i < a.count(); ++i)
    a.data<float>()[i] = std::uniform_real_distribution<float>(-1, 1)(rng);
  FeatureMap in;
  in.emplace(f.name(), a);
  return in;
}

// Runs `spec` with reference kernels and optimized ones (1 and 2 threads);
// returns the optimized graph's node kinds.
std::vector<std::string> expect_same(const Spec& spec, Tolerance tol = {2e-4, 2e-4}) {
  ModelOptions ref_options;
  ref_options.reference_kernels = true;
  ref_options.threads = 1;
  const Model ref = Model::from_spec(spec, ref_options);
  const FeatureMap in = input_for(ref, 7);
  const FeatureMap expected = ref.predict(in);
  std::vector<std::string> kinds;
  for (int threads : {1, 2}) {
    ModelOptions o;
    o.threads = threads;
    const Model opt = Model::from_spec(spec, o);
    std::vector<LayerTiming> timings;
    const FeatureMap got = opt.profile(in, timings);
    const FeatureMap again = opt.predict(in);  // a second run reuses the plan and its memory
    for (const auto& [name, value] : expected) {
      const auto& e = std::get<MultiArray>(value);
      for (const FeatureMap* g : {&got, &again}) {
        const auto& a = std::get<MultiArray>(g->at(name));
        EXPECT_EQ(a.shape(), e.shape()) << name;
        EXPECT_TRUE(all_close(a.to_floats(), e.to_floats(), tol))
            << name << " with " << threads << " thread(s)";
      }
    }
    kinds.clear();
    for (const LayerTiming& t : timings) kinds.push_back(t.kind);
  }
  return kinds;
}

// How many nodes have this kind, reading N-d layer kinds as their legacy
// equivalents (addBroadcastable as add, clip as activation) so that one
// expectation covers both kinds of network.
int count(const std::vector<std::string>& kinds, const std::string& kind) {
  int n = 0;
  for (std::string k : kinds) {
    for (auto [from, to] : {std::pair<std::string, std::string>{"addBroadcastable", "add"},
                            {"multiplyBroadcastable", "multiply"},
                            {"clip", "activation"}}) {
      for (size_t at = k.find(from); at != std::string::npos; at = k.find(from))
        k.replace(at, from.size(), to);
    }
    n += k == kind ? 1 : 0;
  }
  return n;
}

class OptimizedGraphs : public ::testing::TestWithParam<bool> {};  // exact shapes or rank 5

TEST_P(OptimizedGraphs, ResidualBlocks) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Rng rng(seed);
    const int64_t c = 4 + rng() % 13, h = 5 + rng() % 12, w = 5 + rng() % 12;
    Net n(GetParam(), 3, h, w, seed);
    std::string x = n.act(n.batchnorm(n.conv("x", c, 3)), "RELU");
    // Identity shortcut, then a strided block with a projection shortcut.
    std::string y = n.batchnorm(n.conv(n.act(n.batchnorm(n.conv(x, c, 3)), "RELU"), c, 3));
    x = n.act(n.add(y, x), "RELU");
    y = n.batchnorm(n.conv(n.act(n.batchnorm(n.conv(x, 2 * c, 3, 2)), "RELU"), 2 * c, 3));
    x = n.act(n.add(n.batchnorm(n.conv(x, 2 * c, 1, 2, 1, false)), y), "RELU");
    x = n.pool(x, "AVERAGE", 1, 1, true);
    const auto kinds = expect_same(n.finish(x));
    EXPECT_EQ(count(kinds, "batchnorm"), 0) << "every batchnorm folds";
    EXPECT_EQ(count(kinds, "add"), 0) << "every residual add fuses";
    EXPECT_EQ(count(kinds, "convolution+batchnorm+add+activation"), 2);
    EXPECT_EQ(count(kinds, "convolution+batchnorm+activation"), 3);
  }
}

TEST_P(OptimizedGraphs, FireModulesWithConcat) {
  Net n(GetParam(), 3, 23, 19, 11);
  std::string x = n.pool(n.act(n.conv("x", 16, 3, 2), "RELU"), "MAX", 3, 2);
  for (int i = 0; i < 2; ++i) {
    const std::string s = n.act(n.conv(x, 8, 1), "RELU");
    x = n.concat({n.act(n.conv(s, 16, 1), "RELU"), n.act(n.conv(s, 16, 3), "RELU")});
  }
  x = n.pool(n.act(n.conv(x, 10, 1), "RELU"), "AVERAGE", 1, 1, true);
  const auto kinds = expect_same(n.finish(x));
  // Each concat is read by a convolution alone: it reads the parts instead.
  EXPECT_EQ(count(kinds, "concat"), 0);
  EXPECT_EQ(count(kinds, "convolution+concat+activation"), 2);
  if (kernels::cpu_kernels_available()) {
    // Channels-last from the stem to the classifier: reorders at the input
    // and the output only.
    EXPECT_EQ(count(kinds, "reorder"), 2);
  }
}

TEST_P(OptimizedGraphs, ConvolutionsReadingConcatenations) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Rng rng(seed);
    const int64_t h = 4 + rng() % 9, w = 4 + rng() % 9;
    Net n(GetParam(), 3, h, w, seed);
    // Three parts of uneven channel counts, one of them a model input's
    // pool (not a convolution), into a strided 3x3 convolution.
    const std::string a = n.conv("x", 1 + rng() % 9, 1);
    const std::string b = n.act(n.conv("x", 1 + rng() % 9, 3), "RELU");
    const std::string p = n.pool("x", "MAX", 3, 1);
    std::string x = n.act(n.conv(n.concat({a, p, b}), 5, 3, 2), "RELU");
    // Read twice: the concat stays.
    const std::string twice = n.concat({x, n.conv(x, 3, 1)});
    x = n.add(n.conv(twice, 8, 1), n.conv(twice, 8, 3));
    // Into a grouped convolution: stays too.
    x = n.conv(n.concat({x, n.conv(x, 8, 1)}), 4, 3, 1, 2);
    // A residual add fused first: the concat stays.
    const std::string r = n.conv(x, 6, 1);
    x = n.add(n.conv(n.concat({r, x}), 6, 1), r);
    const auto kinds = expect_same(n.finish(x));
    EXPECT_EQ(count(kinds, "convolution+concat+activation"), 1);
    EXPECT_EQ(count(kinds, "concat"), 3);
  }
}

TEST_P(OptimizedGraphs, PoolingsReadingConcatenations) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Rng rng(seed);
    const int64_t h = 5 + rng() % 12, w = 5 + rng() % 12;
    Net n(GetParam(), 3, h, w, seed);
    // SqueezeNet's fire module before a max pool, with uneven parts.
    const std::string s = n.act(n.conv("x", 4, 1), "RELU");
    std::string x = n.concat({n.act(n.conv(s, 1 + rng() % 17, 1), "RELU"),
                              n.act(n.conv(s, 1 + rng() % 17, 3), "RELU"), s});
    x = n.pool(x, "MAX", 3, 2);
    // A global average over three parts.
    x = n.pool(n.concat({n.conv(x, 5, 1), x, n.conv(x, 3, 3)}), "AVERAGE", 1, 1, true);
    const auto kinds = expect_same(n.finish(x));
    EXPECT_EQ(count(kinds, "concat"), 0);
    EXPECT_EQ(count(kinds, "pooling+concat"), 2);
  }
}

// Parts that cannot be joined: the error names the layer the concat was
// fused into, and says a concatenation failed.
TEST(OptimizedGraphsConcat, PartsThatDoNotFitAreAnErrorNamingTheLayer) {
  Net n(true, 3, 8, 8, 4);
  const std::string a = n.conv("x", 4, 3), b = n.conv("x", 4, 3, 2);  // 8x8 and 4x4
  const std::string x = n.conv(n.concat({a, b}), 5, 1);
  const Model m = Model::from_spec(n.finish(x));
  try {
    m.predict(input_for(m, 1));
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(msg.find("layer '" + x + "' (convolution)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("the concatenation fused into this layer: input 1 has shape"),
              std::string::npos)
        << msg;
  }
}

// Parts joined along the width, not the channels: the convolution and the
// pooling compute what the layers compute (through their reference paths).
TEST(OptimizedGraphsConcat, AlongAnotherAxisThanTheChannels) {
  for (int64_t axis : {-1, 3, -2}) {
    Net n(true, 4, 6, 5, 21);
    const std::string a = n.conv("x", 6, 3), b = n.act(n.conv("x", 6, 1), "RELU");
    auto& l = n.builder().add_layer("cat", {a, b}, {"cat"});
    l.mutable_concatnd()->set_axis(axis);
    n.note("cat", 6);
    std::string x = n.act(n.conv("cat", 7, 3, 2), "RELU");
    auto& l2 = n.builder().add_layer("cat2", {x, x}, {"cat2"});
    l2.mutable_concatnd()->set_axis(axis);
    n.note("cat2", 7);
    x = n.pool("cat2", "MAX", 3, 2);
    const auto kinds = expect_same(n.finish(x));
    EXPECT_EQ(count(kinds, "convolution+concatND+activation"), 1) << "axis " << axis;
    EXPECT_EQ(count(kinds, "pooling+concatND"), 1) << "axis " << axis;
  }
}

TEST_P(OptimizedGraphs, InvertedBottleneckWithRelu6AndDepthwise) {
  Net n(GetParam(), 3, 17, 17, 5);
  std::string x = n.relu6(n.batchnorm(n.conv("x", 8, 3, 2)));
  for (int i = 0; i < 2; ++i) {
    std::string y = n.relu6(n.batchnorm(n.conv(x, 24, 1)));
    y = n.relu6(n.batchnorm(n.conv(y, 24, 3, 1, 24)));  // depthwise
    y = n.batchnorm(n.conv(y, 8, 1));
    x = n.add(x, y);
  }
  const auto kinds = expect_same(n.finish(x));
  EXPECT_EQ(count(kinds, "convolution+batchnorm+activation"), 5);
  EXPECT_EQ(count(kinds, "convolution+batchnorm+add"), 2);
}

TEST_P(OptimizedGraphs, SqueezeExcitationWithSwish) {
  Net n(GetParam(), 3, 15, 13, 3);
  std::string x = n.batchnorm(n.conv("x", 12, 3));
  x = n.multiply(x, n.act(x, "SIGMOID"));  // swish
  std::string s = n.pool(x, "AVERAGE", 1, 1, true);
  s = n.conv(s, 4, 1);
  s = n.multiply(n.act(s, "SIGMOID"), s);  // swish, operands the other way round
  s = n.act(n.conv(s, 12, 1), "SIGMOID");
  x = n.conv(n.multiply(x, s), 6, 1);  // scale by [C, 1, 1]: broadcast multiply
  const auto kinds = expect_same(n.finish(x));
  EXPECT_EQ(count(kinds, "convolution+batchnorm+swish"), 1);
  EXPECT_EQ(count(kinds, "convolution+swish"), 1);
  EXPECT_EQ(count(kinds, "convolution+activation"), 1);
}

TEST_P(OptimizedGraphs, FallbacksAndPlainOnlyLayers) {
  Net n(GetParam(), 4, 12, 10, 9);
  // An add whose other operand broadcasts ([C, 1, 1]): fused, with the
  // broadcast handled apart from the kernel.
  const std::string k = n.constant(6);
  std::string x = n.add(n.conv("x", 6, 3), k);
  // Pooling oneDNN does not do (L2) runs through reorders in channels-last.
  x = n.pool(x, "L2", 2, 2);
  // Per-channel PReLU follows the channel axis in channels-last storage.
  x = n.prelu(x);
  // Instance normalization computes statistics per plane: plain only.
  {
    const std::string name = "inorm";
    auto* p = n.builder().add_layer(name, {x}, {name}).mutable_batchnorm();
    p->set_channels(6);
    p->set_computemeanvar(true);
    p->set_instancenormalization(true);
    for (int i = 0; i < 6; ++i) p->mutable_gamma()->add_floatvalue(1.f);
    for (int i = 0; i < 6; ++i) p->mutable_beta()->add_floatvalue(0.f);
    n.note(name, 6);
    x = name;
  }
  x = n.conv(x, 5, 3);
  // A convolution output read twice cannot take a following batchnorm.
  const std::string bn = n.batchnorm(x);
  x = n.concat({bn, x});
  n.builder().add_softmax("softmax", x, "softmax");
  x = "softmax";
  const auto kinds = expect_same(n.finish(x));
  EXPECT_EQ(count(kinds, "batchnorm"), 2);  // the instance norm and the shared one
  EXPECT_EQ(count(kinds, "convolution+add"), 1);
}

TEST_P(OptimizedGraphs, DeconvolutionAndInnerProduct) {
  Net n(GetParam(), 5, 7, 6, 4);
  ConvolutionOptions o;
  o.kernel_channels = 5;
  o.output_channels = 6;
  o.kernel_h = o.kernel_w = 3;
  o.stride_h = o.stride_w = 2;
  o.deconvolution = true;
  Rng rng(1);
  n.builder().add_convolution("deconv", "x", "deconv", o, random_values(5 * 6 * 9, rng));
  n.note("deconv", 6);
  const std::string bn = n.batchnorm("deconv");
  const std::string a = "deconv_relu";
  n.builder().add_activation(a, bn, a, "RELU");
  const std::string flat = "flat";
  n.builder().add_flatten(flat, a, flat);
  const int64_t features = 6 * 15 * 13;
  n.builder().add_inner_product("fc", flat, "fc", features, 10, random_values(features * 10, rng),
                                random_values(10, rng));
  n.builder().add_activation("fc_tanh", "fc", "fc_tanh", "TANH");
  const auto kinds = expect_same(n.finish("fc_tanh"));
  EXPECT_EQ(count(kinds, "convolution+batchnorm+activation"), 1);
  EXPECT_EQ(count(kinds, "innerProduct+activation"), 1);
}

INSTANTIATE_TEST_SUITE_P(Shapes, OptimizedGraphs, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "exact" : "rank5"; });

// ShuffleNet v2 units as the ONNX converter writes them: channel shuffles as
// reshape -> transpose -> reshape, and the halves taken with sliceStatic.
// Optimized, the whole feature extractor stays channels-last.
class ShuffleNet {
 public:
  explicit ShuffleNet(Net& n) : n_(n) {}

  std::string shuffle(const std::string& in, int64_t h, int64_t w,
                      std::vector<int64_t> split_shape = {}) {
    const int64_t c = n_.channels(in);
    if (split_shape.empty()) split_shape = {1, 2, c / 2, h, w};
    const std::string r1 = next("split"), t = next("swap"), r2 = next("merge");
    auto* p1 = n_.builder().add_layer(r1, {in}, {r1}).mutable_reshapestatic();
    for (int64_t d : split_shape) p1->add_targetshape(d);
    auto* pt = n_.builder().add_layer(t, {r1}, {t}).mutable_transpose();
    for (uint64_t a : {0, 2, 1, 3, 4}) pt->add_axes(a);
    auto* p2 = n_.builder().add_layer(r2, {t}, {r2}).mutable_reshapestatic();
    for (int64_t d : {int64_t(1), int64_t(-1), h, w}) p2->add_targetshape(d);
    n_.note(r2, c);
    return r2;
  }

  // Channels [begin, end) of a rank-4 value.
  std::string channels(const std::string& in, int64_t begin, int64_t end) {
    const std::string name = next("slice");
    auto* p = n_.builder().add_layer(name, {in}, {name}).mutable_slicestatic();
    for (int a = 0; a < 4; ++a) {
      p->add_beginids(a == 1 ? begin : 0);
      p->add_beginmasks(a != 1);
      p->add_endids(a == 1 ? end : 0);
      p->add_endmasks(a != 1);
      p->add_strides(1);
    }
    n_.note(name, end - begin);
    return name;
  }

  std::string concat(const std::vector<std::string>& in) {
    const std::string name = next("cat");
    auto* p = n_.builder().add_layer(name, in, {name}).mutable_concatnd();
    p->set_axis(1);
    int64_t c = 0;
    for (const auto& i : in) c += n_.channels(i);
    n_.note(name, c);
    return name;
  }

 private:
  std::string next(const std::string& what) { return what + std::to_string(++counter_); }
  Net& n_;
  int counter_ = 0;
};

TEST(OptimizedShuffleNet, UnitsStayChannelsLast) {
  const int64_t c = 12, h = 9, w = 7;
  Net n(true, 3, h, w, 31);
  ShuffleNet s(n);
  std::string x = n.act(n.batchnorm(n.conv("x", c, 3)), "RELU");
  for (int unit = 0; unit < 2; ++unit) {
    const std::string left = s.channels(x, 0, c / 2);
    std::string right = s.channels(x, c / 2, c);
    right = n.act(n.batchnorm(n.conv(right, c / 2, 1)), "RELU");
    right = n.batchnorm(n.conv(right, c / 2, 3, 1, c / 2));  // depthwise
    right = n.act(n.batchnorm(n.conv(right, c / 2, 1)), "RELU");
    x = s.shuffle(s.concat({left, right}), h, w);
  }
  x = n.pool(n.conv(x, 5, 1), "AVERAGE", 1, 1, true);
  const auto kinds = expect_same(n.finish(x));
  EXPECT_EQ(count(kinds, "channelShuffle"), 2);
  EXPECT_EQ(count(kinds, "transpose"), 0);
  if (kernels::cpu_kernels_available()) {
    EXPECT_EQ(count(kinds, "reorder"), 2) << "at the input and the output only";
  }
}

// Static slices inside a channels-last region, with steps other than 1 on
// every axis (a negative one included): the window moves with the axes.
TEST(OptimizedShuffleNet, StridedSlicesOfChannelsLastData) {
  Net n(true, 3, 11, 9, 33);
  std::string x = n.conv("x", 10, 3);
  const std::string name = "strided";
  auto* p = n.builder().add_layer(name, {x}, {name}).mutable_slicestatic();
  const int64_t begin[] = {0, 1, 0, 8}, end[] = {1, 9, 11, 0}, step[] = {1, 3, 2, -2};
  for (int a = 0; a < 4; ++a) {
    p->add_beginids(begin[a]);
    p->add_beginmasks(false);
    p->add_endids(end[a]);
    p->add_endmasks(a == 3);
    p->add_strides(step[a]);
  }
  n.note(name, 3);  // channels 1, 4, 7
  x = n.conv(name, 4, 1);
  const auto kinds = expect_same(n.finish(x));
  if (kernels::cpu_kernels_available()) {
    EXPECT_EQ(count(kinds, "reorder"), 2) << "the slice stays channels-last";
  }
}

// reshape -> transpose -> reshape with the shuffle's permutation, but shapes
// that make it no channel shuffle (the split takes the height into the
// groups): the fused op computes what the three layers do, channels-last
// data included.
TEST(OptimizedShuffleNet, NonShuffleShapesComputeTheLayers) {
  const int64_t c = 4, h = 6, w = 5;
  Net n(true, 3, h, w, 32);
  ShuffleNet s(n);
  std::string x = n.conv("x", c, 3);
  x = s.shuffle(x, h, w, {1, 2, 2 * h, 1, w});
  x = n.conv(x, 3, 1);
  const auto kinds = expect_same(n.finish(x));
  EXPECT_EQ(count(kinds, "channelShuffle"), 1);
}

// Batched prediction stacks items along the Batch axis of a rank-5 network:
// a new plan, whose shapes differ from the single prediction's.
TEST(OptimizedGraphsBatch, StackedPredictionsMatchSingleOnes) {
  Net n(false, 3, 9, 9, 21);
  std::string x = n.act(n.batchnorm(n.conv("x", 8, 3)), "RELU");
  x = n.act(n.add(n.conv(x, 8, 3), x), "RELU");
  x = n.pool(x, "MAX", 2, 2);
  const Spec spec = n.finish(x);
  const Model model = Model::from_spec(spec);
  ModelOptions ro;
  ro.reference_kernels = true;
  const Model ref = Model::from_spec(spec, ro);
  std::vector<FeatureMap> items;
  for (unsigned s = 0; s < 5; ++s) items.push_back(input_for(model, 100 + s));
  const std::vector<FeatureMap> batch = model.predict_batch(items);
  ASSERT_EQ(batch.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto expected = std::get<MultiArray>(ref.predict(items[i]).at(x)).to_floats();
    EXPECT_TRUE(all_close(std::get<MultiArray>(batch[i].at(x)).to_floats(), expected, {2e-4, 2e-4}))
        << "item " << i;
  }
}

}  // namespace
}  // namespace morel::test
