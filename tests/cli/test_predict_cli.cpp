// `morel predict` end to end: the built binary run as a subprocess on models
// made with ModelBuilder and on real coremltools models from
// ../shared/testdata/coreml, checking stdout, stderr, exit codes, the files
// written and the numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/image_file.h"
#include "io/image_resize.h"
#include "io/npy.h"
#include "morel/builder.h"
#include "support/compare.h"
#include "support/paths.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

fs::path morel_binary() {
  return binary_dir() / "bin" / "morel";
}
fs::path test_plugin() {
  return binary_dir() / "lib" / "libpredict_test_plugin.so";
}

std::vector<float> floats_of(const json& values) {
  std::vector<float> out;
  if (values.is_array())
    for (const auto& v : values) {
      std::vector<float> inner = floats_of(v);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  else
    out.push_back(values.get<float>());
  return out;
}

class PredictCli : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) tmp_.keep();  // left for a look at what the command wrote
  }

  ProcessResult morel(std::vector<std::string> args, ProcessOptions options = {}) {
    args.insert(args.begin(), morel_binary().string());
    ProcessResult r = run_process(args, options);
    EXPECT_FALSE(r.signaled) << command_text(args) << " was killed (exit " << r.exit_code << ")\n"
                             << r.err;
    return r;
  }
  // A successful run's stdout; fails the test with the command's stderr otherwise.
  std::string ok(std::vector<std::string> args) {
    std::string cmd = command_text(args);
    ProcessResult r = morel(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    return r.out;
  }
  // A failing run: exit code `code`, one line on stderr starting "morel: error: ".
  std::string fails(std::vector<std::string> args, int code = 1) {
    std::string cmd = command_text(args);
    ProcessResult r = morel(std::move(args));
    EXPECT_EQ(r.exit_code, code) << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.rfind("morel: error: ", 0), 0u) << r.err;
    if (code == 1) {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    EXPECT_EQ(r.out, "");
    return r.err;
  }

  fs::path path(const std::string& name) { return dir_ / name; }

  // y = 2 x + 1 on a [1, 3] float32 array (exact N-d shapes).
  std::string linear_model() {
    ModelBuilder b;
    b.use_exact_shapes();
    b.add_array_input("x", {1, 3});
    b.add_array_output("y", {1, 3});
    b.add_activation("affine", "x", "y", "LINEAR", {2.0f, 1.0f});
    save_spec(b.build(), path("linear.mlmodel"));
    return path("linear.mlmodel").string();
  }

  // A legacy (rank-5) classifier: softmax over 4 values, string labels.
  std::string classifier_model() {
    ModelBuilder b(NetworkKind::kClassifier);
    b.add_array_input("scores", {4});
    b.add_softmax("softmax", "scores", "probs_blob");
    b.set_class_labels(std::vector<std::string>{"cat", "dog", "bird", "fish"}, "classLabel",
                       "probs", "probs_blob");
    save_spec(b.build(), path("classifier.mlmodel"));
    return path("classifier.mlmodel").string();
  }

  // The image tensor itself as the output: [1, C, 6, 8] for an 8x6 input.
  std::string image_model(spec::ImageFeatureType::ColorSpace color, const std::string& name) {
    ModelBuilder b;
    b.use_exact_shapes();
    b.add_image_input("image", 8, 6, color);
    int64_t c = color == spec::ImageFeatureType::GRAYSCALE ? 1 : 3;
    b.add_array_output("pixels", {1, c, 6, 8});
    b.add_activation("identity", "image", "pixels", "LINEAR", {1.0f, 0.0f});
    save_spec(b.build(), path(name));
    return path(name).string();
  }

  // Many outputs values: [1, 1200] -> same.
  std::string wide_model() {
    ModelBuilder b;
    b.use_exact_shapes();
    b.add_array_input("x", {1, 1200});
    b.add_array_output("y", {1, 1200});
    b.add_activation("relu", "x", "y", "RELU");
    save_spec(b.build(), path("wide.mlmodel"));
    return path("wide.mlmodel").string();
  }

  // A custom model implemented by tests/plugins/predict_test_plugin.cpp.
  std::string echo_model() {
    Spec s;
    s.set_specificationversion(4);
    s.mutable_custommodel()->set_classname("EchoModel");
    auto* d = s.mutable_description();
    auto* x = d->add_input();
    x->set_name("x");
    x->mutable_type()->mutable_multiarraytype()->add_shape(3);
    x->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
    d->add_input()->set_name("k");
    d->mutable_input(1)->mutable_type()->mutable_int64type();
    d->add_input()->set_name("scale");
    d->mutable_input(2)->mutable_type()->mutable_doubletype();
    d->add_input()->set_name("tag");
    d->mutable_input(3)->mutable_type()->mutable_stringtype();
    auto* y = d->add_output();
    y->set_name("y");
    y->mutable_type()->mutable_multiarraytype()->set_datatype(spec::ArrayFeatureType::FLOAT32);
    d->add_output()->set_name("message");
    d->mutable_output(1)->mutable_type()->mutable_stringtype();
    d->add_output()->set_name("total");
    d->mutable_output(2)->mutable_type()->mutable_doubletype();
    d->add_output()->set_name("best");
    d->mutable_output(3)->mutable_type()->mutable_int64type();
    d->add_output()->set_name("scores");
    d->mutable_output(4)->mutable_type()->mutable_dictionarytype()->mutable_int64keytype();
    d->set_predictedfeaturename("best");
    d->set_predictedprobabilitiesname("scores");
    save_spec(s, path("echo.mlmodel"));
    return path("echo.mlmodel").string();
  }

  std::string npy(const std::string& name, const MultiArray& a) {
    io::write_npy(path(name), a);
    return path(name).string();
  }

  TempDir tmp_{"test_predict_cli"};
  const fs::path& dir_ = tmp_.path();
};

