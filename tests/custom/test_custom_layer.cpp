// Custom layers through the runtime: registration (macro, function), the
// errors a user can act on (missing class, failing user code, wrong shapes),
// the planner and arena they share with built-in layers, and the shapes they
// see in legacy and N-d networks.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "custom/custom_test_models.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"

namespace probe {

// y = factor * x, factor from the double parameter "factor" (default 2).
class Scale : public morel::CustomLayer {
 public:
  explicit Scale(const morel::CustomLayerSpec& spec)
      : factor_(static_cast<float>(spec.parameters.get_double("factor", 2.0))) {}
  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> in) const override {
    return {in[0]};
  }
  void evaluate_cpu(std::span<const morel::ConstTensorView> in,
                    std::span<const morel::TensorView> out) const override {
    for (int64_t i = 0; i < in[0].count(); ++i) out[0].data[i] = factor_ * in[0].data[i];
  }
  bool batch_independent() const override { return true; }

 private:
  float factor_;
};

// Default-constructible: the macro builds it without a spec. y = -x.
class Negate : public morel::CustomLayer {
 public:
  std::vector<morel::Shape> output_shapes(std::span<const morel::Shape> in) const override {
    return {in[0]};
  }
  void evaluate_cpu(std::span<const morel::ConstTensorView> in,
                    std::span<const morel::TensorView> out) const override {
    for (int64_t i = 0; i < in[0].count(); ++i) out[0].data[i] = -in[0].data[i];
  }
};

}  // namespace probe

// Namespaced and default-constructible types through the one-line macro.
MOREL_REGISTER_CUSTOM_LAYER("ProbeScale", probe::Scale);
MOREL_REGISTER_CUSTOM_LAYER("ProbeNegate", probe::Negate);

namespace morel::test {
namespace {

// Copies its input, but fails on a negative first element.
class FailsOnNegative : public CustomLayer {
 public:
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    if (in[0].data[0] < 0) throw std::runtime_error("negative input is not supported");
    std::copy(in[0].data, in[0].data + in[0].count(), out[0].data);
  }
};

// Returns whatever shapes it was told to, to test the runtime's checks.
class ShapeLiar : public CustomLayer {
 public:
  explicit ShapeLiar(const CustomLayerSpec& s) : mode_(s.parameters.get_string("mode")) {}
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override {
    if (mode_ == "two") return {in[0], in[0]};
    if (mode_ == "rank4") return {Shape{1, 2, 3, 4}};
    if (mode_ == "negative") {
      Shape s = in[0];
      s[2] = -1;
      return {s};
    }
    if (mode_ == "throw") throw std::invalid_argument("cannot take shape " + in[0].str());
    Shape s = in[0];  // "grow": one more channel than declared
    s[2] += 1;
    return {s};
  }
  void evaluate_cpu(std::span<const ConstTensorView>,
                    std::span<const TensorView> out) const override {
    for (const TensorView& t : out) std::fill(t.data, t.data + t.count(), 0.f);
  }

 private:
  std::string mode_;
};

// Records what the runtime hands it: shapes, pointers, and the spec.
struct Seen {
  std::mutex mutex;
  CustomLayerSpec spec;
  std::vector<Shape> shapes;
  const float* in = nullptr;
  float* out = nullptr;
  int evaluations = 0;
};
Seen& seen() {
  static Seen s;
  return s;
}

class Recorder : public CustomLayer {
 public:
  explicit Recorder(const CustomLayerSpec& s) {
    std::lock_guard lock(seen().mutex);
    seen().spec = s;
  }
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override {
    std::lock_guard lock(seen().mutex);
    seen().shapes.assign(in.begin(), in.end());
    return {in[0]};
  }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    std::lock_guard lock(seen().mutex);
    seen().in = in[0].data;
    seen().out = out[0].data;
    ++seen().evaluations;
    for (int64_t i = 0; i < in[0].count(); ++i) out[0].data[i] = in[0].data[i] + 1;
  }
};

class HalfOnly : public CustomLayer {
 public:
  std::vector<DType> supported_types() const override { return {DType::kFloat16}; }
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView>, std::span<const TensorView>) const override {}
};

