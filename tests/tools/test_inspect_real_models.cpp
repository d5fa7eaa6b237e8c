// inspect on the real coremltools models (../shared/testdata/coreml): the
// summary and its JSON agree with what the case files say about each model
// (written by coremltools' Python side, an independent source), and with
// counts taken here straight from the protobuf by reflection.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "format/format_test_util.h"
#include "morel/weights.h"
#include "tools/inspect.h"

namespace morel::test {
namespace {

using nlohmann::json;
using tools::Flexibility;
using tools::ModelSummary;

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return json::parse(in);
}

json case_json(const std::string& name) {
  return read_json(coreml_dir() / name);
}

ModelSummary summary_of(const std::string& model) {
  return tools::inspect_model_file(coreml_dir() / model);
}

int64_t kind_count(const tools::NetworkInfo& n, const std::string& kind) {
  for (const auto& k : n.layers_by_kind)
    if (k.kind == kind) return k.count;
  return 0;
}

const tools::PrecisionInfo* precision(const ModelSummary& s, const std::string& key) {
  for (const auto& p : s.weights.by_precision)
    if (p.key == key) return &p;
  return nullptr;
}

// Every WeightParams in a message tree (reflection, independent of layer_weights).
void collect_weights(const google::protobuf::Message& m,
                     std::vector<const spec::WeightParams*>& out) {
  if (m.GetDescriptor() == spec::WeightParams::descriptor()) {
    out.push_back(static_cast<const spec::WeightParams*>(&m));
    return;
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i)
        collect_weights(m.GetReflection()->GetRepeatedMessage(m, f, i), out);
    } else {
      collect_weights(m.GetReflection()->GetMessage(m, f), out);
    }
  }
}

std::vector<const spec::WeightParams*> all_weights(const Spec& spec) {
  std::vector<const spec::WeightParams*> out;
  collect_weights(spec, out);
  return out;
}

// ---------------------------------------------------------------------------
// Named models
// ---------------------------------------------------------------------------

TEST(InspectSqueezenet, LayersAndFloat32Weights) {
  const ModelSummary s = summary_of("torch/squeezenet1_1.mlmodel");
  EXPECT_EQ(s.model_type, "neuralNetwork");
  EXPECT_TRUE(s.runs_in_morel);
  EXPECT_FALSE(s.validation_error) << *s.validation_error;
  EXPECT_EQ(s.spec_version, 4);
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->layer_count, 65);
  EXPECT_EQ(s.network->nested_layer_count, 0);
  EXPECT_EQ(kind_count(*s.network, "convolution"), 26);
  EXPECT_EQ(kind_count(*s.network, "activation"), 26);
  EXPECT_EQ(kind_count(*s.network, "concat"), 8);
  EXPECT_EQ(kind_count(*s.network, "pooling"), 4);
  EXPECT_EQ(kind_count(*s.network, "reshapeStatic"), 1);
  ASSERT_EQ(s.network->layers_by_kind.size(), 5u);
  EXPECT_EQ(s.network->layers_by_kind[0].count, 26);  // most frequent first
  EXPECT_EQ(s.network->layers_by_kind.back().kind, "reshapeStatic");
  EXPECT_EQ(s.network->array_shape_mapping, "EXACT_ARRAY_MAPPING");

  // 26 convolutions, weights and bias each, all float32.
  EXPECT_EQ(s.weights.tensor_count, 52);
  ASSERT_EQ(s.weights.by_precision.size(), 1u);
  const auto& fp32 = s.weights.by_precision[0];
  EXPECT_EQ(fp32.key, "float32");
  EXPECT_EQ(fp32.label, "fp32");
  EXPECT_EQ(fp32.tensor_count, 52);

  // Bytes and values, counted here from the protobuf itself.
  const Spec spec = load_real("torch/squeezenet1_1.mlmodel");
  int64_t values = 0;
  for (const auto* w : all_weights(spec)) values += w->floatvalue_size();
  EXPECT_EQ(fp32.parameter_count, values);
  EXPECT_EQ(fp32.size_bytes, 4 * values);
  EXPECT_EQ(s.weights.size_bytes, 4 * values);
  // The weights are nearly all of the file (case JSON: the file size).
  const json j = case_json("torch/squeezenet1_1.json");
  EXPECT_EQ(s.file_size_bytes, j.at("model_size_bytes").get<int64_t>());
  EXPECT_LT(s.weights.size_bytes, s.file_size_bytes);
  EXPECT_GT(s.weights.size_bytes, s.file_size_bytes * 95 / 100);

  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "input");
  EXPECT_EQ(s.inputs[0].shape, (std::vector<int64_t>{1, 3, 112, 112}));
  EXPECT_EQ(s.inputs[0].network_shape, (std::vector<int64_t>{1, 3, 112, 112}));
  EXPECT_EQ(s.inputs[0].type, "multiArray float32 1x3x112x112");
  EXPECT_EQ(s.inputs[0].flexibility, Flexibility::kFixed);
}

