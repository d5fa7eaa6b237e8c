// torchvision models exported by PyTorch (../shared/bench/make_models.py),
// converted by morel and run: outputs match PyTorch's within 1e-4 relative
// (max |morel - torch| <= 1e-4 * max |torch|).
//
// The models (large) live in the build tree, build/torchvision-models, or
// MOREL_TORCHVISION_DIR. When missing they are exported on first use if
// /usr/bin/python3 has torch and torchvision; otherwise each test is skipped
// with a message saying how to make them.
//
// CI's budget: by default the four light models run (about 5 s); resnet18 and
// resnet50 (45 and 100 MB of weights) only with MOREL_ONNX_FULL=1.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "io/npy.h"
#include "morel/convert_onnx.h"
#include "morel/model.h"
#include "support/compare.h"
#include "support/paths.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

fs::path models_dir() {
  if (const char* d = std::getenv("MOREL_TORCHVISION_DIR")) return d;
  return binary_dir() / "torchvision-models";
}

fs::path script() {
  return fs::path(MOREL_SHARED_DIR) / "bench" / "make_models.py";
}

// True when NAME's model and reference files exist, exporting them if we can.
bool ensure_model(const std::string& name, std::string* why) {
  const fs::path dir = models_dir();
  auto ready = [&] {
    return fs::exists(dir / (name + ".onnx")) && fs::exists(dir / (name + ".output.npy"));
  };
  if (ready()) return true;
  if (!fs::exists(script())) {
    *why = script().string() + " is missing";
    return false;
  }
  if (std::system("/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1") != 0) {
    *why = "/usr/bin/python3 lacks torch/torchvision (apt-get install python3-torchvision)";
    return false;
  }
  fs::create_directories(dir);
  // One exporter at a time: the tests may run in parallel.
  const std::string cmd = "flock " + (dir / ".lock").string() + " /usr/bin/python3 " +
                          script().string() + " " + dir.string() + " >" +
                          (dir / "export.log").string() + " 2>&1";
  if (std::system(cmd.c_str()) != 0 || !ready()) {
    *why = "exporting failed; see " + (dir / "export.log").string();
    return false;
  }
  return true;
}

class Torchvision : public ::testing::TestWithParam<std::string> {};

TEST_P(Torchvision, MatchesPyTorch) {
  const std::string name = GetParam();
  const char* full = std::getenv("MOREL_ONNX_FULL");
  if (name.rfind("resnet", 0) == 0 && !(full && std::string(full) != "0"))
    GTEST_SKIP() << name << " is large; set MOREL_ONNX_FULL=1 to run it";
  std::string why;
  if (!ensure_model(name, &why))
    GTEST_SKIP() << "torchvision model " << name << " not available: " << why << " (looked in "
                 << models_dir() << "; run " << script() << " " << models_dir() << ")";
  const fs::path dir = models_dir();
  Model model = Model::from_spec(convert_onnx(dir / (name + ".onnx")));
  const MultiArray x = io::read_npy(dir / (name + ".input.npy"));
  const MultiArray want = io::read_npy(dir / (name + ".output.npy"));
  FeatureMap out = model.predict({{"input", x}});
  const MultiArray& got = std::get<MultiArray>(out.at("output"));
  EXPECT_EQ(got.shape(), want.shape());
  const std::vector<float> a = got.to_floats(), e = want.to_floats();
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size() && i < e.size(); ++i) {
    worst = std::max(worst, std::fabs(double(a[i]) - double(e[i])));
    scale = std::max(scale, std::fabs(double(e[i])));
  }
  std::cout << name << ": max |morel - torch| / max |torch| = " << worst / scale << "\n";
  EXPECT_TRUE(all_close(a, e, {0.0, 1e-4})) << name;
}

INSTANTIATE_TEST_SUITE_P(Models, Torchvision,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "resnet18", "resnet50",
                                           "shufflenet_v2_x1_0", "efficientnet_b0"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace morel::test
