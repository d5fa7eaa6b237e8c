// inspect on hostile input: whatever parses as a spec (bit-flipped, cut
// short or junk-filled real models, deep nesting, absurd declared sizes) is
// summarized and rendered without an exception, a crash or a sanitizer
// report, and its numbers stay sane. CI runs this under ASan and UBSan.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <random>

#include "format/format_test_util.h"
#include "morel/builder.h"
#include "tools/inspect.h"

namespace morel::test {
namespace {

// protobuf logs each string field with invalid UTF-8 it refuses.
const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// Returns whether the bytes parsed (and so were inspected).
bool inspect_bytes(std::string_view bytes) {
  Spec spec;
  try {
    spec = parse_spec(bytes, "hostile");
  } catch (const Error&) {
    return false;
  }
  tools::ModelSummary s;
  EXPECT_NO_THROW(s = tools::summarize_model(spec));
  EXPECT_GE(s.weights.tensor_count, 0);
  EXPECT_GE(s.weights.parameter_count, 0);
  EXPECT_GE(s.weights.size_bytes, 0);
  EXPECT_LE(s.weights.size_bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_NO_THROW((void)tools::render_text(s));
  EXPECT_NO_THROW((void)tools::to_json(s).dump(2, ' ', false,
                                               nlohmann::ordered_json::error_handler_t::replace));
  return true;
}

TEST(InspectHostile, BitFlipsOfSmallModels) {
  int parsed = 0;
  for (const char* name : {"builder/lstm.mlmodel", "builder/classifier_string_labels.mlmodel",
                           "image/image_rgb.mlmodel", "builder/flex_enumerated_rank5.mlmodel"}) {
    const std::string original = read_bytes(coreml_dir() / name);
    ASSERT_FALSE(original.empty()) << name;
    std::string bytes = original;
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
      bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
      parsed += inspect_bytes(bytes);
      bytes[bit / 8] = original[bit / 8];
    }
  }
  EXPECT_GT(parsed, 1000);
}

TEST(InspectHostile, PrefixesAndByteChangesOfAQuantizedModel) {
  const std::string original =
      read_bytes(coreml_dir() / "quantized/squeezenet1_1_q2_kmeans.mlmodel");
  ASSERT_GT(original.size(), 100000u);
  int parsed = 0;
  for (size_t n = 0; n < original.size(); n += original.size() / 199 + 1)
    parsed += inspect_bytes(std::string_view(original).substr(0, n));
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pos(0, original.size() - 1);
  for (int i = 0; i < 100; ++i) {
    std::string bytes = original;
    for (int c = 0; c < 1 + i % 3; ++c) bytes[pos(rng)] = static_cast<char>(rng());
    parsed += inspect_bytes(bytes);
  }
  EXPECT_GT(parsed, 0);
}

TEST(InspectHostile, JunkLayersInsideANetwork) {
  std::mt19937 rng(42);
  // specificationVersion 4, then a neuralNetwork (field 500) or a classifier
  // (403) holding one "layer" of random bytes.
  auto field = [](uint32_t number, const std::string& payload) {
    std::string out;
    auto varint = [&out](uint64_t v) {
      while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
      }
      out += static_cast<char>(v);
    };
    varint((uint64_t(number) << 3) | 2);
    varint(payload.size());
    return out + payload;
  };
  int parsed = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string junk(1 + rng() % 200, '\0');
    for (auto& b : junk) b = static_cast<char>(rng());
    parsed += inspect_bytes(std::string("\x08\x04") + field(500, field(1, junk)));
    parsed += inspect_bytes(std::string("\x08\x04") + field(403, field(1, junk)));
  }
  EXPECT_GT(parsed, 0);
}

TEST(InspectHostile, AbsurdDeclaredSizes) {
  // A 4-bit innerProduct declaring 2^62 x 2^62 weights with 8 bytes stored.
  ModelBuilder b;
  b.add_array_input("x", {4});
  b.add_array_output("y");
  for (const char* name : {"a", "b"}) {
    auto& l = b.add_layer(name, {name[0] == 'a' ? "x" : "a"}, {name[0] == 'a' ? "a" : "y"});
    l.mutable_innerproduct()->set_inputchannels(uint64_t(1) << 62);
    l.mutable_innerproduct()->set_outputchannels(uint64_t(1) << 62);
    auto* w = l.mutable_innerproduct()->mutable_weights();
    w->set_rawvalue(std::string(8, '\x55'));
    w->mutable_quantization()->set_numberofbits(4);
    w->mutable_quantization()->mutable_linearquantization()->add_scale(1);
  }
  Spec spec = b.spec();
  spec.set_specificationversion(4);
  const tools::ModelSummary s = tools::summarize_model(spec);
  EXPECT_TRUE(s.validation_error);
  // The bytes bound the count: 16 values of 4 bits each, per layer.
  EXPECT_EQ(s.weights.parameter_count, 32);
  EXPECT_EQ(s.weights.by_precision.at(0).key, "4bit_linearQuantization");

  // Bit widths no format allows.
  spec.mutable_neuralnetwork()
      ->mutable_layers(0)
      ->mutable_innerproduct()
      ->mutable_weights()
      ->mutable_quantization()
      ->set_numberofbits(uint64_t(1) << 40);
  spec.mutable_neuralnetwork()
      ->mutable_layers(1)
      ->mutable_innerproduct()
      ->mutable_weights()
      ->mutable_quantization()
      ->set_numberofbits(0);
  tools::ModelSummary t;
  ASSERT_NO_THROW(t = tools::summarize_model(spec));
  EXPECT_GE(t.weights.parameter_count, 0);
  EXPECT_NO_THROW((void)tools::render_text(t));
}

TEST(InspectHostile, DeepPipelinesAndBranches) {
  // Pipelines nested 40 deep around a real network.
  Spec inner = load_real("builder/lrn.mlmodel");
  for (int depth = 0; depth < 40; ++depth) {
    Spec outer;
    outer.set_specificationversion(4);
    *outer.mutable_pipeline()->add_models() = std::move(inner);
    inner = std::move(outer);
  }
  tools::ModelSummary s;
  ASSERT_NO_THROW(s = tools::summarize_model(inner));
  const tools::ModelSummary* at = &s;
  int depth = 0;
  while (!at->sub_models.empty()) {
    at = &at->sub_models[0];
    ++depth;
  }
  EXPECT_EQ(depth, 40);
  EXPECT_EQ(at->model_type, "neuralNetwork");
  EXPECT_NO_THROW((void)tools::render_text(s));

  // Branches nested 30 deep, one layer in each.
  spec::NeuralNetwork net;
  for (int i = 0; i < 30; ++i) {
    spec::NeuralNetwork outer;
    auto* layer = outer.add_layers();
    layer->set_name("branch" + std::to_string(i));
    *layer->mutable_branch()->mutable_ifbranch() = std::move(net);
    net = std::move(outer);
  }
  Spec spec;
  spec.set_specificationversion(4);
  *spec.mutable_neuralnetwork() = std::move(net);
  ASSERT_NO_THROW(s = tools::summarize_model(spec));
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->layer_count, 30);
  EXPECT_EQ(s.network->nested_layer_count, 29);
}

}  // namespace
}  // namespace morel::test
