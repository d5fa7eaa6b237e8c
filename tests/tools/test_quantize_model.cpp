// morel::quantize on whole models: options and their errors, which tensors
// are chosen and why, the version raised exactly as needed, pipelines and
// control flow, files that reload and decode to what was written, quantize ->
// dequantize round trips, and failures that leave the spec untouched.
#include <gtest/gtest.h>
#include <functional>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "morel/builder.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/model.h"
#include "morel/quantize.h"
#include "morel/spec.h"
#include "morel/spec_versions.h"
#include "support/compare.h"
#include "support/paths.h"

namespace morel::test {
namespace {

using QM = QuantizationMode;

std::vector<float> random_weights(size_t n, uint32_t seed, float stddev = 0.3f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, stddev);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// x [3, 8, 8] -> conv 3->8 (3x3, same) -> batchnorm -> relu -> global average
// pool -> innerProduct 8->5 -> softmax -> y. Rank-5 era, specification 1.
Spec small_cnn() {
  ModelBuilder b;
  b.add_array_input("x", {3, 8, 8});
  b.add_array_output("y");
  ConvolutionOptions c;
  c.kernel_channels = 3;
  c.output_channels = 8;
  c.kernel_h = c.kernel_w = 3;
  c.same_padding = true;
  b.add_convolution("conv", "x", "conv", c, random_weights(8 * 3 * 9, 1), random_weights(8, 2));
  auto& bn = b.add_layer("bn", {"conv"}, {"bn"});
  auto* p = bn.mutable_batchnorm();
  p->set_channels(8);
  p->set_epsilon(1e-5f);
  std::vector<float> var = random_weights(8, 4);
  for (float& v : var) v = 0.5f + std::abs(v);
  set_float_weights(*p->mutable_gamma(), random_weights(8, 3));
  set_float_weights(*p->mutable_beta(), random_weights(8, 5));
  set_float_weights(*p->mutable_mean(), random_weights(8, 6));
  set_float_weights(*p->mutable_variance(), var);
  b.add_activation("relu", "bn", "relu", "RELU");
  b.add_pooling("gap", "relu", "gap", "AVERAGE", 1, 1, 1, 1, false, true);
  b.add_inner_product("fc", "gap", "logits", 8, 5, random_weights(40, 7), random_weights(5, 8));
  b.add_softmax("softmax", "logits", "y");
  return b.build();
}

FeatureMap cnn_input(uint32_t seed) {
  const std::vector<float> x = random_weights(3 * 64, seed, 1.f);
  return {{"x", MultiArray::from_floats({3, 8, 8}, x)}};
}

std::vector<float> predict(const Spec& spec, const FeatureMap& in) {
  FeatureMap out = Model::from_spec(spec).predict(in);
  return std::get<MultiArray>(out.at("y")).to_floats();
}

QuantizeOptions options(QM mode, int bits) {
  QuantizeOptions o;
  o.mode = mode;
  o.bits = bits;
  return o;
}

const WeightChange& change_of(const QuantizeReport& r, const std::string& layer,
                              const std::string& field) {
  for (const auto& w : r.weights)
    if (w.layer == layer && w.field == field) return w;
  throw std::runtime_error("no report entry for " + layer + " " + field);
}

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::kIo;
}

// ---------------------------------------------------------------------------

TEST(QuantizeModel, EveryModeReloadsAndRuns) {
  const Spec base = small_cnn();
  ASSERT_EQ(base.specificationversion(), 1);
  const FeatureMap in = cnn_input(99);
  const std::vector<float> expected = predict(base, in);
  struct Case {
    QM mode;
    int bits;
    WeightStorage storage;
    int version;
    double tolerance;  // of the output against the float model
  };
  const std::filesystem::path dir = binary_dir() / "test_quantize_model";
  std::filesystem::create_directories(dir);
  for (Case c : {Case{QM::kLinear, 8, WeightStorage::kLinearQuantized, 3, 0.02},
                 Case{QM::kLinearSymmetric, 8, WeightStorage::kLinearQuantized, 3, 0.02},
                 Case{QM::kLinear, 3, WeightStorage::kLinearQuantized, 3, 0.5},
                 Case{QM::kKMeans, 4, WeightStorage::kLookupTable, 3, 0.2},
                 Case{QM::kKMeans, 1, WeightStorage::kLookupTable, 3, 1.0},
                 Case{QM::kLinearLut, 5, WeightStorage::kLookupTable, 3, 0.3},
                 Case{QM::kFloat16, 16, WeightStorage::kFloat16, 2, 2e-3}}) {
    const std::string name =
        std::string(quantization_mode_name(c.mode)) + "_" + std::to_string(c.bits);
    SCOPED_TRACE(name);
    Spec spec = base;
    const QuantizeReport r = quantize(spec, options(c.mode, c.bits));
    EXPECT_EQ(r.weights_changed, 8);  // conv 2, batchnorm 4, fc 2
    EXPECT_EQ(r.spec_version_before, 1);
    EXPECT_EQ(r.spec_version_after, c.version);
    EXPECT_EQ(spec.specificationversion(), c.version);
    EXPECT_EQ(r.size_before_bytes, static_cast<int64_t>(base.ByteSizeLong()));
    EXPECT_EQ(r.size_after_bytes, static_cast<int64_t>(spec.ByteSizeLong()));
    // (A 32-entry table per tensor outweighs this model's 8-value vectors.)
    if (c.mode != QM::kLinearLut) {
      EXPECT_LT(r.size_after_bytes, r.size_before_bytes);
    }
    for (const auto& w : r.weights) {
      EXPECT_TRUE(w.changed) << w.field << ": " << w.reason;
      EXPECT_EQ(w.after.storage, c.storage) << w.field;
      EXPECT_EQ(w.before.storage, WeightStorage::kFloat32);
    }

    // The file reloads, validates, and holds exactly what was written.
    const std::filesystem::path file = dir / (name + ".mlmodel");
    save_spec(spec, file);
    const Spec back = load_spec(file);
    EXPECT_NO_THROW(validate_spec(back));
    EXPECT_EQ(back.SerializeAsString(), spec.SerializeAsString());
    const std::vector<float> out = predict(back, in);
    EXPECT_TRUE(all_close(out, expected, {c.tolerance, 0})) << "quantized model drifts too far";

    // Dequantize: float32 weights equal to the decoded quantized ones, and
    // the same predictions (the twin tolerance of the shared data).
    Spec twin = back;
    const QuantizeReport d = quantize(twin, options(QM::kDequantize, 0));
    EXPECT_EQ(d.weights_changed, 8);
    EXPECT_EQ(twin.specificationversion(), c.version);  // never lowered
    const auto& ql = *network_view(back).layers;
    const auto& tl = *network_view(twin).layers;
    for (int i = 0; i < ql.size(); ++i) {
      const auto qw = layer_weights(ql[i]), tw = layer_weights(tl[i]);
      ASSERT_EQ(qw.size(), tw.size());
      for (size_t k = 0; k < qw.size(); ++k) {
        EXPECT_EQ(describe_weights(*tw[k].weights).storage, WeightStorage::kFloat32);
        EXPECT_EQ(decode_weights(*tw[k].weights, tw[k].expected_count, "twin"),
                  decode_weights(*qw[k].weights, qw[k].expected_count, qw[k].layout, "quantized"))
            << qw[k].field;
      }
    }
    EXPECT_TRUE(all_close(predict(twin, in), out, {1e-6, 1e-5}));
  }
}

TEST(QuantizeModel, EveryBitWidthRoundTrips) {
  // 1 to 8 bits in each quantizing mode: the saved file reloads, runs, and
  // its dequantized twin runs identically.
  const Spec base = small_cnn();
  const FeatureMap in = cnn_input(5);
  for (QM mode : {QM::kLinear, QM::kLinearSymmetric, QM::kKMeans, QM::kLinearLut}) {
    for (int bits = mode == QM::kLinearSymmetric ? 2 : 1; bits <= 8; ++bits) {
      SCOPED_TRACE(std::string(quantization_mode_name(mode)) + " " + std::to_string(bits));
      Spec spec = base;
      ASSERT_EQ(quantize(spec, options(mode, bits)).weights_changed, 8);
      const Spec back = parse_spec(serialize_spec(spec), "round trip");
      EXPECT_NO_THROW(validate_spec(back));
      for (const auto& layer : *network_view(back).layers)
        for (const auto& ref : layer_weights(layer))
          EXPECT_EQ(ref.weights->quantization().numberofbits(), static_cast<uint64_t>(bits));
      Spec twin = back;
      quantize(twin, options(QM::kDequantize, 0));
      EXPECT_TRUE(all_close(predict(twin, in), predict(back, in), {1e-6, 1e-5}));
    }
  }
}

TEST(QuantizeModel, DeterministicAcrossThreadCounts) {
  const Spec base = small_cnn();
  for (QM mode : {QM::kKMeans, QM::kLinear}) {
    Spec a = base, b = base;
    QuantizeOptions o = options(mode, 4);
    o.threads = 1;
    quantize(a, o);
    o.threads = 4;
    quantize(b, o);
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  }
}

TEST(QuantizeModel, SelectionAndReasons) {
  Spec spec = small_cnn();
  QuantizeOptions o = options(QM::kLinear, 8);
  o.skip_layer_types = {"batchnorm"};
  o.min_weight_count = 10;
  std::vector<std::string> seen;
  o.selector = [&](const WeightSite& s) {
    seen.push_back(std::string(s.layer_kind) + ":" + std::string(s.field) + ":" +
                   std::to_string(s.count) + ":" + s.layer->name());
    return s.field != "innerProduct.weights";
  };
  const QuantizeReport r = quantize(spec, o);
  EXPECT_EQ(r.weights_changed, 1);
  EXPECT_TRUE(change_of(r, "conv", "convolution.weights").changed);
  EXPECT_EQ(change_of(r, "conv", "convolution.bias").reason, "fewer than 10 weights");
  EXPECT_EQ(change_of(r, "bn", "batchnorm.gamma").reason, "layer type skipped");
  EXPECT_EQ(change_of(r, "fc", "innerProduct.weights").reason, "not selected");
  EXPECT_EQ(change_of(r, "fc", "innerProduct.bias").reason, "fewer than 10 weights");
  EXPECT_EQ(seen, (std::vector<std::string>{"convolution:convolution.weights:216:conv",
                                            "innerProduct:innerProduct.weights:40:fc"}));
  EXPECT_EQ(describe_weights(network_view(spec).layers->Get(4).innerproduct().weights()).storage,
            WeightStorage::kFloat32);
}

TEST(QuantizeModel, Float16KeepsOnePrecisionPerLayer) {
  // The bias is below the size threshold but follows its layer's weights:
  // Core ML rejects a float16 tensor beside a float32 one in a layer.
  Spec spec = small_cnn();
  QuantizeOptions o = options(QM::kFloat16, 16);
  o.min_weight_count = 30;
  const QuantizeReport r = quantize(spec, o);
  EXPECT_TRUE(change_of(r, "conv", "convolution.bias").changed);
  EXPECT_TRUE(change_of(r, "fc", "innerProduct.bias").changed);
  EXPECT_FALSE(change_of(r, "bn", "batchnorm.gamma").changed);  // no tensor of bn qualifies
  EXPECT_EQ(r.weights_changed, 4);
  EXPECT_EQ(spec.specificationversion(), 2);
}

TEST(QuantizeModel, AlreadyQuantizedIsKept) {
  Spec spec = small_cnn();
  quantize(spec, options(QM::kLinear, 8));
  const std::string once = spec.SerializeAsString();
  const QuantizeReport r = quantize(spec, options(QM::kKMeans, 4));
  EXPECT_EQ(r.weights_changed, 0);
  EXPECT_EQ(r.weights.front().reason, "already quantized (dequantize first)");
  EXPECT_EQ(spec.SerializeAsString(), once);
  // float16 weights can be quantized further.
  Spec half = small_cnn();
  quantize(half, options(QM::kFloat16, 16));
  EXPECT_EQ(quantize(half, options(QM::kLinear, 8)).weights_changed, 8);
  EXPECT_EQ(quantize(half, options(QM::kFloat16, 16)).weights_changed, 0);
}

TEST(QuantizeModel, CustomLookupTable) {
  Spec spec = small_cnn();
  QuantizeOptions o = options(QM::kCustomLut, 2);
  int calls = 0;
  // Sign quantizer: -0.5 or +0.5.
  o.threads = 1;
  o.lut_function = [&](std::span<const float> w, int bits) {
    EXPECT_EQ(bits, 2);
    ++calls;
    LookupTable t;
    t.table = {-0.5f, 0.5f};
    for (float x : w) t.indices.push_back(x < 0 ? 0 : 1);
    return t;
  };
  const QuantizeReport r = quantize(spec, o);
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(r.weights_changed, 8);
  const auto& fc = network_view(spec).layers->Get(4).innerproduct().weights();
  const auto values = decode_weights(fc, 40, "fc");
  const auto original = random_weights(40, 7);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(values[i], original[i] < 0 ? -0.5f : 0.5f);
  EXPECT_EQ(fc.quantization().lookuptablequantization().floatvalue_size(), 4);

  // A failing function is reported with the layer, and nothing changes.
  Spec spec2 = small_cnn();
  const std::string before = spec2.SerializeAsString();
  o.lut_function = [](std::span<const float> w, int) {
    if (w.size() == 40) throw std::runtime_error("cannot do 40");
    return LookupTable{{0.f}, std::vector<uint8_t>(w.size(), 0)};
  };
  try {
    quantize(spec2, o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
    EXPECT_NE(std::string(e.what()).find("layer 'fc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot do 40"), std::string::npos) << e.what();
  }
  EXPECT_EQ(spec2.SerializeAsString(), before);
}

TEST(QuantizeModel, BadWeightsFailAndLeaveTheSpecAlone) {
  Spec spec = small_cnn();
  auto* fc = mutable_network_layers(spec)->Mutable(4)->mutable_innerproduct()->mutable_weights();
  fc->set_floatvalue(3, std::numeric_limits<float>::quiet_NaN());
  const std::string before = spec.SerializeAsString();
  try {
    quantize(spec, options(QM::kLinear, 8));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    const std::string m = e.what();
    EXPECT_NE(m.find("layer 'fc' (innerProduct) field innerProduct.weights"), std::string::npos)
        << m;
    EXPECT_NE(m.find("weight 3 is NaN"), std::string::npos) << m;
    EXPECT_NE(m.find("--skip-layer-types innerProduct"), std::string::npos) << m;
  }
  EXPECT_EQ(spec.SerializeAsString(), before);

  // Too few stored values for the declared shape.
  Spec short_spec = small_cnn();
  mutable_network_layers(short_spec)
      ->Mutable(0)
      ->mutable_convolution()
      ->mutable_weights()
      ->mutable_floatvalue()
      ->RemoveLast();
  try {
    quantize(short_spec, options(QM::kKMeans, 4));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("expected 216 float values, found 215"), std::string::npos)
        << e.what();
  }

  // float16 overflow.
  Spec big = small_cnn();
  mutable_network_layers(big)->Mutable(0)->mutable_convolution()->mutable_bias()->set_floatvalue(
      0, 1e6f);
  EXPECT_EQ(code_of([&] { quantize(big, options(QM::kFloat16, 16)); }), ErrorCode::kInvalidModel);
}

TEST(QuantizeModel, OptionErrors) {
  Spec spec = small_cnn();
  const std::string before = spec.SerializeAsString();
  auto fails = [&](QuantizeOptions o, const std::string& text) {
    try {
      quantize(spec, o);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  fails(options(QM::kLinear, 0), "mode linear takes 1 to 8 bits, not 0");
  fails(options(QM::kKMeans, 9), "mode kmeans takes 1 to 8 bits, not 9");
  fails(options(QM::kLinearSymmetric, 1), "mode linear_symmetric takes 2 to 8 bits");
  fails(options(QM::kLinear, 16), "use mode fp16");
  fails(options(QM::kFloat16, 8), "bits must be 16");
  fails(options(QM::kCustomLut, 4), "needs a lookup-table function");
  QuantizeOptions skip = options(QM::kLinear, 8);
  skip.skip_layer_types = {"conv"};
  fails(skip, "cannot skip layer type 'conv'");
  QuantizeOptions neg = options(QM::kLinear, 8);
  neg.min_weight_count = -1;
  fails(neg, "must not be negative");
  EXPECT_EQ(spec.SerializeAsString(), before);

  Spec glm;
  glm.set_specificationversion(1);
  glm.set_glmregressor("");
  EXPECT_EQ(code_of([&] { quantize(glm, options(QM::kLinear, 8)); }), ErrorCode::kUnsupported);
}

TEST(QuantizeModel, ReachesIntoPipelinesAndControlFlow) {
  // A pipeline of two networks; the second has a loop whose body holds an
  // inner product, and a layer kind the quantizer leaves alone.
  Spec first = small_cnn();
  Spec second;
  second.set_specificationversion(4);
  *second.mutable_description()->add_input() = first.description().input(0);
  auto* net = second.mutable_neuralnetwork();
  auto* loop = net->add_layers();
  loop->set_name("loop");
  auto* body = loop->mutable_loop()->mutable_bodynetwork();
  auto* ip = body->add_layers();
  ip->set_name("inner_fc");
  ip->mutable_innerproduct()->set_inputchannels(4);
  ip->mutable_innerproduct()->set_outputchannels(3);
  set_float_weights(*ip->mutable_innerproduct()->mutable_weights(), random_weights(12, 1));
  auto* ln = net->add_layers();
  ln->set_name("norm");
  ln->mutable_layernormalization()->add_normalizedshape(4);
  set_float_weights(*ln->mutable_layernormalization()->mutable_gamma(), random_weights(4, 2));
  set_float_weights(*ln->mutable_layernormalization()->mutable_beta(), random_weights(4, 3));

  Spec pipeline;
  pipeline.set_specificationversion(4);
  *pipeline.mutable_description()->add_input() = first.description().input(0);
  *pipeline.mutable_pipeline()->add_models() = first;
  *pipeline.mutable_pipeline()->add_models() = second;
  const QuantizeReport r = quantize(pipeline, options(QM::kLinear, 8));
  EXPECT_EQ(r.weights_changed, 9);
  const WeightChange& inner = change_of(r, "inner_fc", "innerProduct.weights");
  EXPECT_TRUE(inner.changed);
  EXPECT_EQ(inner.network, "pipeline model 1 / layer 'loop' bodyNetwork");
  EXPECT_EQ(change_of(r, "conv", "convolution.weights").network, "pipeline model 0");
  const WeightChange& gamma = change_of(r, "norm", "layerNormalization.gamma");
  EXPECT_FALSE(gamma.changed);
  EXPECT_EQ(gamma.reason.rfind("layer kind not quantized", 0), 0u) << gamma.reason;
  // The first network needed version 3 for quantized weights; the others
  // already declared more.
  EXPECT_EQ(pipeline.pipeline().models(0).specificationversion(), 3);
  EXPECT_EQ(pipeline.pipeline().models(1).specificationversion(), 4);
  EXPECT_EQ(pipeline.specificationversion(), 4);
  const auto& stored = pipeline.pipeline().models(1).neuralnetwork().layers(0).loop().bodynetwork();
  EXPECT_EQ(describe_weights(stored.layers(0).innerproduct().weights()).storage,
            WeightStorage::kLinearQuantized);
}

TEST(QuantizeModel, ProgressCoversEveryWeight) {
  Spec spec = small_cnn();
  QuantizeOptions o = options(QM::kKMeans, 3);
  int64_t last_done = -1, last_total = -1;
  int calls = 0;
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_GT(done, last_done);
    last_done = done, last_total = total;
    ++calls;
  };
  quantize(spec, o);
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(last_total, 216 + 8 + 4 * 8 + 40 + 5);
}

TEST(QuantizeModel, ModeNames) {
  for (QM m : {QM::kLinear, QM::kLinearSymmetric, QM::kKMeans, QM::kLinearLut, QM::kCustomLut,
               QM::kFloat16, QM::kDequantize})
    EXPECT_EQ(parse_quantization_mode(quantization_mode_name(m)), m);
  EXPECT_FALSE(parse_quantization_mode("kmeans_lut").has_value());
}

}  // namespace
}  // namespace morel::test
