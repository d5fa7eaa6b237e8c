// inspect's text for people: the key facts of real models, lists cut short,
// a screen for a typical model, names from hostile files kept harmless; and
// the text helpers behind it (tables, units, printable strings).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "format/format_test_util.h"
#include "morel/builder.h"
#include "tools/inspect.h"
#include "tools/text_table.h"

namespace morel::test {
namespace {

using tools::ModelSummary;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The line that starts (after indentation) with `label`, or "".
std::string line_with(const std::string& text, const std::string& label) {
  for (const auto& line : lines_of(text)) {
    const auto start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, label.size(), label) == 0) return line;
  }
  return "";
}

std::string text_of(const std::string& model) {
  return tools::render_text(tools::inspect_model_file(coreml_dir() / model));
}

TEST(InspectText, SqueezenetKeyFacts) {
  const std::string t = text_of("torch/squeezenet1_1.mlmodel");
  EXPECT_TRUE(has(lines_of(t).at(0), "squeezenet1_1.mlmodel")) << t;
  EXPECT_TRUE(has(lines_of(t).at(0), "2,914,361 bytes")) << t;
  EXPECT_TRUE(has(line_with(t, "type"), "neuralNetwork, runs in morel")) << t;
  EXPECT_TRUE(has(line_with(t, "spec version"), "4 (iOS 13 / macOS 10.15)")) << t;
  EXPECT_TRUE(has(line_with(t, "validation"), "ok")) << t;
  EXPECT_TRUE(has(line_with(t, "input "), "multiArray float32 1x3x112x112")) << t;
  EXPECT_TRUE(has(line_with(t, "input mapping"), "arrays exact")) << t;
  EXPECT_TRUE(has(line_with(t, "layers"), "65")) << t;
  // Kinds with their counts, in the grid.
  EXPECT_TRUE(has(line_with(t, "convolution"), "26")) << t;
  EXPECT_TRUE(has(t, "reshapeStatic")) << t;
  EXPECT_TRUE(has(line_with(t, "Weights"), "52 tensors")) << t;
  EXPECT_TRUE(has(line_with(t, "fp32"), "52")) << t;
  EXPECT_TRUE(has(t, "user-defined")) << t;
  EXPECT_TRUE(has(t, "com.github.apple.coremltools.version = 9.1.dev1")) << t;
  // One screen.
  EXPECT_LE(lines_of(t).size(), 40u) << t;
  for (const auto& line : lines_of(t)) EXPECT_LE(tools::display_width(line), 120u) << line;
}

TEST(InspectText, QuantizedAndFlexibleAndImage) {
  const std::string q4 = text_of("quantized/squeezenet1_1_q4_kmeans.mlmodel");
  EXPECT_TRUE(has(line_with(q4, "4-bit LUT"), "52")) << q4;
  EXPECT_TRUE(has(q4, "QUANTIZATION PARAMS")) << q4;  // the LUTs

  const std::string q8 = text_of("quantized/squeezenet1_1_q8_linear.mlmodel");
  EXPECT_TRUE(has(line_with(q8, "8-bit linear"), "52")) << q8;

  const std::string fp16 = text_of("quantized/squeezenet1_1_fp16.mlmodel");
  EXPECT_TRUE(has(line_with(fp16, "fp16"), "52")) << fp16;
  EXPECT_FALSE(has(fp16, "QUANTIZATION PARAMS")) << fp16;  // an all-empty column is left out

  const std::string enumerated = text_of("builder/flex_enumerated_rank5.mlmodel");
  EXPECT_TRUE(has(line_with(enumerated, "input "), "3 shapes: 3x8x8, 3x12x16, 3x8x8"))
      << enumerated;
  EXPECT_TRUE(has(line_with(enumerated, "input "), "1x1x3x8x8")) << enumerated;  // network shape
  EXPECT_TRUE(has(line_with(enumerated, "input mapping"), "rank-5 legacy")) << enumerated;

  const std::string range = text_of("builder/flex_range_nd.mlmodel");
  EXPECT_TRUE(has(line_with(range, "input "), "range 1x3x[4..32]x[4..]")) << range;

  const std::string image = text_of("image/image_rgb.mlmodel");
  EXPECT_TRUE(has(line_with(image, "input "), "image RGB 32x24")) << image;
  EXPECT_TRUE(has(line_with(image, "preprocessing"),
                  "'input': scale 0.007843138, bias R -1 G -0.8 B -1.2 gray 0"))
      << image;

  const std::string classifier = text_of("builder/classifier_string_labels.mlmodel");
  EXPECT_TRUE(has(line_with(classifier, "class labels"), "4 (string): cat, dog, bird, fish"))
      << classifier;
  EXPECT_TRUE(has(line_with(classifier, "predicts"), "'classLabel', probabilities in 'probs'"))
      << classifier;
}

