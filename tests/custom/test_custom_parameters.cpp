// Custom layer parameters: every CustomLayerParamValue kind reaches the class
// with its type, the typed getters widen only where no value is lost, and a
// wrong or missing parameter is one clear error naming it.
#include <gtest/gtest.h>

#include <limits>
#include <mutex>

#include "custom/custom_test_models.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"

namespace morel::test {
namespace {

std::mutex captured_mutex;
Parameters captured;

// Keeps the parameters it was built with; identity on its input.
class ParameterProbe : public CustomLayer {
 public:
  explicit ParameterProbe(const CustomLayerSpec& s) {
    std::lock_guard lock(captured_mutex);
    captured = s.parameters;
  }
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    std::copy(in[0].data, in[0].data + in[0].count(), out[0].data);
  }
};
MOREL_REGISTER_CUSTOM_LAYER("ParameterProbe", ParameterProbe);

// Needs an int64 "size" of at least 1, and reads it in its constructor.
class NeedsSize : public ParameterProbe {
 public:
  explicit NeedsSize(const CustomLayerSpec& s) : ParameterProbe(s) {
    if (s.parameters.get_int("size") < 1) throw std::invalid_argument("size must be at least 1");
  }
};
MOREL_REGISTER_CUSTOM_LAYER("NeedsSize", NeedsSize);

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

Parameters load_with_every_kind() {
  Model::from_spec(single_custom_layer_model("ParameterProbe", [](spec::CustomLayerParams& p) {
    auto& m = *p.mutable_parameters();
    m["rate"].set_doublevalue(0.125);
    m["mode"].set_stringvalue("bilinear");
    m["count"].set_intvalue(-7);
    m["big"].set_longvalue(int64_t(1) << 40);
    m["small_long"].set_longvalue(12);
    m["enabled"].set_boolvalue(true);
    m["nothing"];  // a key stored without a value
  }));
  std::lock_guard lock(captured_mutex);
  return captured;
}

TEST(CustomParameters, EveryKindReachesTheClassTyped) {
  Parameters p = load_with_every_kind();
  EXPECT_EQ(p.all().size(), 7u);
  EXPECT_EQ(p.type_of("rate"), "double");
  EXPECT_EQ(p.type_of("mode"), "string");
  EXPECT_EQ(p.type_of("count"), "int32");
  EXPECT_EQ(p.type_of("big"), "int64");
  EXPECT_EQ(p.type_of("enabled"), "bool");
  EXPECT_EQ(p.type_of("nothing"), "unset");
  EXPECT_EQ(p.type_of("absent"), "");

  EXPECT_EQ(p.get_double("rate"), 0.125);
  EXPECT_EQ(p.get_string("mode"), "bilinear");
  EXPECT_EQ(p.get_int("count"), -7);
  EXPECT_EQ(p.get_int32("count"), -7);
  EXPECT_EQ(p.get_int("big"), int64_t(1) << 40);
  EXPECT_EQ(p.get_int32("small_long"), 12);
  EXPECT_TRUE(p.get_bool("enabled"));
  EXPECT_TRUE(std::holds_alternative<int32_t>(p.all().at("count")));
  EXPECT_TRUE(std::holds_alternative<int64_t>(p.all().at("big")));
}

TEST(CustomParameters, IntegersWidenToDoubleButNothingNarrowsSilently) {
  Parameters p = load_with_every_kind();
  EXPECT_EQ(p.get_double("count"), -7.0);
  EXPECT_EQ(p.get_double("big"), 1099511627776.0);
  EXPECT_NE(message_of([&] { p.get_int32("big"); })
                .find("parameter 'big' is 1099511627776, out of "
                      "the int32 range"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              p.get_int("rate");
            }).find("parameter 'rate' is double, expected an integer (int32 or int64)"),
            std::string::npos);
}