// The quantized variants: the precision breakdown is what the case file
// says, values count the same as the fp32 twin's, and bytes follow the bits.
struct QuantizedCase {
  const char* stem;
  const char* key;
  int bits;
};

class InspectQuantized : public ::testing::TestWithParam<QuantizedCase> {};

TEST_P(InspectQuantized, PrecisionBreakdown) {
  const QuantizedCase c = GetParam();
  const std::string stem = std::string("quantized/squeezenet1_1_") + c.stem;
  const json j = case_json(stem + ".json");
  const ModelSummary s = summary_of(stem + ".mlmodel");
  const ModelSummary twin = summary_of(stem + "_dequantized.mlmodel");
  EXPECT_FALSE(s.validation_error) << *s.validation_error;

  // The case file's weight_storage, key for key.
  std::map<std::string, int64_t> expected, found;
  for (const auto& [key, count] : j.at("weight_storage").items()) expected[key] = count;
  for (const auto& p : s.weights.by_precision) found[p.key] = p.tensor_count;
  EXPECT_EQ(found, expected);

  const tools::PrecisionInfo* p = precision(s, c.key);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->bits, c.bits);
  EXPECT_EQ(p->tensor_count, 52);
  // The same number of values as the dequantized (float32) twin.
  ASSERT_NE(precision(twin, "float32"), nullptr);
  const int64_t values = precision(twin, "float32")->parameter_count;
  EXPECT_EQ(p->parameter_count, values);
  EXPECT_EQ(s.weights.parameter_count, values);

  // Stored bytes: each tensor packs its values at `bits` bits, padded to a byte.
  const Spec spec = load_real(stem + ".mlmodel");
  int64_t stored = 0, params = 0;
  for (const auto* w : all_weights(spec)) {
    stored += static_cast<int64_t>(w->float16value().size() + w->rawvalue().size() +
                                   w->int8rawvalue().size()) +
              4 * int64_t(w->floatvalue_size());
    if (w->has_quantization()) {
      const auto& q = w->quantization();
      params +=
          4 * (int64_t(q.linearquantization().scale_size()) + q.linearquantization().bias_size() +
               q.lookuptablequantization().floatvalue_size());
    }
  }
  EXPECT_EQ(p->size_bytes, stored);
  EXPECT_EQ(p->quantization_params_size_bytes, params);
  EXPECT_EQ(s.weights.size_bytes, stored + params);
  EXPECT_GE(p->size_bytes * 8, values * c.bits);
  EXPECT_LT(p->size_bytes * 8, values * c.bits + 52 * 8);  // at most a byte of padding each
  if (c.bits == 16) {
    EXPECT_EQ(params, 0);
  } else if (std::string(c.key).find("lookupTable") != std::string::npos) {
    EXPECT_EQ(params, 52 * (int64_t(1) << c.bits) * 4);  // one LUT per tensor
  } else {
    EXPECT_GT(params, 0);  // scale and bias
  }
  EXPECT_LT(s.weights.size_bytes, s.file_size_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Coreml, InspectQuantized,
    ::testing::Values(QuantizedCase{"fp16", "float16", 16},
                      QuantizedCase{"q8_linear", "8bit_linearQuantization", 8},
                      QuantizedCase{"q8_linear_symmetric", "8bit_linearQuantization", 8},
                      QuantizedCase{"q6_linear_lut", "6bit_lookupTableQuantization", 6},
                      QuantizedCase{"q4_kmeans", "4bit_lookupTableQuantization", 4},
                      QuantizedCase{"q2_kmeans", "2bit_lookupTableQuantization", 2}),
    [](const auto& param_info) { return std::string(param_info.param.stem); });