TEST(InspectText, EveryRealModelFitsAScreen) {
  for (const auto& name : real_model_names()) {
    const std::string t = text_of(name);
    EXPECT_LE(lines_of(t).size(), 45u) << name << "\n" << t;
  }
}

// A model with `n` inputs, `n` class labels and `n` metadata entries.
std::string text_with_lists(int n) {
  ModelBuilder b(NetworkKind::kClassifier);
  for (int i = 0; i < n; ++i) b.add_array_input("in" + std::to_string(i), {1});
  b.add_array_output("scores");
  std::vector<std::string> labels;
  for (int i = 0; i < n; ++i) labels.push_back("label" + std::to_string(i));
  b.set_class_labels(labels, "classLabel", "probs", "scores");
  for (int i = 0; i < n; ++i) b.set_user_defined("key" + std::to_string(1000 + i), "v");
  Spec spec = b.spec();
  spec.set_specificationversion(1);
  return tools::render_text(tools::summarize_model(spec));
}

TEST(InspectText, LongListsAreCutShort) {
  const std::string t = text_with_lists(30);
  EXPECT_TRUE(has(t, "Inputs (30)")) << t;
  EXPECT_TRUE(has(t, "in11 ")) << t;
  EXPECT_FALSE(has(t, "in12 ")) << t;
  EXPECT_TRUE(has(t, "\n  ... 18 more\n")) << t;
  EXPECT_TRUE(has(line_with(t, "class labels"),
                  "30 (string): label0, label1, label2, label3, "
                  "label4, ... 25 more"))
      << t;
  EXPECT_TRUE(has(t, "key1005 = v")) << t;
  EXPECT_FALSE(has(t, "key1006")) << t;
  EXPECT_TRUE(has(t, "... 24 more")) << t;  // user-defined entries beyond 6
  // However long the lists, the text is as long.
  EXPECT_EQ(lines_of(text_with_lists(300)).size(), lines_of(t).size());
  EXPECT_LE(lines_of(t).size(), 45u) << t;
}

TEST(InspectText, HostileNamesCannotReachTheTerminal) {
  ModelBuilder b;
  b.add_array_input("x\x1b[2Jy", {4});
  b.add_array_output("out\nput");
  b.add_activation("act\x07", "x\x1b[2Jy", "out\nput", "RELU");
  b.set_author(std::string(500, 'a'));
  b.set_description("bad \xff\xfe utf-8 and a C1 control \xc2\x9b here");
  Spec spec = b.spec();
  spec.set_specificationversion(1);
  const ModelSummary s = tools::summarize_model(spec);
  const std::string t = tools::render_text(s);
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u != 0x7f)) << "control byte " << int(u) << " in\n" << t;
  }
  EXPECT_TRUE(has(t, "x\\x1b[2Jy")) << t;
  EXPECT_TRUE(has(t, "out\\x0aput")) << t;
  EXPECT_TRUE(has(t, "\\xff\\xfe")) << t;
  EXPECT_TRUE(has(t, "\\xc2\\x9b")) << t;
  EXPECT_FALSE(has(t, std::string(100, 'a'))) << t;  // long values are cut
  // JSON escapes them instead, and keeps every character.
  const std::string dump =
      tools::to_json(s).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  EXPECT_TRUE(has(dump, "x\\u001b[2Jy")) << dump;
  EXPECT_TRUE(has(dump, std::string(500, 'a')));
}