// ---------------------------------------------------------------- single

TEST_F(PredictCli, MultiArrayJsonHasShapeDtypeAndValues) {
  std::string model = linear_model();
  std::string x = npy("x.npy", MultiArray::from_floats({1, 3}, std::vector<float>{-1, 0.25f, 3}));
  json j = json::parse(ok({"predict", model, "--input", "x=" + x, "--json"}));
  const json& y = j.at("outputs").at("y");
  EXPECT_EQ(y.at("kind"), "multi_array");
  EXPECT_EQ(y.at("dtype"), "float32");
  EXPECT_EQ(y.at("shape"), json::array({1, 3}));
  EXPECT_EQ(y.at("values"), json::parse("[[-1, 1.5, 7]]"));
  EXPECT_FALSE(j.contains("classifier"));
}

TEST_F(PredictCli, TableAndOutputDir) {
  std::string model = linear_model();
  std::string x = npy("x.npy", MultiArray::from_floats({1, 3}, std::vector<float>{1, 2, 3}));
  std::string out =
      ok({"predict", model, "--input", "x=" + x, "--output-dir", path("out").string()});
  EXPECT_HAS(out, "output  type         value");
  EXPECT_HAS(out, "y       float32 1x3  [3, 5, 7]");
  EXPECT_HAS(out, (path("out") / "y.npy").string());
  MultiArray y = io::read_npy(path("out") / "y.npy");
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(y.to_floats(), (std::vector<float>{3, 5, 7}));
}

TEST_F(PredictCli, Float64InputIsConverted) {
  std::string model = linear_model();
  std::string x = npy("x.npy", MultiArray::from_doubles({1, 3}, std::vector<double>{0.5, 1, -4}));
  json j = json::parse(ok({"predict", model, "-i", "x=" + x, "--json", "--threads", "1"}));
  EXPECT_EQ(j.at("outputs").at("y").at("values"), json::parse("[[2, 3, -7]]"));
}

TEST_F(PredictCli, ClassifierShowsTopK) {
  std::string model = classifier_model();
  std::vector<float> scores = {1.0f, 3.0f, 2.0f, -1.0f};
  std::string x = npy("s.npy", MultiArray::from_floats({4}, scores));
  double sum = 0;
  for (float s : scores) sum += std::exp(double(s));
  auto p = [&](int i) { return std::exp(double(scores[size_t(i)])) / sum; };

  json j = json::parse(ok({"predict", model, "--input", "scores=" + x, "--json", "--top-k", "3"}));
  const json& c = j.at("classifier");
  EXPECT_EQ(c.at("label"), "dog");
  EXPECT_EQ(c.at("label_feature"), "classLabel");
  ASSERT_EQ(c.at("top_k").size(), 3u);
  const std::vector<std::pair<std::string, int>> order = {{"dog", 1}, {"bird", 2}, {"cat", 0}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(c.at("top_k")[i].at("label"), order[i].first);
    EXPECT_NEAR(c.at("top_k")[i].at("probability").get<double>(), p(order[i].second), 1e-6);
  }
  EXPECT_EQ(j.at("outputs").at("classLabel").at("value"), "dog");
  EXPECT_EQ(j.at("outputs").at("probs").at("count"), 4);
  EXPECT_NEAR(j.at("outputs").at("probs").at("values").at("fish").get<double>(), p(3), 1e-6);

  std::string table = ok({"predict", model, "--input", "scores=" + x, "--top-k", "2"});
  char line[64];
  std::snprintf(line, sizeof line, "1     dog    %.4f", p(1));
  EXPECT_HAS(table, "label: dog\nrank  label  probability\n");
  EXPECT_HAS(table, line);
  EXPECT_EQ(table.find("cat"), std::string::npos) << "top-2 lists dog and bird only:\n" << table;
}

