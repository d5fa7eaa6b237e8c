// Every single-layer fixture (tests/fixtures/layers) whose layer holds
// weights, quantized in each storage form: the quantizer rewrites every
// layer kind it covers (convolution and deconvolution, innerProduct,
// batchedMatmul, embedding, embeddingND, batchnorm, scale, bias, loadConstant,
// the recurrent layers), the runtime runs the result exactly like its
// dequantized twin, and 8-bit / fp16 stay close to the oracle's output.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "io/npy.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/quantize.h"
#include "morel/spec.h"
#include "support/compare.h"
#include "support/paths.h"
#include "support/run_layer.h"

namespace morel::test {
namespace {

struct Fixture {
  std::filesystem::path file;
  spec::NeuralNetworkLayer layer;
  std::vector<MultiArray> inputs, outputs;
  graph::LowerContext ctx;
};

std::vector<Fixture> weighted_fixtures() {
  std::vector<Fixture> out;
  const std::filesystem::path root = fixtures_dir() / "layers";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    const nlohmann::json j = nlohmann::json::parse(in);
    if (j.contains("error")) continue;
    Fixture f;
    f.file = file;
    if (!google::protobuf::util::JsonStringToMessage(j.at("layer").dump(), &f.layer).ok()) continue;
    bool has_weights = false;
    for (const auto& ref : layer_weights(f.layer))
      if (describe_weights(*ref.weights).storage != WeightStorage::kEmpty) has_weights = true;
    if (!has_weights) continue;
    for (const auto& name : j.at("inputs"))
      f.inputs.push_back(io::read_npy(file.parent_path() / name.get<std::string>()));
    for (const auto& name : j.at("outputs"))
      f.outputs.push_back(io::read_npy(file.parent_path() / name.get<std::string>()));
    f.ctx.rank5 = j.value("rank5", false);
    f.ctx.spec_version = j.value("spec_version", f.ctx.rank5 ? 1 : 4);
    out.push_back(std::move(f));
  }
  return out;
}

// Quantize a one-layer network; return the rewritten layer.
spec::NeuralNetworkLayer quantized(const spec::NeuralNetworkLayer& layer, QuantizationMode mode,
                                   int bits, QuantizeReport* report = nullptr) {
  Spec spec;
  spec.set_specificationversion(4);
  *spec.mutable_neuralnetwork()->add_layers() = layer;
  QuantizeOptions o;
  o.mode = mode;
  o.bits = bits;
  QuantizeReport r = quantize(spec, o);
  if (report) *report = r;
  return spec.neuralnetwork().layers(0);
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, static_cast<double>(std::abs(x)));
  return m;
}

TEST(QuantizeLayers, EveryWeightedFixtureRoundTrips) {
  const std::vector<Fixture> fixtures = weighted_fixtures();
  ASSERT_GE(fixtures.size(), 50u);
  const std::set<std::string> covered_kinds = {
      "convolution",      "innerProduct",    "batchedMatmul", "embedding",
      "embeddingND",      "batchnorm",       "scale",         "bias",
      "loadConstant",     "simpleRecurrent", "gru",           "uniDirectionalLSTM",
      "biDirectionalLSTM"};
  std::map<std::string, int> rewritten;  // kind -> fixtures rewritten
  struct Mode {
    QuantizationMode mode;
    int bits;
    double abs, rel;  // of the output against the oracle; < 0: not checked
  };
  const Mode modes[] = {{QuantizationMode::kLinear, 8, 0.03, 0.03},
                        {QuantizationMode::kFloat16, 16, 5e-3, 5e-3},
                        {QuantizationMode::kKMeans, 4, -1, -1},
                        {QuantizationMode::kLinearSymmetric, 5, -1, -1}};
  for (const Fixture& f : fixtures) {
    const std::string kind = layer_kind_name(f.layer);
    SCOPED_TRACE(f.file.filename().string() + " (" + kind + ")");
    for (const Mode& m : modes) {
      SCOPED_TRACE(std::string(quantization_mode_name(m.mode)));
      QuantizeReport report;
      const spec::NeuralNetworkLayer q = quantized(f.layer, m.mode, m.bits, &report);
      if (!covered_kinds.count(kind)) {
        EXPECT_EQ(report.weights_changed, 0) << "a kind the quantizer leaves in float";
        continue;
      }
      bool any_float = false;
      for (const auto& w : report.weights) {
        const bool is_float =
            w.before.storage == WeightStorage::kFloat32 ||
            w.before.storage == WeightStorage::kRawFloat32 ||
            (w.before.storage == WeightStorage::kFloat16 && m.mode != QuantizationMode::kFloat16);
        any_float = any_float || is_float;
        EXPECT_EQ(w.changed, is_float) << w.field << ": " << w.reason;
      }
      if (!any_float) continue;
      if (m.mode == QuantizationMode::kLinear) ++rewritten[kind];

      // The twin: the same layer with the decoded weights stored as float32.
      Spec twin_spec;
      *twin_spec.mutable_neuralnetwork()->add_layers() = q;
      QuantizeOptions d;
      d.mode = QuantizationMode::kDequantize;
      quantize(twin_spec, d);
      const spec::NeuralNetworkLayer& twin = twin_spec.neuralnetwork().layers(0);

      const LayerRun a = run_layer(q, f.inputs, f.ctx);
      const LayerRun b = run_layer(twin, f.inputs, f.ctx);
      ASSERT_EQ(a.values.size(), f.outputs.size());
      for (size_t k = 0; k < a.values.size(); ++k) {
        EXPECT_TRUE(all_close(a.values[k], b.values[k], {1e-6, 1e-5})) << "output " << k;
        if (m.abs < 0) continue;
        const std::vector<float> expected = f.outputs[k].to_floats();
        const Tolerance tol{m.abs * std::max(1.0, max_abs(expected)), m.rel};
        EXPECT_TRUE(all_close(a.values[k], expected, tol)) << "output " << k << " vs oracle";
      }
    }
  }
  for (const std::string& kind : covered_kinds)
    EXPECT_GT(rewritten[kind], 0) << "no fixture exercised quantized " << kind;
  // Deconvolution too (per-channel scales along its output axis).
  bool deconv = false;
  for (const Fixture& f : fixtures)
    if (f.layer.has_convolution() && f.layer.convolution().isdeconvolution()) deconv = true;
  EXPECT_TRUE(deconv);
}

}  // namespace
}  // namespace morel::test