TEST(InspectBuilderModels, ClassifierLabels) {
  const json j = case_json("builder/classifier_string_labels.json");
  const ModelSummary s = summary_of("builder/classifier_string_labels.mlmodel");
  EXPECT_EQ(s.model_type, "neuralNetworkClassifier");
  EXPECT_EQ(s.class_labels.type, "string");
  EXPECT_EQ(s.class_labels.labels, j.at("class_labels").get<std::vector<std::string>>());
  EXPECT_EQ(s.class_labels.labels.size(), 4u);
  EXPECT_EQ(s.predicted_feature_name, j.at("predictedFeatureName").get<std::string>());
  EXPECT_EQ(s.predicted_probabilities_name, j.at("predictedProbabilitiesName").get<std::string>());
  ASSERT_EQ(s.outputs.size(), 2u);
  EXPECT_EQ(s.outputs[0].kind, "dictionary");
  EXPECT_EQ(s.outputs[0].data_type, "string");
  EXPECT_EQ(s.outputs[1].kind, "string");
  // Rank-5 era: the [8] input reaches the network as [1, 1, 8, 1, 1].
  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->array_shape_mapping, "RANK5_ARRAY_MAPPING");
  EXPECT_EQ(s.inputs.at(0).data_type, "float64");
  EXPECT_EQ(s.inputs.at(0).network_shape, (std::vector<int64_t>{1, 1, 8, 1, 1}));

  const json out = tools::to_json(s);
  EXPECT_EQ(out["class_labels"]["count"], 4);
  EXPECT_EQ(out["class_labels"]["type"], "string");
  EXPECT_EQ(out["class_labels"]["labels"], j.at("class_labels"));
}

TEST(InspectBuilderModels, EnumeratedRank5Flexibility) {
  const json j = case_json("builder/flex_enumerated_rank5_shape0.json");
  const ModelSummary s = summary_of("builder/flex_enumerated_rank5.mlmodel");
  ASSERT_EQ(s.inputs.size(), 1u);
  const auto& in = s.inputs[0];
  const json& declared = j.at("model_inputs").at(0);
  EXPECT_EQ(in.flexibility, Flexibility::kEnumerated);
  EXPECT_EQ(in.enumerated,
            declared.at("enumeratedShapes").get<std::vector<std::vector<int64_t>>>());
  EXPECT_EQ(in.shape, declared.at("shape").get<std::vector<int64_t>>());
  EXPECT_EQ(in.network_shape, (std::vector<int64_t>{1, 1, 3, 8, 8}));
  EXPECT_EQ(s.network->array_shape_mapping, j.at("array_shape_mapping").get<std::string>());
  EXPECT_EQ(s.spec_version, 3);

  const json out = tools::to_json(s);
  const json& flex = out["inputs"][0]["flexibility"];
  EXPECT_EQ(flex["kind"], "enumerated");
  EXPECT_EQ(flex["shapes"], declared.at("enumeratedShapes"));
}

TEST(InspectBuilderModels, RangeNdFlexibility) {
  const json j = case_json("builder/flex_range_nd_shape0.json");
  const ModelSummary s = summary_of("builder/flex_range_nd.mlmodel");
  ASSERT_EQ(s.inputs.size(), 1u);
  const auto& in = s.inputs[0];
  EXPECT_EQ(in.flexibility, Flexibility::kRange);
  const auto ranges = j.at("model_inputs").at(0).at("shapeRange");
  ASSERT_EQ(in.ranges.size(), ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(in.ranges[i].lower, ranges[i][0].get<int64_t>()) << i;
    EXPECT_EQ(in.ranges[i].upper, ranges[i][1].get<int64_t>()) << i;  // -1: unbounded
  }
  EXPECT_EQ(in.network_shape, (std::vector<int64_t>{1, 3, 8, 8}));
  EXPECT_EQ(s.network->array_shape_mapping, "EXACT_ARRAY_MAPPING");

  const json flex = tools::to_json(s)["inputs"][0]["flexibility"];
  EXPECT_EQ(flex["kind"], "range");
  ASSERT_EQ(flex["dimensions"].size(), 4u);
  EXPECT_EQ(flex["dimensions"][2], (json{{"lower", 4}, {"upper", 32}}));
  EXPECT_EQ(flex["dimensions"][3], (json{{"lower", 4}, {"upper", nullptr}}));
}