TEST_F(PredictCli, ScalarInputsAndPluginPassThrough) {
  std::string model = echo_model();
  std::string x = npy("x.npy", MultiArray::from_floats({3}, std::vector<float>{1, 4, 2}));
  std::vector<std::string> args = {"predict", model,       "--plugin", test_plugin().string(),
                                   "--input", "x=" + x,    "--input",  "k=-2",
                                   "--input", "scale=0.5", "--input",  "tag=hello there",
                                   "--json"};
  json j = json::parse(ok(args));
  const json& o = j.at("outputs");
  EXPECT_EQ(o.at("y").at("values"), json::parse("[-1.5, 0, -1]"));
  EXPECT_EQ(o.at("message").at("value"), "hello there:-2");
  EXPECT_EQ(o.at("total").at("value"), -2.5);
  EXPECT_EQ(o.at("best").at("value"), 1);
  EXPECT_EQ(j.at("classifier").at("label"), 1);
  EXPECT_EQ(j.at("classifier").at("top_k")[0], json::parse(R"({"label": 1, "probability": 0})"));

  // The same model without its plugin.
  std::string err = fails({"predict", model, "--input", "x=" + x, "--input", "k=1", "--input",
                           "scale=1", "--input", "tag=t"});
  EXPECT_HAS(err, "EchoModel");
  // Values that do not parse.
  err = fails({"predict", model, "--plugin", test_plugin().string(), "--input", "x=" + x, "--input",
               "k=1.5", "--input", "scale=1", "--input", "tag=t"});
  EXPECT_HAS(err, "input 'k' is an int64; '1.5' is not a 64-bit integer");
  err = fails({"predict", model, "--plugin", path("missing.so").string(), "--input", "x=" + x});
  EXPECT_HAS(err, "missing.so");
}

TEST_F(PredictCli, LargeArraysAreNotInlined) {
  std::string model = wide_model();
  MultiArray x(DType::kFloat32, {1, 1200});
  for (int64_t i = 0; i < 1200; ++i) x.set_float(i, float(i % 7) - 3);
  std::string xf = npy("x.npy", x);
  json j = json::parse(ok({"predict", model, "--input", "x=" + xf, "--json"}));
  EXPECT_FALSE(j.at("outputs").at("y").contains("values"));
  EXPECT_EQ(j.at("outputs").at("y").at("shape"), json::array({1, 1200}));
  j = json::parse(
      ok({"predict", model, "--input", "x=" + xf, "--json", "--output-dir", path("o").string()}));
  EXPECT_EQ(j.at("outputs").at("y").at("file"), (path("o") / "y.npy").string());
  MultiArray y = io::read_npy(path("o") / "y.npy");
  for (int64_t i = 0; i < 1200; ++i) ASSERT_EQ(y.get_float(i), std::max(0.0f, x.get_float(i)));
  std::string table = ok({"predict", model, "--input", "x=" + xf});
  EXPECT_HAS(table, "min 0  max 3  mean ");
  EXPECT_HAS(table, "(1200 values)");
}

// ---------------------------------------------------------------- images

// 16x6: columns 0-3 are 30, 4-11 are 120, 12-15 are 240 (gray, as RGB).
Image stripes() {
  Image im(16, 6, PixelFormat::kRGB8);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 16; ++x) {
      uint8_t v = x < 4 ? 30 : x < 12 ? 120 : 240;
      uint8_t* p = im.pixels.data() + (y * 16 + x) * 3;
      p[0] = v, p[1] = static_cast<uint8_t>(v / 2), p[2] = static_cast<uint8_t>(255 - v);
    }
  return im;
}

