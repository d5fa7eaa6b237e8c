// layer_weights: the fields, counts and layouts it reports agree with every
// real model, it lists every WeightParams any layer kind can hold (checked
// against the schema by reflection), and hand-built layers get the shapes
// the format documents.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "format/format_test_util.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/spec.h"
#include "morel/weights.h"

namespace morel::test {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using spec::NeuralNetworkLayer;
using spec::WeightParams;

// Every WeightParams present in a message tree, found by reflection.
void collect_weights(const Message& m, std::vector<const WeightParams*>& out) {
  if (m.GetDescriptor() == WeightParams::descriptor()) {
    out.push_back(static_cast<const WeightParams*>(&m));
    return;
  }
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i)
        collect_weights(m.GetReflection()->GetRepeatedMessage(m, f, i), out);
    } else {
      collect_weights(m.GetReflection()->GetMessage(m, f), out);
    }
  }
}

// Whether a message type can hold a WeightParams (not looking into nested
// networks, whose layers are checked on their own).
bool holds_weights(const google::protobuf::Descriptor* d, std::set<const void*>& seen) {
  if (d == WeightParams::descriptor()) return true;
  if (d == spec::NeuralNetwork::descriptor() || !seen.insert(d).second) return false;
  for (int i = 0; i < d->field_count(); ++i)
    if (d->field(i)->message_type() && holds_weights(d->field(i)->message_type(), seen))
      return true;
  return false;
}

// Set every message field (two entries of repeated ones), giving every
// WeightParams one value. Oneofs end up holding their last member.
void populate(Message* m) {
  if (m->GetDescriptor() == WeightParams::descriptor()) {
    static_cast<WeightParams*>(m)->add_floatvalue(1.0f);
    return;
  }
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->message_type() == spec::NeuralNetwork::descriptor() || f->is_map()) continue;
    if (f->is_repeated()) {
      populate(r->AddMessage(m, f));
      populate(r->AddMessage(m, f));
    } else {
      populate(r->MutableMessage(m, f));
    }
  }
}

std::set<const WeightParams*> listed(const NeuralNetworkLayer& layer) {
  std::set<const WeightParams*> out;
  for (const auto& ref : layer_weights(layer)) out.insert(ref.weights);
  return out;
}

// ---------------------------------------------------------------------------
// Every layer kind, against the schema
// ---------------------------------------------------------------------------

TEST(Coverage, KindsWithWeightsAreTheDocumentedOnes) {
  const auto* oneof = NeuralNetworkLayer::descriptor()->FindOneofByName("layer");
  ASSERT_NE(oneof, nullptr);
  std::set<std::string> kinds;
  for (int i = 0; i < oneof->field_count(); ++i) {
    std::set<const void*> seen;
    if (holds_weights(oneof->field(i)->message_type(), seen)) kinds.insert(oneof->field(i)->name());
  }
  const std::set<std::string> expected = {"convolution",
                                          "innerProduct",
                                          "embedding",
                                          "batchnorm",
                                          "scale",
                                          "bias",
                                          "loadConstant",
                                          "activation",
                                          "simpleRecurrent",
                                          "gru",
                                          "uniDirectionalLSTM",
                                          "biDirectionalLSTM",
                                          "custom",
                                          "embeddingND",
                                          "batchedMatmul",
                                          "loadConstantND",
                                          "layerNormalization",
                                          "convolution3d"};
  EXPECT_EQ(kinds, expected);
}

TEST(Coverage, EveryWeightParamsOfEveryKindIsListed) {
  const auto* oneof = NeuralNetworkLayer::descriptor()->FindOneofByName("layer");
  int kinds_with_weights = 0;
  for (int i = 0; i < oneof->field_count(); ++i) {
    const FieldDescriptor* f = oneof->field(i);
    SCOPED_TRACE(f->name());
    NeuralNetworkLayer layer;
    layer.set_name("l");
    layer.add_input("x");
    populate(layer.GetReflection()->MutableMessage(&layer, f));
    std::vector<const WeightParams*> present;
    collect_weights(layer, present);
    const std::set<const WeightParams*> found(present.begin(), present.end());
    const std::set<const WeightParams*> refs = listed(layer);
    for (const WeightParams* w : found)
      EXPECT_TRUE(refs.count(w)) << "a WeightParams is not listed";
    for (const WeightParams* w : refs)
      EXPECT_TRUE(found.count(w) || w->ByteSizeLong() == 0) << "a listed field is not in the layer";
    // The mutable variant lists exactly the present ones, as writable pointers.
    auto mutable_refs = mutable_layer_weights(layer);
    EXPECT_EQ(mutable_refs.size(), found.size());
    for (const auto& ref : mutable_refs) EXPECT_TRUE(found.count(ref.weights));
    if (!found.empty()) ++kinds_with_weights;
  }
  EXPECT_EQ(kinds_with_weights, 18);
}

