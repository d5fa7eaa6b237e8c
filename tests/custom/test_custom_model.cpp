// Custom models (Model.customModel): a user class found by className runs the
// whole model; features going in and out are checked against the model
// description, and user failures are reported naming the class.
#include <gtest/gtest.h>

#include <mutex>

#include "custom/custom_test_models.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"

namespace morel::test {
namespace {

std::mutex seen_mutex;
CustomModelSpec seen_spec;

// "y" = a * "x" + b; "label" = the string parameter "label"; misbehaves on
// request (parameter "mode") to test the runtime's checks.
class Affine : public CustomModel {
 public:
  explicit Affine(const CustomModelSpec& s)
      : a_(static_cast<float>(s.parameters.get_double("a", 1.0))),
        b_(static_cast<float>(s.parameters.get_double("b", 0.0))),
        mode_(s.parameters.get_string("mode", "ok")) {
    std::lock_guard lock(seen_mutex);
    seen_spec = s;
  }
  FeatureMap predict(const FeatureMap& in) const override {
    const auto& x = std::get<MultiArray>(in.at("x"));
    if (x.get_float(0) < 0) throw std::domain_error("Affine needs x[0] >= 0");
    MultiArray y(DType::kFloat32, x.shape());
    for (int64_t i = 0; i < x.count(); ++i) y.set_float(i, a_ * x.get_float(i) + b_);
    if (mode_ == "forget_y") return {{"label", std::string("ok")}};
    if (mode_ == "y_as_double") return {{"y", 1.0}, {"label", std::string("ok")}};
    return {{"y", y}, {"label", std::string("ok")}, {"undeclared", int64_t{1}}};
  }

