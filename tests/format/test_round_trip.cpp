// Round trips: every real coremltools model re-serializes to the very same
// bytes, and fields our schema does not know survive a load and save.
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "format/format_test_util.h"
#include "morel/spec.h"

namespace morel::test {
namespace {

using google::protobuf::util::MessageDifferencer;

class RealModelRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST(RealModels, AllPresent) {
  ASSERT_TRUE(std::filesystem::is_directory(testdata_dir()));
  EXPECT_EQ(real_model_names().size(), kRealModelCount);
}

TEST_P(RealModelRoundTrip, SerializesToTheSameBytes) {
  const std::filesystem::path path = coreml_dir() / GetParam();
  const std::string bytes = read_bytes(path);
  ASSERT_FALSE(bytes.empty());
  const Spec spec = parse_spec(bytes, GetParam());
  const std::string again = serialize_spec(spec);
  ASSERT_EQ(again.size(), bytes.size());
  EXPECT_TRUE(again == bytes) << "re-serialized bytes differ";
}

TEST_P(RealModelRoundTrip, LoadSaveLoadIsEqual) {
  const Spec first = load_real(GetParam());
  const std::filesystem::path out = std::filesystem::temp_directory_path() /
                                    ("morel_round_trip_" + test_name_of(GetParam()) + ".mlmodel");
  save_spec(first, out);
  const Spec second = load_spec(out);
  std::filesystem::remove(out);
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));
  EXPECT_EQ(serialize_spec(first), serialize_spec(second));
}

INSTANTIATE_TEST_SUITE_P(Coreml, RealModelRoundTrip, ::testing::ValuesIn(real_model_names()),
                         [](const auto& param_info) { return test_name_of(param_info.param); });

// Encoders for hand-made wire data.
std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string tag(uint32_t field, int wire_type) {
  return varint((uint64_t(field) << 3) | wire_type);
}
std::string length_delimited(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}

TEST(UnknownFields, AppendedTopLevelFieldsSurvive) {
  const std::string bytes = read_bytes(coreml_dir() / "builder/lrn.mlmodel");
  ASSERT_FALSE(bytes.empty());
  // A varint, a 64-bit value, a string and a nested message with field
  // numbers the schema does not use.
  const std::string extra = tag(7777, 0) + varint(424242) + tag(7778, 1) +
                            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) +
                            length_delimited(7779, "future feature") +
                            length_delimited(7780, tag(1, 0) + varint(5));
  const Spec spec = parse_spec(bytes + extra);
  EXPECT_EQ(Spec::GetReflection()->GetUnknownFields(spec).field_count(), 4);
  EXPECT_EQ(serialize_spec(spec), bytes + extra);

  const std::filesystem::path out =
      std::filesystem::temp_directory_path() / "morel_unknown.mlmodel";
  save_spec(spec, out);
  EXPECT_EQ(read_bytes(out), bytes + extra);
  std::filesystem::remove(out);
}

TEST(UnknownFields, NestedUnknownFieldsSurvive) {
  Spec spec = load_real("torch/conv2d_basic.mlmodel");
  auto* layers = mutable_network_layers(spec);
  ASSERT_NE(layers, nullptr);
  ASSERT_GT(layers->size(), 0);
  auto& layer = *layers->Mutable(0);
  layer.GetReflection()->MutableUnknownFields(&layer)->AddVarint(9999, 17);
  auto& weights = *layer.mutable_convolution()->mutable_weights();
  weights.GetReflection()->MutableUnknownFields(&weights)->AddLengthDelimited(77, "blob");

  const std::string bytes = serialize_spec(spec);
  const Spec back = parse_spec(bytes);
  const auto& layer_back = network_view(back).layers->Get(0);
  const auto& unknown = layer_back.GetReflection()->GetUnknownFields(layer_back);
  ASSERT_EQ(unknown.field_count(), 1);
  EXPECT_EQ(unknown.field(0).number(), 9999);
  EXPECT_EQ(unknown.field(0).varint(), 17u);
  const auto& w_back = layer_back.convolution().weights();
  ASSERT_EQ(w_back.GetReflection()->GetUnknownFields(w_back).field_count(), 1);
  EXPECT_EQ(serialize_spec(back), bytes);
}

TEST(UnknownFields, UnknownModelTypeAndLayerKindSurvive) {
  // A model type from a newer schema (an unused Model.Type number) and a
  // layer kind our schema lacks.
  Spec spec = load_real("builder/lrn.mlmodel");
  Spec::GetReflection()->MutableUnknownFields(&spec)->AddLengthDelimited(4321, "new model");
  spec::NeuralNetworkLayer layer;
  layer.set_name("future");
  layer.GetReflection()->MutableUnknownFields(&layer)->AddLengthDelimited(5000, "");
  EXPECT_EQ(layer_kind_name(layer), "unknown field 5000");

  const std::string bytes = serialize_spec(spec);
  const Spec back = parse_spec(bytes);
  EXPECT_EQ(serialize_spec(back), bytes);
  EXPECT_EQ(model_type_name(back), "neuralNetwork");  // the known type still wins

  Spec typeless;
  typeless.set_specificationversion(4);
  Spec::GetReflection()->MutableUnknownFields(&typeless)->AddLengthDelimited(4321, "x");
  const Spec typeless_back = parse_spec(serialize_spec(typeless));
  EXPECT_EQ(model_type_name(typeless_back), "unknown field 4321");
}

}  // namespace
}  // namespace morel::test