TEST_F(PredictCli, ImagesAreScaledAsAsked) {
  std::string model = image_model(spec::ImageFeatureType::RGB, "rgb.mlmodel");
  Image im = stripes();
  io::write_png(path("stripes.png"), im);
  for (auto mode : {io::ImageScale::kCenterCrop, io::ImageScale::kFill, io::ImageScale::kFit}) {
    std::string name(io::image_scale_name(mode));
    std::vector<std::string> args = {"predict", model, "--input",
                                     "image=" + path("stripes.png").string(), "--json"};
    if (mode != io::ImageScale::kCenterCrop) args.insert(args.end(), {"--image-scale", name});
    json j = json::parse(ok(args));
    std::vector<float> got = floats_of(j.at("outputs").at("pixels").at("values"));
    Image want = io::scale_image(im, 8, 6, mode);
    ASSERT_EQ(got.size(), 3u * 6 * 8) << name;
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 48; ++p)
        ASSERT_EQ(got[size_t(c * 48 + p)], want.pixels[size_t(p * 3 + c)])
            << name << " channel " << c << " pixel " << p;
  }
  // Center-crop (the default) sees only the middle stripe.
  json j = json::parse(
      ok({"predict", model, "--input", "image=" + path("stripes.png").string(), "--json"}));
  std::vector<float> red = floats_of(j.at("outputs").at("pixels").at("values"));
  for (int p = 0; p < 48; ++p) EXPECT_EQ(red[size_t(p)], 120) << p;
}

TEST_F(PredictCli, FlexibleImageSizesKeepAFittingPicture) {
  ModelBuilder b;
  b.use_exact_shapes();
  b.add_image_input("image", 8, 6, spec::ImageFeatureType::GRAYSCALE);
  b.set_image_sizes("image", {{8, 6}, {16, 6}});
  b.add_array_output("pixels");
  b.add_activation("identity", "image", "pixels", "LINEAR", {1.0f, 0.0f});
  save_spec(b.build(), path("flex.mlmodel"));
  io::write_png(path("wide.png"), stripes());  // 16x6: an allowed size, kept
  json j = json::parse(ok({"predict", path("flex.mlmodel").string(), "--input",
                           "image=" + path("wide.png").string(), "--json"}));
  EXPECT_EQ(j.at("outputs").at("pixels").at("shape"), json::array({1, 1, 6, 16}));
  Image big(20, 10, PixelFormat::kGray8);  // not allowed: brought to the default 8x6
  io::write_png(path("big.png"), big);
  j = json::parse(ok({"predict", path("flex.mlmodel").string(), "--input",
                      "image=" + path("big.png").string(), "--json"}));
  EXPECT_EQ(j.at("outputs").at("pixels").at("shape"), json::array({1, 1, 6, 8}));
}

TEST_F(PredictCli, ColourLayoutFollowsTheModel) {
  Image px(8, 6, PixelFormat::kRGBA8);
  for (size_t i = 0; i < px.pixels.size(); i += 4)
    px.pixels[i] = 10, px.pixels[i + 1] = 20, px.pixels[i + 2] = 30, px.pixels[i + 3] = 99;
  io::write_png(path("px.png"), px);
  auto first_of_each_channel = [&](const std::string& model) {
    json j = json::parse(
        ok({"predict", model, "--input", "image=" + path("px.png").string(), "--json"}));
    std::vector<float> v = floats_of(j.at("outputs").at("pixels").at("values"));
    std::vector<float> firsts;
    for (size_t c = 0; c < v.size() / 48; ++c) firsts.push_back(v[c * 48]);
    return firsts;
  };
  EXPECT_EQ(first_of_each_channel(image_model(spec::ImageFeatureType::RGB, "rgb.mlmodel")),
            (std::vector<float>{10, 20, 30}));
  EXPECT_EQ(first_of_each_channel(image_model(spec::ImageFeatureType::BGR, "bgr.mlmodel")),
            (std::vector<float>{30, 20, 10}));
  std::vector<float> gray =
      first_of_each_channel(image_model(spec::ImageFeatureType::GRAYSCALE, "gray.mlmodel"));
  ASSERT_EQ(gray.size(), 1u);
  EXPECT_NEAR(gray[0], 0.299 * 10 + 0.587 * 20 + 0.114 * 30, 1e-4);

  // A JPEG (gray file into an RGB model) works the same way.
  Image g(8, 6, PixelFormat::kGray8);
  std::fill(g.pixels.begin(), g.pixels.end(), 200);
  io::write_jpeg(path("g.jpg"), g, 95);
  json j = json::parse(ok({"predict", image_model(spec::ImageFeatureType::RGB, "rgb2.mlmodel"),
                           "--input", "image=" + path("g.jpg").string(), "--json"}));
  for (float v : floats_of(j.at("outputs").at("pixels").at("values"))) ASSERT_NEAR(v, 200, 2);
}