 private:
  float a_, b_;
  std::string mode_;
};
MOREL_REGISTER_CUSTOM_MODEL("Affine", Affine);

Spec affine_spec(const std::string& class_name = "Affine",
                 const std::function<void(spec::CustomModel&)>& edit = {}) {
  Spec spec;
  spec.set_specificationversion(3);
  auto* x = spec.mutable_description()->add_input();
  x->set_name("x");
  x->mutable_type()->mutable_multiarraytype()->add_shape(4);
  x->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
  auto* y = spec.mutable_description()->add_output();
  y->set_name("y");
  y->mutable_type()->mutable_multiarraytype()->add_shape(4);
  y->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
  auto* label = spec.mutable_description()->add_output();
  label->set_name("label");
  label->mutable_type()->mutable_stringtype();
  spec.mutable_custommodel()->set_classname(class_name);
  spec.mutable_custommodel()->set_description("y = a x + b");
  auto& params = *spec.mutable_custommodel()->mutable_parameters();
  params["a"].set_doublevalue(2);
  params["b"].set_intvalue(1);
  params["blob"].set_bytesvalue(std::string("\x01\x00\xff", 3));
  if (edit) edit(*spec.mutable_custommodel());
  return spec;
}

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

TEST(CustomModels, PredictsAndSeesItsSpec) {
  Model model = Model::from_bytes(serialize_spec(affine_spec()));
  FeatureMap out = model.predict({{"x", ramp({4}, 1)}});
  EXPECT_EQ(floats_of(out, "y"), (std::vector<float>{3, 5, 7, 9}));
  EXPECT_EQ(std::get<std::string>(out.at("label")), "ok");
  EXPECT_EQ(out.count("undeclared"), 0u) << "only declared outputs are returned";

  std::lock_guard lock(seen_mutex);
  EXPECT_EQ(seen_spec.class_name, "Affine");
  EXPECT_EQ(seen_spec.description, "y = a x + b");
  EXPECT_EQ(seen_spec.input_names, std::vector<std::string>{"x"});
  EXPECT_EQ(seen_spec.output_names, (std::vector<std::string>{"y", "label"}));
  EXPECT_EQ(seen_spec.parameters.type_of("blob"), "bytes");
  EXPECT_EQ(seen_spec.parameters.get_bytes("blob"), (Bytes{1, 0, 255}));
  EXPECT_EQ(seen_spec.parameters.type_of("b"), "int32");
}

TEST(CustomModels, MissingClassNamesItAndTheRemedies) {
  Error e = error_of([] { Model::from_spec(affine_spec("NoSuchModel")); });
  EXPECT_EQ(e.code(), ErrorCode::kMissingCustomLayer);
  const std::string m = e.what();
  EXPECT_NE(m.find("custom model of class 'NoSuchModel'"), std::string::npos) << m;
  EXPECT_NE(m.find("MOREL_REGISTER_CUSTOM_MODEL"), std::string::npos) << m;
  EXPECT_NE(m.find("--plugin"), std::string::npos) << m;
  EXPECT_EQ(error_of([] { Model::from_spec(affine_spec("")); }).code(), ErrorCode::kInvalidModel);
}

TEST(CustomModels, ConstructorErrorsNameTheClass) {
  Error e = error_of([] {
    Model::from_spec(affine_spec("Affine", [](spec::CustomModel& m) {
      (*m.mutable_parameters())["a"].set_stringvalue("two");
    }));
  });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_EQ(std::string(e.what()),
            "custom model class 'Affine': parameter 'a' is string, expected double");
}

TEST(CustomModels, InputsAreCheckedAgainstTheDescription) {
  Model model = Model::from_spec(affine_spec());
  Error e = error_of([&] { model.predict({}); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("missing input 'x'"), std::string::npos) << e.what();
  e = error_of([&] { model.predict({{"x", ramp({4})}, {"z", 1.0}}); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("input 'z' is not an input of the model; its inputs are: x"),
            std::string::npos)
      << e.what();
  e = error_of([&] { model.predict({{"x", std::string("four")}}); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("input 'x' is of kind string"), std::string::npos)
      << e.what();
}

TEST(CustomModels, OutputsAreCheckedAgainstTheDescription) {
  Model forgets = Model::from_spec(affine_spec("Affine", [](spec::CustomModel& m) {
    (*m.mutable_parameters())["mode"].set_stringvalue("forget_y");
  }));
  Error e = error_of([&] { forgets.predict({{"x", ramp({4})}}); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_EQ(std::string(e.what()),
            "custom model class 'Affine' returned no output 'y' (it returned: label)");

  Model wrong_kind = Model::from_spec(affine_spec("Affine", [](spec::CustomModel& m) {
    (*m.mutable_parameters())["mode"].set_stringvalue("y_as_double");
  }));
  e = error_of([&] { wrong_kind.predict({{"x", ramp({4})}}); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_NE(std::string(e.what()).find("returned output 'y' of kind double"), std::string::npos)
      << e.what();
}

TEST(CustomModels, UserErrorsAreReportedAndTheModelStaysUsable) {
  Model model = Model::from_spec(affine_spec());
  Error e = error_of([&] { model.predict({{"x", ramp({4}, -1)}}); });
  EXPECT_EQ(e.code(), ErrorCode::kCustomLayerFailed);
  EXPECT_EQ(std::string(e.what()), "custom model class 'Affine' failed: Affine needs x[0] >= 0");
  EXPECT_EQ(floats_of(model.predict({{"x", ramp({4})}}), "y"), (std::vector<float>{1, 3, 5, 7}));
}

TEST(CustomModels, RunAsAPipelineStage) {
  // Affine, then a network that doubles "y" into "z".
  ModelBuilder net;
  net.add_array_input("y", {4});
  net.add_array_output("z", {4});
  net.add_activation("double", "y", "z", "LINEAR", {2.f, 0.f});
  Spec pipeline;
  pipeline.set_specificationversion(3);
  *pipeline.mutable_description()->add_input() = affine_spec().description().input(0);
  *pipeline.mutable_description()->add_output() = net.build().description().output(0);
  *pipeline.mutable_pipeline()->add_models() = affine_spec();
  *pipeline.mutable_pipeline()->add_models() = net.build();
  Model model = Model::from_spec(pipeline);
  EXPECT_EQ(floats_of(model.predict({{"x", ramp({4})}}), "z"), (std::vector<float>{2, 6, 10, 14}));
}

}  // namespace
}  // namespace morel::test