TEST(CustomParameters, WrongTypeNamesParameterAndBothTypes) {
  Parameters p = load_with_every_kind();
  EXPECT_EQ(message_of([&] { p.get_double("mode"); }),
            "parameter 'mode' is string, expected double");
  EXPECT_EQ(message_of([&] { p.get_string("rate"); }),
            "parameter 'rate' is double, expected string");
  EXPECT_EQ(message_of([&] { p.get_bool("count"); }), "parameter 'count' is int32, expected bool");
  EXPECT_EQ(message_of([&] { p.get_bytes("mode"); }), "parameter 'mode' is string, expected bytes");
  // The defaulted forms default only a missing value, never a wrong type.
  EXPECT_EQ(message_of([&] { p.get_bool("mode", false); }),
            "parameter 'mode' is string, expected bool");
}

TEST(CustomParameters, MissingAndUnsetValues) {
  Parameters p = load_with_every_kind();
  EXPECT_EQ(message_of([&] { p.get_double("absent"); }), "missing double parameter 'absent'");
  EXPECT_EQ(message_of([&] { p.get_string("nothing"); }),
            "parameter 'nothing' is stored without a value, expected string");
  EXPECT_FALSE(p.has("absent"));
  EXPECT_FALSE(p.has("nothing"));
  EXPECT_TRUE(p.has("rate"));
  EXPECT_EQ(p.get_double("absent", 1.0), 1.0);
  EXPECT_EQ(p.get_double("nothing", 2.0), 2.0);
  EXPECT_EQ(p.get_int("absent", 5), 5);
  EXPECT_EQ(p.get_int32("absent", -5), -5);
  EXPECT_EQ(p.get_string("absent", "nearest"), "nearest");
  EXPECT_FALSE(p.get_bool("absent", false));
  EXPECT_EQ(p.get_bytes("absent", Bytes{1, 2}), (Bytes{1, 2}));
  // And a present value wins over the default.
  EXPECT_EQ(p.get_double("rate", 9.0), 0.125);
}

TEST(CustomParameters, ParameterErrorsFailTheLoadNamingTheLayer) {
  std::string m = message_of([] {
    Model::from_spec(single_custom_layer_model("NeedsSize", [](spec::CustomLayerParams& p) {
      (*p.mutable_parameters())["size"].set_stringvalue("big");
    }));
  });
  EXPECT_EQ(m,
            "layer 'probe' (custom NeedsSize): parameter 'size' is string, expected an integer "
            "(int32 or int64)");
  m = message_of([] { Model::from_spec(single_custom_layer_model("NeedsSize")); });
  EXPECT_EQ(m, "layer 'probe' (custom NeedsSize): missing integer parameter 'size'");
  m = message_of([] {
    Model::from_spec(single_custom_layer_model("NeedsSize", [](spec::CustomLayerParams& p) {
      (*p.mutable_parameters())["size"].set_longvalue(0);
    }));
  });
  EXPECT_EQ(m, "layer 'probe' (custom NeedsSize): size must be at least 1");
}

TEST(CustomParameters, ParametersSurviveSavingAndLoading) {
  Spec spec = single_custom_layer_model("ParameterProbe", [](spec::CustomLayerParams& p) {
    (*p.mutable_parameters())["limit"].set_longvalue(std::numeric_limits<int64_t>::min());
    (*p.mutable_parameters())["name"].set_stringvalue(std::string("a\0b", 3));
  });
  Model::from_bytes(serialize_spec(spec));
  std::lock_guard lock(captured_mutex);
  EXPECT_EQ(captured.get_int("limit"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(captured.get_string("name"), std::string("a\0b", 3));
}

TEST(CustomParameters, TypeNames) {
  EXPECT_EQ(parameter_type_name(ParameterValue{}), "unset");
  EXPECT_EQ(parameter_type_name(ParameterValue{1.0}), "double");
  EXPECT_EQ(parameter_type_name(ParameterValue{std::string("s")}), "string");
  EXPECT_EQ(parameter_type_name(ParameterValue{int32_t{1}}), "int32");
  EXPECT_EQ(parameter_type_name(ParameterValue{int64_t{1}}), "int64");
  EXPECT_EQ(parameter_type_name(ParameterValue{true}), "bool");
  EXPECT_EQ(parameter_type_name(ParameterValue{Bytes{1}}), "bytes");
}

}  // namespace
}  // namespace morel::test
