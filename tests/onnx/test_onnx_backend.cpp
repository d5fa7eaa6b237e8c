// Conformance over the ONNX backend test data (../shared/testdata/onnx-backend):
// every case is converted, run and compared with its expected outputs at the
// suite's tolerances. Each directory prints passed / failed / unsupported
// counts; a case listed in tests/onnx/expected_passes.txt that stops passing
// fails the test, and cases that newly pass are printed so the list can grow.
//
// MOREL_ONNX_REPORT=FILE writes every case's status and reason to FILE.
#include <gtest/gtest.h>

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
  std::ifstream in(source_dir() / "tests/onnx/expected_passes.txt");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

struct Tally {
  int passed = 0, failed = 0, unsupported = 0;
};

void report(const std::string& dir, const std::map<std::string, CaseResult>& results,
            bool whole_dir = true) {
  const std::set<std::string> expected = expected_passes();
  Tally t;
  std::vector<std::string> newly, regressed;
  std::ofstream file;
  if (const char* path = std::getenv("MOREL_ONNX_REPORT")) file.open(path, std::ios::app);
  for (const auto& [name, r] : results) {
    const std::string key = dir + "/" + name;
    const char* status = "passed";
    switch (r.status) {
      case CaseStatus::kPassed:
        ++t.passed;
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
    if (r.status != CaseStatus::kPassed && expected.count(key))
      regressed.push_back(key + ": " + r.message);
    if (file) file << key << "\t" << status << "\t" << r.message << "\n";
  }
  std::cout << "onnx-backend/" << dir << ": " << t.passed << " passed, " << t.failed << " failed, "
            << t.unsupported << " unsupported (of " << results.size() << ")\n";
  for (const auto& n : newly)
    std::cout << "  newly passing (add to expected_passes.txt): " << n << "\n";
  for (const auto& key : expected)
    if (whole_dir && key.rfind(dir + "/", 0) == 0 && !results.count(key.substr(dir.size() + 1)))
      regressed.push_back(key + ": the case is missing from the test data");
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

// The nine light CNNs, one test each so that they run in parallel.
class OnnxLight : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxLight, MatchesReference) {
  const std::string name = GetParam();
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