TEST_F(PredictCli, RealCoremltoolsImageModel) {
  fs::path dir = testdata_dir() / "coreml" / "image";
  std::ifstream in(dir / "image_rgb.json");
  ASSERT_TRUE(in);
  json spec = json::parse(in);
  std::string out = path("out").string();
  ok({"predict", (dir / "image_rgb.mlmodel").string(), "--input",
      "input=" + (dir / "image_rgb.input.png").string(), "--output-dir", out});
  MultiArray got = io::read_npy(fs::path(out) / "var_26.npy");
  MultiArray want = io::read_npy(dir / "image_rgb.output.npy");
  EXPECT_EQ(got.count(), want.count());
  Tolerance tol{spec.at("tolerance").at("abs"), spec.at("tolerance").at("rel")};
  EXPECT_TRUE(all_close(got.to_floats(), want.to_floats(), tol));
}

TEST_F(PredictCli, RealTorchMlpMatchesPyTorch) {
  fs::path dir = testdata_dir() / "coreml" / "torch";
  std::ifstream in(dir / "mlp.json");
  ASSERT_TRUE(in);
  json spec = json::parse(in);
  Tolerance tol{spec.at("tolerance").at("abs"), spec.at("tolerance").at("rel")};
  MultiArray want = io::read_npy(dir / "mlp.output.npy");
  std::string model = (dir / "mlp.mlmodel").string();
  std::string input = "input=" + (dir / "mlp.input.npy").string();

  json j = json::parse(
      ok({"predict", model, "--input", input, "--json", "--output-dir", path("o").string()}));
  const json& y = j.at("outputs").at("var_19");
  EXPECT_EQ(y.at("shape").get<std::vector<int64_t>>(), want.shape());
  EXPECT_TRUE(all_close(floats_of(y.at("values")), want.to_floats(), tol));
  EXPECT_TRUE(all_close(io::read_npy(path("o") / "var_19.npy").to_floats(), want.to_floats(), tol));
}

TEST_F(PredictCli, RealBuilderClassifierMatchesItsOracle) {
  fs::path dir = testdata_dir() / "coreml" / "builder";
  std::ifstream in(dir / "classifier_string_labels.json");
  ASSERT_TRUE(in);
  json spec = json::parse(in);
  Tolerance tol{spec.at("tolerance").at("abs"), spec.at("tolerance").at("rel")};
  std::vector<float> want = io::read_npy(dir / "classifier_string_labels.output.0.npy").to_floats();
  std::vector<std::string> labels = spec.at("class_labels");
  std::string model = (dir / "classifier_string_labels.mlmodel").string();
  std::string input = "input=" + (dir / "classifier_string_labels.input.npy").string();

  json j = json::parse(ok({"predict", model, "--input", input, "--json", "--top-k", "4"}));
  EXPECT_EQ(j.at("classifier").at("label"), "cat");
  std::vector<float> got;
  for (const std::string& l : labels)
    got.push_back(j.at("outputs").at("probs").at("values").at(l).get<float>());
  EXPECT_TRUE(all_close(got, want, tol));
  // top_k is every label, most probable first, with the same numbers.
  const json& top = j.at("classifier").at("top_k");
  ASSERT_EQ(top.size(), labels.size());
  for (size_t i = 0; i + 1 < top.size(); ++i)
    EXPECT_GE(top[i].at("probability").get<double>(), top[i + 1].at("probability").get<double>());
  for (const json& t : top) {
    size_t at = static_cast<size_t>(
        std::find(labels.begin(), labels.end(), t.at("label").get<std::string>()) - labels.begin());
    ASSERT_LT(at, labels.size());
    EXPECT_NEAR(t.at("probability").get<double>(), want[at], tol.abs + tol.rel);
  }

  std::string table = ok({"predict", model, "--input", input, "--top-k", "2"});
  EXPECT_EQ(
      table.rfind(
          "label: cat\nrank  label  probability\n1     cat    0.7252\n2     bird   0.1843\n", 0),
      0u)
      << table;
}