TEST(Coverage, ActivationsInsideRecurrentLayers) {
  NeuralNetworkLayer layer;
  auto* gru = layer.mutable_gru();
  gru->add_activations()->mutable_prelu()->mutable_alpha()->add_floatvalue(0.1f);
  gru->add_activations()->mutable_parametricsoftplus()->mutable_beta()->add_floatvalue(1.f);
  std::vector<std::string> fields;
  for (const auto& ref : layer_weights(layer))
    if (ref.field.find("activations") != std::string::npos) fields.push_back(ref.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"gru.activations[0].PReLU.alpha",
                                              "gru.activations[1].parametricSoftplus.alpha",
                                              "gru.activations[1].parametricSoftplus.beta"}));
}

// ---------------------------------------------------------------------------
// Real models
// ---------------------------------------------------------------------------

class RealModelWeights : public ::testing::TestWithParam<std::string> {};

TEST_P(RealModelWeights, ExpectedCountsMatchStoredCounts) {
  const Spec spec = load_real(GetParam());
  const NetworkView net = network_view(spec);
  ASSERT_TRUE(net);
  for (const auto& layer : *net.layers) {
    std::vector<const WeightParams*> present;
    collect_weights(layer, present);
    const auto refs = layer_weights(layer);
    EXPECT_EQ(refs.size(), present.size()) << layer.name();
    for (const auto& ref : refs) {
      SCOPED_TRACE(layer.name() + " " + ref.field);
      const WeightParams& w = *ref.weights;
      const WeightInfo info = describe_weights(w);
      ASSERT_NE(info.storage, WeightStorage::kEmpty);
      if (ref.expected_count < 0) {
        // Only a per-channel activation parameter has no declared size.
        EXPECT_NE(ref.field.find("activation"), std::string::npos);
        continue;
      }
      const int64_t stored = stored_weight_count(w);
      if (stored >= 0) {
        EXPECT_EQ(stored, ref.expected_count);
      } else {  // packed sub-byte values
        EXPECT_EQ(info.size_bytes, (ref.expected_count * info.bits + 7) / 8);
      }
      // The count and layout decode the weights, per-channel parameters included.
      const auto values = decode_weights(w, ref.expected_count, ref.layout, ref.field);
      EXPECT_EQ(static_cast<int64_t>(values.size()), ref.expected_count);
      if (ref.expected_count > 0) {
        EXPECT_EQ(ref.expected_count % (ref.layout.channels * ref.layout.inner), 0);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Coreml, RealModelWeights, ::testing::ValuesIn(real_model_names()),
                         [](const auto& param_info) { return test_name_of(param_info.param); });

// The quantized models and their dequantized twins describe the same shapes.
TEST(RealModels, QuantizedTwinsListTheSameFields) {
  for (const char* base : {"q8_linear", "q4_kmeans", "q6_linear_lut", "q2_kmeans", "fp16"}) {
    SCOPED_TRACE(base);
    const std::string stem = std::string("quantized/squeezenet1_1_") + base;
    const Spec q = load_real(stem + ".mlmodel");
    const Spec twin = load_real(stem + "_dequantized.mlmodel");
    const auto& ql = *network_view(q).layers;
    const auto& tl = *network_view(twin).layers;
    ASSERT_EQ(ql.size(), tl.size());
    int weights = 0;
    for (int i = 0; i < ql.size(); ++i) {
      const auto a = layer_weights(ql[i]);
      const auto b = layer_weights(tl[i]);
      ASSERT_EQ(a.size(), b.size());
      for (size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].field, b[k].field);
        EXPECT_EQ(a[k].expected_count, b[k].expected_count);
        EXPECT_EQ(a[k].shape, b[k].shape);
        ++weights;
      }
    }
    EXPECT_EQ(weights, 52);  // 26 convolutions, weights and bias each
  }
}

// ---------------------------------------------------------------------------
// Hand-built layers
// ---------------------------------------------------------------------------

const LayerWeightRef& find(const std::vector<LayerWeightRef>& refs, const std::string& field) {
  for (const auto& r : refs)
    if (r.field == field) return r;
  ADD_FAILURE() << "no field " << field;
  static const LayerWeightRef none;
  return none;
}

TEST(Shapes, Convolution) {
  NeuralNetworkLayer layer;
  layer.add_input("x");
  auto* c = layer.mutable_convolution();
  c->set_outputchannels(8);
  c->set_kernelchannels(3);
  c->add_kernelsize(2);
  c->add_kernelsize(5);
  c->set_hasbias(true);
  auto refs = layer_weights(layer);
  ASSERT_EQ(refs.size(), 2u);  // both required, both listed although absent
  const auto& w = find(refs, "convolution.weights");
  EXPECT_EQ(w.expected_count, 8 * 3 * 2 * 5);
  EXPECT_EQ(w.shape, (std::vector<int64_t>{8, 3, 2, 5}));
  EXPECT_EQ(w.layout.channels, 8);
  EXPECT_EQ(w.layout.inner, 30);
  EXPECT_TRUE(w.required);
  const auto& b = find(refs, "convolution.bias");
  EXPECT_EQ(b.expected_count, 8);
  EXPECT_EQ(b.layout.channels, 1);
  EXPECT_EQ(b.layout.inner, 1);

  c->clear_kernelsize();  // the format's default kernel is 3x3
  EXPECT_EQ(find(layer_weights(layer), "convolution.weights").expected_count, 8 * 3 * 9);

  c->set_outputchannels(0);  // unknown output channels
  EXPECT_EQ(find(layer_weights(layer), "convolution.weights").expected_count, -1);

  c->set_outputchannels(8);
  layer.add_input("w");  // weights from a second input: nothing stored
  refs = layer_weights(layer);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].field, "convolution.bias");
}

