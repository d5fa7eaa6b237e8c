// Conformance over the ONNX backend test data (../shared/testdata/onnx-backend):
// every case is converted, run and compared with its expected outputs at the
// suite's tolerances. Each directory prints passed / failed / unsupported
// counts; a case listed in tests/onnx/expected_passes.txt that stops passing
// fails the test, and cases that newly pass are printed so the list can grow.
//
// MOREL_ONNX_REPORT=FILE writes every case's status and reason to FILE.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/onnx_cases.h"
#include "support/paths.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

fs::path backend_dir() {
  return testdata_dir() / "onnx-backend";
}

std::set<std::string> expected_passes() {
  std::set<std::string> out;
  const fs::path path = source_dir() / "tests/onnx/expected_passes.txt";
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read the expected-passes list " << path;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

struct Tally {
  int passed = 0, frozen = 0, failed = 0, unsupported = 0;
};

// The expected-passes key of a case: frozen passes are listed apart.
std::string key_of(const std::string& dir, const std::string& name, const CaseResult& r) {
  return dir + "/" + name + (r.status == CaseStatus::kPassedFrozen ? " [frozen inputs]" : "");
}

void report(const std::string& dir, const std::map<std::string, CaseResult>& results,
            bool whole_dir = true) {
  const std::set<std::string> expected = expected_passes();
  Tally t;
  std::vector<std::string> newly, regressed;
  std::ofstream file;
  if (const char* path = std::getenv("MOREL_ONNX_REPORT")) file.open(path, std::ios::app);
  for (const auto& [name, r] : results) {
    const std::string key = key_of(dir, name, r);
    const char* status = "passed";
    switch (r.status) {
      case CaseStatus::kPassed:
        ++t.passed;
        if (!expected.count(key)) newly.push_back(key);
        break;
      case CaseStatus::kPassedFrozen:
        ++t.frozen;
        status = "passed-frozen";
        if (!expected.count(key)) newly.push_back(key);
        break;
      case CaseStatus::kFailed:
        ++t.failed;
        status = "failed";
        break;
      case CaseStatus::kUnsupported:
        ++t.unsupported;
        status = "unsupported";
        break;
    }
    if (file) file << key << "\t" << status << "\t" << r.message << "\n";
  }
  std::cout << "onnx-backend/" << dir << ": " << t.passed << " passed, " << t.frozen
            << " passed with inputs frozen, " << t.failed << " failed, " << t.unsupported
            << " unsupported (of " << results.size() << ")\n";
  for (const auto& n : newly)
    std::cout << "  newly passing (add to expected_passes.txt): " << n << "\n";
  // A listed case regresses when it no longer passes, or passes only with
  // inputs frozen where it was listed as passing without.
  const std::string frozen_tag = " [frozen inputs]";
  for (const auto& key : expected) {
    if (key.rfind(dir + "/", 0) != 0) continue;
    std::string name = key.substr(dir.size() + 1);
    const bool listed_frozen =
        name.size() > frozen_tag.size() &&
        name.compare(name.size() - frozen_tag.size(), std::string::npos, frozen_tag) == 0;
    if (listed_frozen) name.resize(name.size() - frozen_tag.size());
    const auto it = results.find(name);
    if (it == results.end()) {
      if (whole_dir) regressed.push_back(key + ": the case is missing from the test data");
      continue;
    }
    const CaseStatus s = it->second.status;
    if (s == CaseStatus::kPassed || (listed_frozen && s == CaseStatus::kPassedFrozen)) continue;
    regressed.push_back(key + ": " +
                        (s == CaseStatus::kPassedFrozen ? "passes only with inputs frozen: " : "") +
                        it->second.message);
  }
  for (const auto& r : regressed) ADD_FAILURE() << "regression: " << r;
}

class OnnxBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxBackend, ExpectedCasesPass) {
  const fs::path dir = backend_dir() / GetParam();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && fs::exists(e.path() / "model.onnx"))
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  ASSERT_FALSE(names.empty()) << "no cases in " << dir;
  std::map<std::string, CaseResult> results;
  for (const auto& n : names) results[n] = run_backend_case(dir / n);
  report(GetParam(), results);
}

INSTANTIATE_TEST_SUITE_P(Suites, OnnxBackend,
                         ::testing::Values("node", "pytorch-converted", "pytorch-operator",
                                           "simple"),
                         [](const auto& p) {
                           std::string s = p.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

// The nine light CNNs, one test each so that they run in parallel. Their
// weights are ConstantOfShape fills folded into full-size models (vgg19:
// 575 MB, 25 s to convert), too heavy for CI's budget: by default only the
// three small ones run (about 5 s), the rest with MOREL_ONNX_FULL=1.
class OnnxLight : public ::testing::TestWithParam<std::string> {};

bool run_all_light_models() {
  const char* v = std::getenv("MOREL_ONNX_FULL");
  return v && std::string(v) != "0";
}

TEST_P(OnnxLight, MatchesReference) {
  const std::string name = GetParam();
  static const std::set<std::string> small = {"inception_v1", "shufflenet", "squeezenet"};
  if (!small.count(name) && !run_all_light_models())
    GTEST_SKIP() << "light_" << name
                 << " is large (hundreds of MB of weights once folded); set MOREL_ONNX_FULL=1 "
                    "to run it";
  const fs::path light = backend_dir() / "light";
  CaseTolerance tol;
  std::ifstream meta(backend_dir() / "real" / ("test_" + name) / "data.json");
  ASSERT_TRUE(meta) << "no real/test_" << name << "/data.json";
  const nlohmann::json j = nlohmann::json::parse(meta);
  tol.rtol = j.at("rtol");
  tol.atol = j.at("atol");
  std::map<std::string, CaseResult> results;
  results["light_" + name] = run_light_model(light / ("light_" + name + ".onnx"),
                                             light / ("light_" + name + "_output_0.pb"), tol);
  report("light", results, false);
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxLight,
                         ::testing::Values("bvlc_alexnet", "densenet121", "inception_v1",
                                           "inception_v2", "resnet50", "shufflenet", "squeezenet",
                                           "vgg19", "zfnet512"));

}  // namespace
}  // namespace morel::test
