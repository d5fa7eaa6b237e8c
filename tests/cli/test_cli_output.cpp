// The command line's printers: features as JSON, as tables, classifier
// views, and the progress bar's text.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "classifier_view.h"
#include "feature_table.h"
#include "json_output.h"
#include "progress.h"

namespace morel::test {
namespace {

using nlohmann::json;

TEST(JsonOutput, FloatsPrintAsTheirShortestDecimal) {
  EXPECT_EQ(cli::json_float(0.1f).dump(), "0.1");
  EXPECT_EQ(cli::json_float(-2.5f).dump(), "-2.5");
  EXPECT_EQ(cli::json_float(1e-7f).dump(), "1e-07");
  EXPECT_EQ(static_cast<float>(cli::json_float(0.3333333f).get<double>()), 0.3333333f);
  EXPECT_TRUE(cli::json_float(NAN).is_null());
  EXPECT_TRUE(cli::json_double(INFINITY).is_null());
  EXPECT_EQ(cli::json_probability(double(0.7252024f)).dump(), "0.7252024");
  EXPECT_EQ(cli::json_probability(0.1).dump(), "0.1");  // a true double stays exact
  EXPECT_EQ(cli::json_probability(1.0 / 3).get<double>(), 1.0 / 3);
}

TEST(JsonOutput, ArraysAreNestedListsInTheirShape) {
  MultiArray a = MultiArray::from_floats({2, 3}, std::vector<float>{0, 0.5f, 1, 1.5f, 2, 2.5f});
  json j = cli::array_to_json(a, {}, "out/y.npy");
  EXPECT_EQ(j.at("kind"), "multi_array");
  EXPECT_EQ(j.at("dtype"), "float32");
  EXPECT_EQ(j.at("shape"), json::array({2, 3}));
  EXPECT_EQ(j.at("values"), json::parse("[[0, 0.5, 1], [1.5, 2, 2.5]]"));
  EXPECT_EQ(j.at("file"), "out/y.npy");

  MultiArray ints = MultiArray::from_int32s({2}, std::vector<int32_t>{-3, 2147483647});
  EXPECT_EQ(cli::array_to_json(ints, {}).at("values"), json::parse("[-3, 2147483647]"));
  MultiArray doubles = MultiArray::from_doubles({}, std::vector<double>{0.1});
  EXPECT_EQ(cli::array_to_json(doubles, {}).at("values").dump(), "0.1");  // rank 0: a bare number
}

TEST(JsonOutput, LargeArraysGiveShapeOnly) {
  MultiArray big(DType::kFloat32, {2, 501});
  cli::JsonOptions o;
  json j = cli::array_to_json(big, o);
  EXPECT_FALSE(j.contains("values"));
  EXPECT_FALSE(j.contains("file"));
  EXPECT_EQ(j.at("shape"), json::array({2, 501}));
  MultiArray edge(DType::kFloat32, {1000});
  EXPECT_TRUE(cli::array_to_json(edge, o).contains("values"));
}

TEST(JsonOutput, EveryFeatureKind) {
  cli::JsonOptions o;
  o.top_k = 2;
  o.files["y"] = "d/y.npy";
  FeatureMap f;
  f["y"] = MultiArray::from_floats({1}, std::vector<float>{3});
  f["n"] = int64_t{-4};
  f["d"] = 0.25;
  f["s"] = std::string("cat");
  f["p"] = StringDictionary{{"cat", 0.7}, {"dog", 0.1}, {"bird", 0.2}};
  f["q"] = Int64Dictionary{{10, 0.4}, {20, 0.6}};
  json j = cli::features_to_json(f, o);
  EXPECT_EQ(j.at("y").at("file"), "d/y.npy");
  EXPECT_EQ(j.at("n"), json::parse(R"({"kind": "int64", "value": -4})"));
  EXPECT_EQ(j.at("d"), json::parse(R"({"kind": "double", "value": 0.25})"));
  EXPECT_EQ(j.at("s"), json::parse(R"({"kind": "string", "value": "cat"})"));
  EXPECT_EQ(j.at("p").at("count"), 3);
  EXPECT_EQ(
      j.at("p").at("top_k"),
      json::parse(
          R"([{"label": "cat", "probability": 0.7}, {"label": "bird", "probability": 0.2}])"));
  EXPECT_EQ(j.at("p").at("values").at("dog"), 0.1);
  EXPECT_EQ(j.at("q").at("top_k").at(0), json::parse(R"({"label": 20, "probability": 0.6})"));
  EXPECT_EQ(j.at("q").at("values").at("10"), 0.4);
}

TEST(JsonOutput, PrettyKeepsArraysOnOneLine) {
  json doc = json::parse(
      R"({"b": {"values": [[1, 2.5], [3, 4]], "kind": "x"}, "a": [{"k": 1}], "e": []})");
  EXPECT_EQ(cli::pretty_json(doc),
            "{\n"
            "  \"a\": [\n"
            "    {\n"
            "      \"k\": 1\n"
            "    }\n"
            "  ],\n"
            "  \"b\": {\n"
            "    \"kind\": \"x\",\n"
            "    \"values\": [[1, 2.5], [3, 4]]\n"
            "  },\n"
            "  \"e\": []\n"
            "}");
  EXPECT_EQ(json::parse(cli::pretty_json(doc)), doc);
  EXPECT_EQ(cli::pretty_json(json(3)), "3");
}

TEST(JsonOutput, ClassifierSummary) {
  spec::ModelDescription d;
  d.set_predictedfeaturename("classLabel");
  d.set_predictedprobabilitiesname("probs");
  FeatureMap out;
  out["classLabel"] = std::string("dog");
  out["probs"] = StringDictionary{{"cat", 0.3}, {"dog", 0.6}, {"eel", 0.1}};
  json j = cli::classifier_to_json(d, out, 2);
  EXPECT_EQ(j.at("label"), "dog");
  EXPECT_EQ(j.at("label_feature"), "classLabel");
  EXPECT_EQ(j.at("probabilities_feature"), "probs");
  EXPECT_EQ(j.at("top_k").size(), 2u);
  EXPECT_EQ(j.at("top_k").at(1).at("label"), "cat");
  EXPECT_TRUE(cli::classifier_to_json(spec::ModelDescription{}, out, 2).is_null());
}

TEST(ClassifierView, TopKOrdersByProbabilityThenKey) {
  FeatureValue d = StringDictionary{{"a", 0.2}, {"b", 0.5}, {"c", 0.2}, {"n", NAN}};
  auto top = cli::top_k(d, 10);
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(cli::label_text(top[0].label), "b");
  EXPECT_EQ(cli::label_text(top[1].label), "a");  // tie: key order
  EXPECT_EQ(cli::label_text(top[2].label), "c");
  EXPECT_EQ(cli::label_text(top[3].label), "n");  // NaN last
  EXPECT_EQ(cli::top_k(d, 1).size(), 1u);
  EXPECT_TRUE(cli::top_k(FeatureValue{int64_t{3}}, 3).empty());
}

TEST(FeatureTable, AlignsColumns) {
  cli::Table t({"a", "bb", "c"});
  t.add({"longer", "x", "end"});
  std::ostringstream out;
  t.print(out);
  EXPECT_EQ(out.str(), "a       bb  c\nlonger  x   end\n");
}

TEST(FeatureTable, ValuesForPeople) {
  cli::TableOptions o;
  EXPECT_EQ(
      cli::feature_value_text(MultiArray::from_floats({3}, std::vector<float>{1, 0.5f, -2}), o),
      "[1, 0.5, -2]");
  std::vector<float> many(20);
  for (int i = 0; i < 20; ++i) many[size_t(i)] = float(i);
  EXPECT_EQ(cli::feature_value_text(MultiArray::from_floats({4, 5}, many), o),
            "min 0  max 19  mean 9.5  (20 values)");
  EXPECT_EQ(cli::feature_type_text(MultiArray(DType::kFloat32, {1, 4, 24, 32})),
            "float32 1x4x24x32");
  EXPECT_EQ(cli::feature_type_text(FeatureValue{std::string("x")}), "string");
  EXPECT_EQ(cli::feature_value_text(FeatureValue{0.125}, o), "0.125");
  o.top_k = 1;
  EXPECT_EQ(cli::feature_value_text(StringDictionary{{"a", 0.25}, {"b", 0.75}}, o), "b 0.75");
}

TEST(FeatureTable, ClassifierPredictionShowsTopK) {
  spec::ModelDescription d;
  d.set_predictedfeaturename("label");
  d.set_predictedprobabilitiesname("probs");
  FeatureMap out;
  out["label"] = int64_t{7};
  out["probs"] = Int64Dictionary{{3, 0.1}, {7, 0.85}, {9, 0.05}};
  out["embedding"] = MultiArray::from_floats({2}, std::vector<float>{1, 2});
  cli::TableOptions o;
  o.top_k = 2;
  std::ostringstream s;
  cli::print_prediction(s, d, out, o);
  EXPECT_EQ(s.str(),
            "label: 7\n"
            "rank  label  probability\n"
            "1     7      0.8500\n"
            "2     3      0.1000\n"
            "\n"
            "output     type       value\n"
            "embedding  float32 2  [1, 2]\n");
}

TEST(Progress, RendersBarCountsRateAndTimeLeft) {
  EXPECT_EQ(cli::render_progress("predicting", 0, 4, 0, 40),
            "predicting [" + std::string(23, '.') + "] 0/4");
  EXPECT_EQ(cli::render_progress("predicting", 2, 4, 1.0, 50),
            "predicting [" + std::string(9, '#') + std::string(10, '.') + "] 2/4 2.0/s 1s left");
  EXPECT_EQ(cli::render_progress("p", 4, 4, 2.0, 30), "p [################] 4/4 2.0/s");
  // Too narrow for a bar: counts only.
  EXPECT_EQ(cli::render_progress("predicting", 1, 3, 0, 20), "predicting 1/3");
}

TEST(Progress, DrawsNothingWhenStderrIsNotATerminal) {
  testing::internal::CaptureStderr();  // stderr is now a file, whatever it was
  EXPECT_FALSE(cli::stderr_is_terminal());
  {
    cli::Progress p("x", 3);
    p.advance(3);
    EXPECT_FALSE(p.enabled());
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace morel::test