// Has a GPU implementation, which a CPU-only runtime never asks for.
class GpuCapable : public CustomLayer {
 public:
  struct Gpu : GpuLayer {};
  std::vector<Shape> output_shapes(std::span<const Shape> in) const override { return {in[0]}; }
  void evaluate_cpu(std::span<const ConstTensorView> in,
                    std::span<const TensorView> out) const override {
    for (int64_t i = 0; i < in[0].count(); ++i) out[0].data[i] = in[0].data[i] * 3;
  }
  std::unique_ptr<GpuLayer> make_gpu_layer(GpuDevice&) const override {
    return std::make_unique<Gpu>();
  }
};

class CustomLayerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    register_custom_layer("FailsOnNegative", custom_layer_factory<FailsOnNegative>());
    register_custom_layer("ShapeLiar", custom_layer_factory<ShapeLiar>());
    register_custom_layer("Recorder", custom_layer_factory<Recorder>());
    register_custom_layer("HalfOnly", custom_layer_factory<HalfOnly>());
    register_custom_layer("GpuCapable", custom_layer_factory<GpuCapable>());
    register_custom_layer("CtorThrows", [](const CustomLayerSpec&) -> std::unique_ptr<CustomLayer> {
      throw std::runtime_error("license file not found");
    });
    register_custom_layer("ReturnsNull",
                          [](const CustomLayerSpec&) { return std::unique_ptr<CustomLayer>(); });
  }
};

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a morel::Error";
  return Error(ErrorCode::kInvalidArgument, "");
}

TEST_F(CustomLayerTest, MacroRegisteredClassesRun) {
  EXPECT_TRUE(has_custom_layer("ProbeScale"));
  EXPECT_TRUE(has_custom_layer("ProbeNegate"));
  Model scale = Model::from_spec(single_custom_layer_model(
      "ProbeScale", [](auto& p) { (*p.mutable_parameters())["factor"].set_doublevalue(0.5); }));
  EXPECT_EQ(floats_of(scale.predict({{"x", ramp({2, 3, 4})}}), "y"),
            floats_of({{"y", ramp({2, 3, 4}, 0, 0.5f)}}, "y"));
  Model negate = Model::from_spec(single_custom_layer_model("ProbeNegate"));
  EXPECT_EQ(floats_of(negate.predict({{"x", ramp({2, 3, 4}, 1)}}), "y"),
            floats_of({{"y", ramp({2, 3, 4}, -1, -1)}}, "y"));
}

