// scripts/demo_quantize.sh (the `make demo` quantize story) runs to the end
// on the bundled classifier and prints its summary: every copy smaller than
// the original, the 8-bit and fp16 copies agreeing on every image. The
// squeezenet part is left out here (MOREL_SHARED_DIR points nowhere): its
// models are compared in test_compare already, and it would double the time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "support/paths.h"
#include "support/run_cli.h"

namespace morel::test {
namespace {

TEST(DemoQuantize, RunsAndSumsUp) {
  const std::filesystem::path dir = temp_dir();
  const std::filesystem::path log = dir / "demo.log";
  const std::string cmd = "MOREL_SHARED_DIR='" + (dir / "no-shared").string() + "' '" +
                          (source_dir() / "scripts" / "demo_quantize.sh").string() + "' '" +
                          binary_dir().string() + "' '" + (dir / "out").string() + "' >'" +
                          log.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::stringstream ss;
  ss << std::ifstream(log).rdbuf();
  const std::string out = ss.str();
  ASSERT_EQ(status, 0) << out;

  // "shapes_q8   26007   100.0%   47.02": name, bytes, top-1 %, SNR.
  const std::regex row(R"((shapes_\w+) +(\d+) +([0-9.]+)% +(-?[0-9.]+|inf)\n)");
  std::map<std::string, std::pair<long, double>> rows;
  for (std::sregex_iterator it(out.begin(), out.end(), row), end; it != end; ++it)
    rows[(*it)[1]] = {std::stol((*it)[2]), std::stod((*it)[3])};
  ASSERT_EQ(rows.size(), 5u) << out;
  const long original = static_cast<long>(
      std::filesystem::file_size(source_dir() / "examples" / "demo" / "shapes_classifier.mlmodel"));
  for (const auto& [name, r] : rows) {
    EXPECT_LT(r.first, original) << name;
    EXPECT_GE(r.second, 0) << name;
    EXPECT_LE(r.second, 100) << name;
  }
  EXPECT_EQ(rows.at("shapes_q8").second, 100.0) << out;
  EXPECT_EQ(rows.at("shapes_fp16").second, 100.0) << out;
  EXPECT_LT(rows.at("shapes_q2").first, rows.at("shapes_q4").first);
  EXPECT_LT(rows.at("shapes_q4").first, rows.at("shapes_q8").first);
  EXPECT_EQ(out.find("squeezenet"), std::string::npos) << out;
}

}  // namespace
}  // namespace morel::test