TEST(Shapes, Deconvolution) {
  NeuralNetworkLayer layer;
  auto* c = layer.mutable_convolution();
  c->set_isdeconvolution(true);
  c->set_outputchannels(6);
  c->set_kernelchannels(4);  // input channels
  c->set_ngroups(2);
  c->add_kernelsize(2);
  c->add_kernelsize(3);
  const LayerWeightRef w = find(layer_weights(layer), "convolution.weights");
  EXPECT_EQ(w.shape, (std::vector<int64_t>{4, 3, 2, 3}));  // [Cin, Cout/groups, kH, kW]
  EXPECT_EQ(w.expected_count, 72);
  EXPECT_EQ(w.layout.channels, 3);  // output channel on axis 1
  EXPECT_EQ(w.layout.inner, 6);
}

TEST(Shapes, Convolution3d) {
  NeuralNetworkLayer layer;
  auto* c = layer.mutable_convolution3d();
  c->set_outputchannels(4);
  c->set_inputchannels(6);
  c->set_ngroups(2);
  c->set_kerneldepth(2);
  c->set_kernelheight(3);
  c->set_kernelwidth(3);
  c->set_hasbias(true);
  auto refs = layer_weights(layer);
  EXPECT_EQ(find(refs, "convolution3d.weights").shape, (std::vector<int64_t>{4, 3, 2, 3, 3}));
  EXPECT_EQ(find(refs, "convolution3d.weights").layout.channels, 4);
  EXPECT_EQ(find(refs, "convolution3d.bias").expected_count, 4);
  c->set_isdeconvolution(true);
  refs = layer_weights(layer);
  EXPECT_EQ(find(refs, "convolution3d.weights").shape, (std::vector<int64_t>{6, 2, 2, 3, 3}));
  EXPECT_EQ(find(refs, "convolution3d.weights").layout.channels, 2);
  EXPECT_EQ(find(refs, "convolution3d.weights").layout.inner, 18);
}