TEST_F(PredictCli, RealModelBatchEqualsSinglePredictions) {
  // The shared mlp input and two variants of it, in a temporary folder.
  fs::path dir = testdata_dir() / "coreml" / "torch";
  std::string model = (dir / "mlp.mlmodel").string();
  MultiArray base = io::read_npy(dir / "mlp.input.npy");
  fs::create_directories(path("items"));
  for (int k = 0; k < 3; ++k) {
    MultiArray v(DType::kFloat32, base.shape());
    for (int64_t i = 0; i < base.count(); ++i)
      v.set_float(i, base.get_float(i) * float(1 + k) - float(k) * 0.1f);
    io::write_npy(path("items") / ("v" + std::to_string(k) + ".npy"), v);
  }
  ProcessResult r = morel({"predict", model, "--input", "input=" + path("items").string(),
                           "--output-dir", path("batch").string(), "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_HAS(r.err, "predicted 3 items");
  for (int k = 0; k < 3; ++k) {
    std::string stem = "v" + std::to_string(k);
    ok({"predict", model, "--input", "input=" + (path("items") / (stem + ".npy")).string(),
        "--output-dir", path("single_" + stem).string()});
    EXPECT_EQ(io::read_npy(path("batch") / stem / "var_19.npy").to_floats(),
              io::read_npy(path("single_" + stem) / "var_19.npy").to_floats())
        << stem;
  }
  Tolerance tol{1e-4, 1e-3};
  EXPECT_TRUE(all_close(io::read_npy(path("batch") / "v0" / "var_19.npy").to_floats(),
                        io::read_npy(dir / "mlp.output.npy").to_floats(), tol));
}

// ---------------------------------------------------------------- batch

TEST_F(PredictCli, BatchOfArraysEqualsSinglePredictions) {
  std::string model = classifier_model();
  fs::create_directories(path("items"));
  std::vector<std::string> files;
  for (int i = 0; i < 20; ++i) {  // more than one chunk of the batch
    std::vector<float> s = {float(i % 3), float(i % 5) * 0.5f, 1.0f - float(i % 4),
                            float(i) * 0.1f};
    char name[32];
    std::snprintf(name, sizeof name, "item%02d.npy", i);
    io::write_npy(path("items") / name, MultiArray::from_floats({4}, s));
    files.push_back((path("items") / name).string());
  }
  std::ofstream(path("items") / "README.txt") << "not an item";
  std::string out_dir = path("out").string();
  ProcessResult r = morel({"predict", model, "--input", "scores=" + path("items").string() + "/",
                           "--json", "--top-k", "4", "--output-dir", out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_HAS(r.err, "morel: warning: skipped 1 file");
  EXPECT_HAS(r.err, "README.txt");
  EXPECT_HAS(r.err, "predicted 20 items in ");
  EXPECT_HAS(r.err, " items/s)");
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar when stderr is not a terminal";

  std::vector<std::string> lines;
  std::istringstream s(r.out);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    json item = json::parse(lines[i]);
    EXPECT_EQ(item.at("input_file"), fs::path(files[i]).string());
    json single = json::parse(
        ok({"predict", model, "--input", "scores=" + files[i], "--json", "--top-k", "4"}));
    EXPECT_EQ(item.at("outputs"), single.at("outputs")) << files[i];
    EXPECT_EQ(item.at("classifier"), single.at("classifier")) << files[i];
  }
  // No multi-array outputs in a classifier: nothing saved, but nothing fails.
  EXPECT_FALSE(fs::exists(fs::path(out_dir) / "item00" / "classLabel.npy"));
}

TEST_F(PredictCli, BatchOfImagesWritesPerItemFolders) {
  std::string model = image_model(spec::ImageFeatureType::RGB, "rgb.mlmodel");
  fs::create_directories(path("imgs"));
  std::vector<std::string> names = {"a.png", "b.jpg", "c.png"};
  for (size_t i = 0; i < names.size(); ++i) {
    Image im(10 + int(i) * 5, 7, PixelFormat::kRGB8);
    for (size_t k = 0; k < im.pixels.size(); ++k)
      im.pixels[k] = static_cast<uint8_t>((k * (i + 3)) % 251);
    if (names[i].ends_with(".jpg"))
      io::write_jpeg(path("imgs") / names[i], im, 90);
    else
      io::write_png(path("imgs") / names[i], im);
  }
  std::string out_dir = path("out").string();
  ProcessResult r = morel({"predict", model, "--input", "image=" + path("imgs").string(),
                           "--output-dir", out_dir, "--image-scale", "fit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_HAS(r.out, "input");
  EXPECT_HAS(r.out, "pixels");
  EXPECT_HAS(r.out, "outputs saved as ");
  for (const std::string& n : names) {
    std::string stem = fs::path(n).stem().string();
    MultiArray batch = io::read_npy(fs::path(out_dir) / stem / "pixels.npy");
    ok({"predict", model, "--input", "image=" + (path("imgs") / n).string(), "--output-dir",
        path("single_" + stem).string(), "--image-scale", "fit"});
    MultiArray single = io::read_npy(path("single_" + stem) / "pixels.npy");
    EXPECT_EQ(batch.shape(), (std::vector<int64_t>{1, 3, 6, 8}));
    EXPECT_EQ(batch.to_floats(), single.to_floats()) << n;
  }
}

TEST_F(PredictCli, BatchBarDrawsOnATerminal) {
  std::string model = linear_model();
  fs::create_directories(path("items"));
  for (int i = 0; i < 3; ++i)
    io::write_npy(path("items") / ("x" + std::to_string(i) + ".npy"),
                  MultiArray::from_floats({1, 3}, std::vector<float>{float(i), 0, 0}));
  ProcessOptions o;
  o.stderr_terminal = true;
  ProcessResult r =
      morel({"predict", model, "--input", "x=" + path("items").string() + "/", "--json"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_HAS(r.err, "\rpredicting [");
  EXPECT_HAS(r.err, "3/3");
  EXPECT_HAS(r.err, "predicted 3 items");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
}

TEST_F(PredictCli, BatchErrorsNameTheItem) {
  std::string model = linear_model();
  fs::create_directories(path("items"));
  io::write_npy(path("items") / "good.npy",
                MultiArray::from_floats({1, 3}, std::vector<float>{1, 2, 3}));
  io::write_npy(path("items") / "wrong.npy",
                MultiArray::from_floats({1, 4}, std::vector<float>{1, 2, 3, 4}));
  std::string err = fails({"predict", model, "--input", "x=" + path("items").string()});
  EXPECT_HAS(err, "wrong.npy: input 'x': shape 1x4 does not match the model's shape 1x3");

  std::string img_model = image_model(spec::ImageFeatureType::RGB, "rgb.mlmodel");
  fs::create_directories(path("imgs"));
  std::ofstream(path("imgs") / "broken.png") << "\x89PNG\r\n\x1a\nnope";
  err = fails({"predict", img_model, "--input", "image=" + path("imgs").string()});
  EXPECT_HAS(err, "broken.png: cannot decode image");

  fs::create_directories(path("empty"));
  err = fails({"predict", model, "--input", "x=" + path("empty").string() + "/"});
  EXPECT_HAS(err, "holds no .npy files");
  err = fails({"predict", model, "--input", "x=" + path("nothere").string() + "/"});
  EXPECT_HAS(err, "no such folder");

  io::write_png(path("imgs") / "a.png", stripes());
  io::write_jpeg(path("imgs") / "a.jpg", stripes());
  fs::remove(path("imgs") / "broken.png");
  err = fails({"predict", img_model, "--input", "image=" + path("imgs").string(), "--output-dir",
               path("o").string()});
  EXPECT_HAS(err, "share the name 'a'");
}

// ---------------------------------------------------------------- errors

TEST_F(PredictCli, InputNameErrors) {
  std::string model = image_model(spec::ImageFeatureType::GRAYSCALE, "gray.mlmodel");
  io::write_png(path("i.png"), stripes());
  std::string err = fails({"predict", model, "--input", "imag=" + path("i.png").string()});
  EXPECT_EQ(err, "morel: error: input 'imag' is not an input of " + model +
                     "; its inputs are: image (image gray 8x6)\n");
  err = fails({"predict", model});
  EXPECT_HAS(err, "missing input 'image' (image gray 8x6); give it with --input image=IMAGE.png");
}

TEST_F(PredictCli, ShapeAndDtypeErrorsSayExpectedAndGot) {
  std::string model = linear_model();
  std::string err =
      fails({"predict", model, "--input", "x=" + npy("a.npy", MultiArray(DType::kFloat32, {3}))});
  EXPECT_HAS(err, "input 'x': shape 3 does not match the model's shape 1x3");
  err =
      fails({"predict", model, "--input", "x=" + npy("b.npy", MultiArray(DType::kInt32, {1, 3}))});
  EXPECT_HAS(err, "input 'x': expected float32 elements, got int32");
}

TEST_F(PredictCli, BadFilesGiveOneClearError) {
  std::string model = linear_model();
  fs::path npy_dir = fixtures_dir() / "io" / "npy";
  std::string err =
      fails({"predict", model, "--input", "x=" + (npy_dir / "fortran_2x3.npy").string()});
  EXPECT_HAS(err, "Fortran order");
  err = fails({"predict", model, "--input", "x=" + (npy_dir / "complex64_2.npy").string()});
  EXPECT_HAS(err, "complex64");
  err = fails({"predict", model, "--input", "x=" + path("none.npy").string()});
  EXPECT_HAS(err, "no such file");

  std::string img_model = image_model(spec::ImageFeatureType::RGB, "rgb.mlmodel");
  std::ofstream(path("corrupt.jpg")) << "\xff\xd8\xff\xe0 truncated jpeg";
  err = fails({"predict", img_model, "--input", "image=" + path("corrupt.jpg").string()});
  EXPECT_HAS(err, "input 'image': ");
  EXPECT_HAS(err, "corrupt.jpg: cannot decode image");
  err = fails(
      {"predict", img_model, "--input", "image=" + npy("x.npy", MultiArray(DType::kFloat32, {1}))});
  EXPECT_HAS(err, "cannot decode image");
}

TEST_F(PredictCli, ModelErrors) {
  std::ofstream(path("net.onnx")) << "x";
  std::string err = fails({"predict", path("net.onnx").string(), "--input", "x=y.npy"});
  EXPECT_HAS(err, "net.onnx is not an ONNX model");
  err = fails({"predict", path("none.mlmodel").string()});
  EXPECT_HAS(err, "none.mlmodel: no such file");
  std::ofstream(path("junk.mlmodel")) << "\xff\xff\xff garbage";
  err = fails({"predict", path("junk.mlmodel").string()});
  EXPECT_HAS(err, "junk.mlmodel");
}

TEST_F(PredictCli, UsageErrorsExitWithTwo) {
  std::string model = linear_model();
  std::string x = npy("x.npy", MultiArray(DType::kFloat32, {1, 3}));
  EXPECT_HAS(fails({"predict", model, "--input", "x"}, 2), "NAME=VALUE");
  // Usage is checked before the model is opened.
  EXPECT_HAS(fails({"predict", path("none.mlmodel").string(), "--input", "x"}, 2), "NAME=VALUE");
  EXPECT_HAS(fails({"predict", model, "--input", "x=" + x, "--input", "x=" + x}, 2), "given twice");
  EXPECT_HAS(fails({"predict", model, "--input", "x=" + x, "--image-scale", "crop"}, 2), "crop");
  EXPECT_HAS(fails({"predict", model, "--input", "x=" + x, "--top-k", "0"}, 2), "top-k");
  EXPECT_HAS(fails({"predict", model, "--input", "x=" + x, "--threads", "-1"}, 2), "threads");
  fails({"predict", model, "--bogus"}, 2);
  fails({"predict"}, 2);

  ModelBuilder b;
  b.use_exact_shapes();
  b.add_array_input("a", {1});
  b.add_array_input("b", {1});
  b.add_array_output("c", {1});
  b.add_layer("add", {"a", "b"}, {"c"}).mutable_add();
  save_spec(b.build(), path("add.mlmodel"));
  fs::create_directories(path("d1"));
  fs::create_directories(path("d2"));
  EXPECT_HAS(fails({"predict", path("add.mlmodel").string(), "--input", "a=" + path("d1").string(),
                    "--input", "b=" + path("d2").string()},
                   2),
             "both name folders");
}

TEST_F(PredictCli, HelpListsOptionsWithDefaultsAndExamples) {
  ProcessResult r = morel({"predict", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--input", "--output-dir", "--json", "--top-k", "--image-scale",
                        "center-crop", "--threads", "--plugin", "Examples:"})
    EXPECT_HAS(r.out, s);
  ProcessResult top = morel({"--help"});
  EXPECT_HAS(top.out, "predict");
}

}  // namespace
}  // namespace morel::test