TEST_F(CustomLayerTest, RegistryListsClassesAndRefusesBadRegistrations) {
  auto layers = registered_custom_layers();
  EXPECT_TRUE(std::is_sorted(layers.begin(), layers.end()));
  EXPECT_NE(std::find(layers.begin(), layers.end(), "Recorder"), layers.end());
  EXPECT_FALSE(has_custom_layer("NoSuchClass"));
  EXPECT_EQ(error_of([] { register_custom_layer("", custom_layer_factory<HalfOnly>()); }).code(),
            ErrorCode::kInvalidArgument);
  Error e = error_of([] { register_custom_layer("Empty", CustomLayerFactory{}); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("'Empty'"), std::string::npos) << e.what();
  EXPECT_FALSE(has_custom_layer("Empty"));
}

TEST_F(CustomLayerTest, MissingClassNamesClassLayerAndRemedies) {
  Error e = error_of([] { Model::from_spec(single_custom_layer_model("NotLinkedAnywhere")); });
  EXPECT_EQ(e.code(), ErrorCode::kMissingCustomLayer);
  const std::string m = e.what();
  EXPECT_NE(m.find("layer 'probe'"), std::string::npos) << m;
  EXPECT_NE(m.find("class 'NotLinkedAnywhere'"), std::string::npos) << m;
  EXPECT_NE(m.find("MOREL_REGISTER_CUSTOM_LAYER"), std::string::npos) << m;
  EXPECT_NE(m.find("register_custom_layer"), std::string::npos) << m;
  EXPECT_NE(m.find("--plugin"), std::string::npos) << m;
}

TEST_F(CustomLayerTest, EmptyClassNameIsAnInvalidModel) {
  Error e = error_of([] { Model::from_spec(single_custom_layer_model("")); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  const std::string m = e.what();
  EXPECT_NE(m.find("layer 'probe'"), std::string::npos) << m;
  EXPECT_NE(m.find("className is empty"), std::string::npos) << m;
}

TEST_F(CustomLayerTest, ConstructorAndFactoryFailuresNameTheLayer) {
  Error e = error_of([] { Model::from_spec(single_custom_layer_model("CtorThrows")); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_NE(std::string(e.what()).find("layer 'probe' (custom CtorThrows): license file not found"),
            std::string::npos)
      << e.what();
  e = error_of([] { Model::from_spec(single_custom_layer_model("ReturnsNull")); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_NE(std::string(e.what()).find("returned no object"), std::string::npos) << e.what();
}

TEST_F(CustomLayerTest, ClassWithoutFloat32IsRefusedAtLoad) {
  Error e = error_of([] { Model::from_spec(single_custom_layer_model("HalfOnly")); });
  EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
  EXPECT_NE(std::string(e.what()).find("accepts float16"), std::string::npos) << e.what();
}

TEST_F(CustomLayerTest, EvaluateFailureNamesLayerAndModelStaysUsable) {
  Model model = Model::from_spec(single_custom_layer_model("FailsOnNegative"));
  EXPECT_EQ(floats_of(model.predict({{"x", ramp({2, 3, 4}, 1)}}), "y"),
            floats_of({{"y", ramp({2, 3, 4}, 1)}}, "y"));
  Error e = error_of([&] { model.predict({{"x", ramp({2, 3, 4}, -5)}}); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  const std::string m = e.what();
  EXPECT_NE(m.find("layer 'probe'"), std::string::npos) << m;
  EXPECT_NE(m.find("class 'FailsOnNegative'"), std::string::npos) << m;
  EXPECT_NE(m.find("negative input is not supported"), std::string::npos) << m;
  // The next predictions run normally, on the same pooled memory.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(floats_of(model.predict({{"x", ramp({2, 3, 4}, 2)}}), "y"),
              floats_of({{"y", ramp({2, 3, 4}, 2)}}, "y"));
}

TEST_F(CustomLayerTest, OutputShapeCountMismatchIsAnError) {
  Model model = Model::from_spec(single_custom_layer_model(
      "ShapeLiar", [](auto& p) { (*p.mutable_parameters())["mode"].set_stringvalue("two"); }));
  Error e = error_of([&] { model.predict({{"x", ramp({2, 3, 4})}}); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_NE(std::string(e.what()).find("returned 2 shape(s); the layer declares 1 output(s)"),
            std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("layer 'probe'"), std::string::npos) << e.what();
}

TEST_F(CustomLayerTest, OutputShapeAgainstDeclaredOutputIsAnError) {
  Model model = Model::from_spec(single_custom_layer_model(
      "ShapeLiar", [](auto& p) { (*p.mutable_parameters())["mode"].set_stringvalue("grow"); }));
  Error e = error_of([&] { model.predict({{"x", ramp({2, 3, 4})}}); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  EXPECT_NE(std::string(e.what()).find("output 'y': the network computes shape 1x1x3x3x4 but the "
                                       "model declares 2x3x4"),
            std::string::npos)
      << e.what();
}

TEST_F(CustomLayerTest, LegacyNetworksNeedRank5AndNonNegativeShapes) {
  for (const char* mode : {"rank4", "negative", "throw"}) {
    Model model = Model::from_spec(single_custom_layer_model(
        "ShapeLiar", [&](auto& p) { (*p.mutable_parameters())["mode"].set_stringvalue(mode); }));
    Error e = error_of([&] { model.predict({{"x", ramp({2, 3, 4})}}); });
    EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed) << mode;
    const std::string m = e.what();
    EXPECT_NE(m.find("class 'ShapeLiar' output_shapes"), std::string::npos) << m;
    const std::string expected = std::string(mode) == "rank4"      ? "rank 4 shape 1x2x3x4"
                                 : std::string(mode) == "negative" ? "negative dimension"
                                                                   : "cannot take shape 1x1x2x3x4";
    EXPECT_NE(m.find(expected), std::string::npos) << m;
  }
}

TEST_F(CustomLayerTest, SpecAndShapesInLegacyAndExactNetworks) {
  Model legacy = Model::from_spec(single_custom_layer_model("Recorder"));
  {
    std::lock_guard lock(seen().mutex);
    EXPECT_EQ(seen().spec.layer_name, "probe");
    EXPECT_EQ(seen().spec.class_name, "Recorder");
    EXPECT_EQ(seen().spec.description, "a test layer");
    EXPECT_TRUE(seen().spec.rank5);
  }
  legacy.predict({{"x", ramp({2, 3, 4})}});
  {
    std::lock_guard lock(seen().mutex);
    ASSERT_EQ(seen().shapes.size(), 1u);
    EXPECT_EQ(seen().shapes[0], (Shape{1, 1, 2, 3, 4}));  // [Seq, Batch, C, H, W]
  }

  CustomModelShape nd;
  nd.input = {5, 7};
  nd.exact = true;
  Model exact = Model::from_spec(single_custom_layer_model("Recorder", {}, nd));
  {
    std::lock_guard lock(seen().mutex);
    EXPECT_FALSE(seen().spec.rank5);
  }
  auto out = exact.predict({{"x", ramp({5, 7}, 3)}});
  EXPECT_EQ(floats_of(out, "y"), floats_of({{"y", ramp({5, 7}, 4)}}, "y"));
  std::lock_guard lock(seen().mutex);
  EXPECT_EQ(seen().shapes[0], (Shape{5, 7}));
}

TEST_F(CustomLayerTest, RunsInThePlannedArenaBetweenBuiltInLayers) {
  // x -> LINEAR (2x + 1) -> Recorder (+1) -> LINEAR (x / 2) -> y
  ModelBuilder b;
  b.add_array_input("x", {3, 4, 5});
  b.add_array_output("y", {3, 4, 5});
  b.add_activation("before", "x", "a", "LINEAR", {2.f, 1.f});
  b.add_custom("probe", {"a"}, {"c"}, "Recorder");
  b.add_activation("after", "c", "y", "LINEAR", {0.5f, 0.f});
  Model model = Model::from_spec(b.build());

  MultiArray x = ramp({3, 4, 5}, -2, 0.25f);
  std::vector<float> expected;
  for (float v : x.to_floats()) expected.push_back((2 * v + 1 + 1) * 0.5f);
  const float* first_in = nullptr;
  float* first_out = nullptr;
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(floats_of(model.predict({{"x", x}}), "y"), expected);
    std::lock_guard lock(seen().mutex);
    // Contiguous, 64-byte aligned views of the one arena, distinct for input
    // and output, and the same memory every run: nothing is allocated per call.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(seen().in) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(seen().out) % 64, 0u);
    EXPECT_TRUE(seen().out + 60 <= seen().in || seen().in + 60 <= seen().out);
    if (run == 0) {
      first_in = seen().in;
      first_out = seen().out;
    }
    EXPECT_EQ(seen().in, first_in);
    EXPECT_EQ(seen().out, first_out);
  }
}

TEST_F(CustomLayerTest, BatchStackingFollowsTheClassDeclaration) {
  // Recorder keeps the default (not batch independent): one item per run.
  Model recorder = Model::from_spec(single_custom_layer_model("Recorder"));
  std::vector<FeatureMap> items;
  for (int i = 0; i < 4; ++i) items.push_back({{"x", ramp({2, 3, 4}, float(i))}});
  auto out = recorder.predict_batch(items);
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(floats_of(out[i], "y"), floats_of({{"y", ramp({2, 3, 4}, float(i + 1))}}, "y"));
  {
    std::lock_guard lock(seen().mutex);
    EXPECT_EQ(seen().shapes[0][1], 1);
  }
  // ProbeScale declares batch independence: items may be stacked, and each
  // result still equals its own prediction.
  Model scale = Model::from_spec(single_custom_layer_model("ProbeScale"));
  out = scale.predict_batch(items);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(floats_of(out[i], "y"), floats_of(scale.predict(items[i]), "y"));
}

TEST_F(CustomLayerTest, ClassWithGpuMethodStillRunsOnTheCpu) {
  Model model = Model::from_spec(single_custom_layer_model("GpuCapable"));
  EXPECT_EQ(floats_of(model.predict({{"x", ramp({2, 3, 4}, 1)}}), "y"),
            floats_of({{"y", ramp({2, 3, 4}, 3, 3)}}, "y"));
}

}  // namespace
}  // namespace morel::test