TEST(Shapes, DenseAndEmbedding) {
  NeuralNetworkLayer ip;
  ip.mutable_innerproduct()->set_inputchannels(20);
  ip.mutable_innerproduct()->set_outputchannels(10);
  const LayerWeightRef w = find(layer_weights(ip), "innerProduct.weights");
  EXPECT_EQ(w.expected_count, 200);
  EXPECT_EQ(w.layout.channels, 10);
  EXPECT_EQ(w.layout.inner, 20);
  EXPECT_EQ(layer_weights(ip).size(), 1u);  // no bias without hasBias

  NeuralNetworkLayer emb;
  emb.mutable_embeddingnd()->set_vocabsize(100);
  emb.mutable_embeddingnd()->set_embeddingsize(16);
  emb.mutable_embeddingnd()->set_hasbias(true);
  EXPECT_EQ(find(layer_weights(emb), "embeddingND.weights").shape, (std::vector<int64_t>{16, 100}));
  EXPECT_EQ(find(layer_weights(emb), "embeddingND.bias").expected_count, 16);

  NeuralNetworkLayer mm;
  mm.add_input("a");
  mm.mutable_batchedmatmul()->set_weightmatrixfirstdimension(5);
  mm.mutable_batchedmatmul()->set_weightmatrixseconddimension(3);
  mm.mutable_batchedmatmul()->set_hasbias(true);
  mm.mutable_batchedmatmul()->set_int8dynamicquantize(true);
  const auto refs = layer_weights(mm);
  EXPECT_EQ(find(refs, "batchedMatmul.weights").expected_count, 15);
  EXPECT_EQ(find(refs, "batchedMatmul.weights").layout.channels, 3);
  EXPECT_TRUE(find(refs, "batchedMatmul.weights").int8_dynamic);
  EXPECT_EQ(find(refs, "batchedMatmul.bias").expected_count, 3);
  mm.add_input("b");  // two inputs: no constant operand
  EXPECT_TRUE(layer_weights(mm).empty());
}

TEST(Shapes, NormalizationAndConstants) {
  NeuralNetworkLayer bn;
  bn.mutable_batchnorm()->set_channels(6);
  EXPECT_EQ(layer_weights(bn).size(), 4u);
  bn.mutable_batchnorm()->set_computemeanvar(true);  // mean and variance unused
  EXPECT_EQ(layer_weights(bn).size(), 2u);

  NeuralNetworkLayer ln;
  ln.mutable_layernormalization()->add_normalizedshape(4);
  ln.mutable_layernormalization()->add_normalizedshape(5);
  EXPECT_EQ(find(layer_weights(ln), "layerNormalization.gamma").expected_count, 20);

  NeuralNetworkLayer scale;
  for (int d : {3, 4, 5}) scale.mutable_scale()->add_shapescale(d);
  scale.mutable_scale()->set_hasbias(true);
  scale.mutable_scale()->add_shapebias(3);
  auto refs = layer_weights(scale);
  EXPECT_EQ(find(refs, "scale.scale").expected_count, 60);
  EXPECT_EQ(find(refs, "scale.scale").layout.channels, 3);
  EXPECT_EQ(find(refs, "scale.scale").layout.inner, 20);
  EXPECT_EQ(find(refs, "scale.bias").expected_count, 3);

  NeuralNetworkLayer constant;
  for (int d : {2, 3, 4, 5}) constant.mutable_loadconstantnd()->add_shape(d);
  EXPECT_EQ(find(layer_weights(constant), "loadConstantND.data").expected_count, 120);
}