TEST(InspectImageModel, ImageTypeAndPreprocessing) {
  const json j = case_json("image/image_rgb.json");
  const ModelSummary s = summary_of("image/image_rgb.mlmodel");
  ASSERT_EQ(s.inputs.size(), 1u);
  const auto& in = s.inputs[0];
  EXPECT_EQ(in.kind, "image");
  EXPECT_EQ(in.data_type, "RGB");
  EXPECT_EQ(in.width, j.at("model_inputs")[0].at("width").get<int64_t>());
  EXPECT_EQ(in.height, j.at("model_inputs")[0].at("height").get<int64_t>());
  EXPECT_EQ(in.type, "image RGB 32x24");
  EXPECT_EQ(in.network_shape, (std::vector<int64_t>{1, 3, 24, 32}));  // RANK4_IMAGE_MAPPING

  ASSERT_TRUE(s.network);
  EXPECT_EQ(s.network->image_shape_mapping, j.at("image_shape_mapping").get<std::string>());
  ASSERT_EQ(s.network->preprocessing.size(), 1u);
  const auto& p = s.network->preprocessing[0];
  const json& e = j.at("preprocessing")[0];
  EXPECT_EQ(p.feature_name, e.at("featureName").get<std::string>());
  EXPECT_EQ(p.kind, "scaler");
  EXPECT_FLOAT_EQ(p.channel_scale, e.at("channelScale").get<float>());
  EXPECT_FLOAT_EQ(p.red_bias, e.at("redBias").get<float>());
  EXPECT_FLOAT_EQ(p.green_bias, e.at("greenBias").get<float>());
  EXPECT_FLOAT_EQ(p.blue_bias, e.at("blueBias").get<float>());
  EXPECT_FLOAT_EQ(p.gray_bias, e.at("grayBias").get<float>());

  const json out = tools::to_json(s);
  EXPECT_EQ(out["inputs"][0]["width"], 32);
  EXPECT_EQ(out["inputs"][0]["height"], 24);
  EXPECT_EQ(out["inputs"][0]["data_type"], "RGB");
  EXPECT_FLOAT_EQ(out["network"]["preprocessing"][0]["channel_scale"].get<float>(),
                  e.at("channelScale").get<float>());
}

// ---------------------------------------------------------------------------
// Every real model against its case files
// ---------------------------------------------------------------------------

// Model file (relative to coreml/) -> the case JSONs that describe it.
std::map<std::string, std::vector<json>> cases_by_model() {
  std::map<std::string, std::vector<json>> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(coreml_dir())) {
    if (e.path().extension() != ".json" || e.path().filename() == "index.json") continue;
    json j = read_json(e.path());
    const auto dir = std::filesystem::relative(e.path().parent_path(), coreml_dir());
    out[(dir / j.at("model").get<std::string>()).generic_string()].push_back(std::move(j));
  }
  return out;
}

std::string dtype_of(const std::string& case_dtype) {
  if (case_dtype == "FLOAT32") return "float32";
  if (case_dtype == "DOUBLE") return "float64";
  if (case_dtype == "INT32") return "int32";
  if (case_dtype == "FLOAT16") return "float16";
  return case_dtype;
}