TEST(InspectText, PipelineAndUnsupportedModels) {
  Spec glm;
  glm.set_specificationversion(1);
  glm.mutable_description()->add_input()->set_name("f");
  glm.mutable_description()->mutable_input(0)->mutable_type()->mutable_doubletype();
  glm.mutable_description()->add_output()->set_name("score");
  glm.mutable_description()->mutable_output(0)->mutable_type()->mutable_doubletype();
  glm.set_glmregressor(std::string(2048, 'x'));
  std::string t = tools::render_text(tools::summarize_model(glm));
  EXPECT_TRUE(has(line_with(t, "type"), "glmRegressor, not run by morel")) << t;
  EXPECT_TRUE(has(line_with(t, "type"), "payload 2.00 KiB")) << t;
  EXPECT_TRUE(has(t, "Inputs (1)")) << t;
  EXPECT_FALSE(has(t, "Network")) << t;

  ModelBuilder dense;
  dense.add_array_input("f", {2});
  dense.add_array_output("y");
  dense.add_inner_product("fc", "f", "y", 2, 1, std::vector<float>{1, 2});
  Spec pipeline;
  pipeline.set_specificationversion(4);
  *pipeline.mutable_description()->add_input() = dense.build().description().input(0);
  *pipeline.mutable_pipeline()->add_models() = dense.build();
  *pipeline.mutable_pipeline()->add_models() = glm;
  pipeline.mutable_pipeline()->add_names("features");
  t = tools::render_text(tools::summarize_model(pipeline));
  EXPECT_TRUE(has(t, "Pipeline (2 models)")) << t;
  EXPECT_TRUE(has(t, "1. 'features'  neuralNetwork, runs in morel")) << t;
  EXPECT_TRUE(has(t, "2. (unnamed)  glmRegressor, not run by morel")) << t;
  EXPECT_TRUE(has(line_with(t, "layers"), "1: innerProduct 1")) << t;
  EXPECT_TRUE(has(line_with(t, "Weights"), "1 tensor, 2 parameters, 8 B")) << t;
}

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

TEST(TextHelpers, Units) {
  EXPECT_EQ(tools::format_bytes(0), "0 B");
  EXPECT_EQ(tools::format_bytes(1023), "1023 B");
  EXPECT_EQ(tools::format_bytes(1024), "1.00 KiB");
  EXPECT_EQ(tools::format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(tools::format_bytes(2914361), "2.78 MiB");
  EXPECT_EQ(tools::format_bytes(int64_t(20) << 30), "20.0 GiB");
  EXPECT_EQ(tools::format_bytes(-1), "?");
  EXPECT_EQ(tools::format_count(0), "0");
  EXPECT_EQ(tools::format_count(999), "999");
  EXPECT_EQ(tools::format_count(1000), "1,000");
  EXPECT_EQ(tools::format_count(1234567), "1,234,567");
  EXPECT_EQ(tools::format_count(-1234), "-1,234");
  EXPECT_EQ(tools::format_count(INT64_MIN), "-9,223,372,036,854,775,808");
  EXPECT_EQ(tools::format_float(0.007843137718737125f), "0.007843138");  // 7 digits to read back
  EXPECT_EQ(tools::format_float(-1.0f), "-1");
  EXPECT_EQ(tools::format_float(0.1f), "0.1");
}

TEST(TextHelpers, Printable) {
  EXPECT_EQ(tools::printable("plain"), "plain");
  EXPECT_EQ(tools::printable("a\tb"), "a\\x09b");
  EXPECT_EQ(tools::printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 stays
  EXPECT_EQ(tools::printable("abcdefghij", 6), "abc...");
  EXPECT_EQ(tools::printable("abcdef", 6), "abcdef");
  EXPECT_EQ(tools::printable("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4), "\xc3\xa9...");
  EXPECT_EQ(tools::printable("\x01\x02\x03", 6), "...");  // escapes count 4 each
  EXPECT_EQ(tools::printable("\xe2\x82"), "\\xe2\\x82");  // cut-off sequence
  EXPECT_EQ(tools::display_width("caf\xc3\xa9"), 4u);
}

TEST(TextHelpers, TableAlignsAndDropsEmptyColumns) {
  tools::TextTable t({"NAME", "EMPTY", "COUNT"});
  t.align_right(2);
  t.add_row({"a", "", "5"});
  t.add_row({"longer", "", "1,000"});
  EXPECT_EQ(t.render(2),
            "  NAME    COUNT\n"
            "  a           5\n"
            "  longer  1,000\n");
  tools::TextTable bare({"", ""});
  bare.add_row({"key", "value"});
  bare.add_row({"", "more"});
  EXPECT_EQ(bare.render(0),
            "key  value\n"
            "     more\n");
  tools::TextTable none({"A"});
  EXPECT_EQ(none.render(), "");  // no rows, no heading
}

}  // namespace
}  // namespace morel::test