TEST(Shapes, Recurrent) {
  NeuralNetworkLayer lstm;
  auto* p = lstm.mutable_bidirectionallstm();
  p->set_inputvectorsize(5);
  p->set_outputvectorsize(4);
  p->mutable_params()->set_hasbiasvectors(true);
  p->mutable_params()->set_haspeepholevectors(true);
  p->add_weightparams();  // the backward entry is missing
  const auto refs = layer_weights(lstm);
  EXPECT_EQ(refs.size(), 30u);  // 2 x (4 input + 4 recursion + 4 bias + 3 peephole)
  EXPECT_EQ(find(refs, "biDirectionalLSTM.weightParams[0].inputGateWeightMatrix").expected_count,
            20);
  EXPECT_EQ(
      find(refs, "biDirectionalLSTM.weightParams[1].outputGateRecursionMatrix").expected_count, 16);
  EXPECT_EQ(find(refs, "biDirectionalLSTM.weightParams[1].forgetGatePeepholeVector").expected_count,
            4);
  EXPECT_TRUE(mutable_layer_weights(lstm).empty());  // nothing is stored yet

  NeuralNetworkLayer gru;
  gru.mutable_gru()->set_inputvectorsize(3);
  gru.mutable_gru()->set_outputvectorsize(2);
  const auto g = layer_weights(gru);
  EXPECT_EQ(g.size(), 6u);  // no biases without hasBiasVectors
  EXPECT_EQ(find(g, "gru.resetGateWeightMatrix").expected_count, 6);
  EXPECT_EQ(find(g, "gru.outputGateRecursionMatrix").expected_count, 4);
  EXPECT_EQ(find(g, "gru.outputGateRecursionMatrix").layout.channels, 2);

  NeuralNetworkLayer rnn;
  rnn.mutable_simplerecurrent()->set_inputvectorsize(3);
  rnn.mutable_simplerecurrent()->set_outputvectorsize(2);
  rnn.mutable_simplerecurrent()->set_hasbiasvector(true);
  EXPECT_EQ(find(layer_weights(rnn), "simpleRecurrent.biasVector").expected_count, 2);
}

TEST(Shapes, UndeterminedCounts) {
  NeuralNetworkLayer prelu;
  prelu.mutable_activation()->mutable_prelu()->mutable_alpha()->add_floatvalue(0.25f);
  const auto refs = layer_weights(prelu);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].field, "activation.PReLU.alpha");
  EXPECT_EQ(refs[0].expected_count, -1);  // C or 1

  NeuralNetworkLayer custom;
  for (int i = 0; i < 3; ++i) custom.mutable_custom()->add_weights()->add_floatvalue(i);
  const auto c = layer_weights(custom);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2].field, "custom.weights[2]");
  EXPECT_EQ(c[2].expected_count, -1);
  EXPECT_FALSE(c[2].required);
}

TEST(Shapes, NestedNetworks) {
  NeuralNetworkLayer loop;
  auto* body = loop.mutable_loop()->mutable_bodynetwork();
  body->add_layers()->mutable_activation()->mutable_relu();
  auto* ip = body->add_layers()->mutable_innerproduct();
  ip->set_inputchannels(2);
  ip->set_outputchannels(3);
  const auto refs = layer_weights(loop);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].field, "loop.bodyNetwork.layers[1].innerProduct.weights");
  EXPECT_EQ(refs[0].expected_count, 6);
}

TEST(Shapes, HostileSizesSaturate) {
  NeuralNetworkLayer layer;
  auto* c = layer.mutable_convolution();
  c->set_outputchannels(uint64_t(1) << 40);
  c->set_kernelchannels(uint64_t(1) << 40);
  c->add_kernelsize(~uint64_t(0));
  c->add_kernelsize(3);
  EXPECT_EQ(find(layer_weights(layer), "convolution.weights").expected_count,
            std::numeric_limits<int64_t>::max());

  Spec spec = load_real("torch/conv2d_basic.mlmodel");
  auto& l = *mutable_network_layers(spec)->Mutable(0);
  l.mutable_convolution()->set_outputchannels(uint64_t(1) << 40);
  l.mutable_convolution()->set_kernelchannels(uint64_t(1) << 40);
  try {
    validate_spec(spec);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("field convolution.weights"), std::string::npos)
        << e.what();
  }
}

TEST(Mutable, RewritesInPlace) {
  Spec spec = load_real("torch/mlp.mlmodel");
  auto& layer = *mutable_network_layers(spec)->Mutable(0);
  auto refs = mutable_layer_weights(layer);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].field, "innerProduct.weights");
  const auto values = decode_weights(*refs[0].weights, refs[0].expected_count, refs[0].field);
  set_float16_weights(*refs[0].weights, values);
  EXPECT_EQ(layer.innerproduct().weights().float16value().size(), values.size() * 2);
  EXPECT_NO_THROW(validate_spec(spec));
}

}  // namespace
}  // namespace morel::test
