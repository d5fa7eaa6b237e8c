// swish_example: the seed walk-through in C++. Builds the Swish model with
// ModelBuilder, saves it, loads it back as a Model, and classifies an image
// with the Swish custom layer linked into this program.
//
//   swish_example [--image PNG] [--save MODEL.mlmodel]
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <string>
#include <system_error>

#include <unistd.h>

#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"
#include "swish.h"
#include "swish_model.h"

// The one line that makes className "Swish" in a model run this class.
MOREL_REGISTER_CUSTOM_LAYER("Swish", swish::Swish);
MOREL_REGISTER_CUSTOM_LAYER("LearnableSwish", swish::LearnableSwish);

namespace {

int usage(const char* message) {
  if (message) std::cerr << "swish_example: error: " << message << "\n";
  std::cerr << "usage: swish_example [--image PNG] [--save MODEL.mlmodel]\n"
               "  --image PNG   RGB image to classify (default: the bundled "
               "examples/swish/data/swish_input.png)\n"
               "  --save PATH   where to save the built model (default: a temporary file)\n";
  return message ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path image_path =
      std::filesystem::path(MOREL_SWISH_DATA_DIR) / "swish_input.png";
  std::filesystem::path model_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return usage(nullptr);
    if ((arg == "--image" || arg == "--save") && i + 1 >= argc)
      return usage((arg + " needs a value").c_str());
    if (arg == "--image")
      image_path = argv[++i];
    else if (arg == "--save")
      model_path = argv[++i];
    else
      return usage(("unknown argument '" + arg + "'").c_str());
  }
  const bool temporary = model_path.empty();
  if (temporary)
    model_path = std::filesystem::temp_directory_path() /
                 ("swish_example_" + std::to_string(::getpid()) + ".mlmodel");

  try {
    morel::Spec spec = swish::build_swish_model();
    morel::save_spec(spec, model_path);
    std::cout << "built " << model_path.string() << " (" << std::filesystem::file_size(model_path)
              << " bytes): conv 3x3 (6) -> Swish (beta " << swish::kBeta
              << ") -> global average pool -> inner product (10) -> softmax\n";

    morel::Model model = morel::Model::load(model_path);
    std::error_code ignored;
    if (temporary) std::filesystem::remove(model_path, ignored);
    morel::Image image = morel::load_image(image_path);
    std::cout << "image " << image_path.string() << " (" << image.width << "x" << image.height
              << " " << morel::pixel_format_name(image.format) << ")\n";

    morel::FeatureMap out = model.predict({{"image", image}});
    const auto& probs = std::get<morel::MultiArray>(out.at("probabilities"));
    std::vector<int64_t> order(static_cast<size_t>(probs.count()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return probs.get_float(a) > probs.get_float(b); });
    std::cout << "class  probability\n";
    for (int64_t c : order)
      std::cout << std::setw(5) << c << "  " << std::fixed << std::setprecision(6)
                << probs.get_float(c) << "\n";
  } catch (const morel::Error& e) {
    std::error_code ignored;
    if (temporary) std::filesystem::remove(model_path, ignored);
    std::cerr << "swish_example: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