TEST(InspectAllRealModels, AgreeWithTheirCaseFiles) {
  const auto names = real_model_names();
  ASSERT_EQ(names.size(), kRealModelCount);
  const auto cases = cases_by_model();
  size_t checked_storage = 0;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ModelSummary s;
    ASSERT_NO_THROW(s = summary_of(name));
    EXPECT_FALSE(s.validation_error) << *s.validation_error;
    EXPECT_TRUE(s.runs_in_morel) << s.not_run_reason;
    ASSERT_TRUE(s.network);

    // The JSON is one document that survives a round trip through text.
    const auto doc = tools::to_json(s);
    const json parsed = json::parse(doc.dump());
    EXPECT_EQ(parsed["file_size_bytes"].get<int64_t>(), s.file_size_bytes);
    EXPECT_FALSE(tools::render_text(s).empty());

    // The weight tensors, counted by reflection, by storage.
    const Spec spec = load_real(name);
    int64_t tensors = 0;
    for (const auto* w : all_weights(spec))
      if (describe_weights(*w).storage != WeightStorage::kEmpty) ++tensors;
    EXPECT_EQ(s.weights.tensor_count, tensors);
    EXPECT_EQ(s.weights.missing_count, 0);

    auto it = cases.find(name);
    ASSERT_NE(it, cases.end()) << "no case file describes this model";
    for (const json& c : it->second) {
      SCOPED_TRACE(c.at("name").get<std::string>());
      EXPECT_EQ(s.file_size_bytes, c.at("model_size_bytes").get<int64_t>());
      EXPECT_EQ(s.spec_version, c.at("spec_version").get<int>());
      EXPECT_EQ(s.model_type, c.at("model_type").get<std::string>());
      EXPECT_EQ(s.network->array_shape_mapping, c.at("array_shape_mapping").get<std::string>());
      EXPECT_EQ(s.network->image_shape_mapping, c.at("image_shape_mapping").get<std::string>());

      // weight_storage: the same counts per precision, in summary and JSON.
      std::map<std::string, int64_t> expected, found, found_json;
      for (const auto& [key, count] : c.at("weight_storage").items()) expected[key] = count;
      for (const auto& p : s.weights.by_precision) found[p.key] = p.tensor_count;
      for (const auto& [key, row] : parsed["weight_storage"]["by_precision"].items())
        found_json[key] = row["tensor_count"];
      EXPECT_EQ(found, expected);
      EXPECT_EQ(found_json, expected);
      ++checked_storage;

      // Layer kinds: the counts of the case's layer_types list.
      std::map<std::string, int64_t> kinds, found_kinds;
      for (const auto& t : c.at("layer_types")) ++kinds[t.get<std::string>()];
      for (const auto& k : s.network->layers_by_kind) found_kinds[k.kind] = k.count;
      EXPECT_EQ(found_kinds, kinds);
      EXPECT_EQ(s.network->layer_count, static_cast<int64_t>(c.at("layer_types").size()));

      // Inputs and outputs: names, kinds, shapes and element types.
      const json& ins = c.at("model_inputs");
      ASSERT_EQ(s.inputs.size(), ins.size());
      for (size_t i = 0; i < ins.size(); ++i) {
        EXPECT_EQ(s.inputs[i].name, ins[i].at("name").get<std::string>());
        if (ins[i].at("type") == "multiArrayType") {
          EXPECT_EQ(s.inputs[i].kind, "multiArray");
          EXPECT_EQ(s.inputs[i].shape, ins[i].at("shape").get<std::vector<int64_t>>());
          EXPECT_EQ(s.inputs[i].data_type, dtype_of(ins[i].at("dataType")));
          EXPECT_FALSE(s.inputs[i].network_shape.empty());
        } else if (ins[i].at("type") == "imageType") {
          EXPECT_EQ(s.inputs[i].kind, "image");
          EXPECT_EQ(s.inputs[i].width, ins[i].at("width").get<int64_t>());
        }
      }
      const json& outs = c.at("model_outputs");
      ASSERT_EQ(s.outputs.size(), outs.size());
      for (size_t i = 0; i < outs.size(); ++i)
        EXPECT_EQ(s.outputs[i].name, outs[i].at("name").get<std::string>());
      if (c.contains("class_labels")) {
        EXPECT_EQ(s.class_labels.labels, c.at("class_labels").get<std::vector<std::string>>());
      }
    }
  }
  size_t case_files = 0;
  for (const auto& [model, list] : cases) case_files += list.size();
  EXPECT_EQ(checked_storage, case_files);  // every case file was compared
  EXPECT_EQ(case_files, 64u);
}

}  // namespace
}  // namespace morel::test
