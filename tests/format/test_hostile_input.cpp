// Hostile bytes: truncated, bit-flipped and random models, absurd length
// prefixes, deep nesting, empty files, ZIP archives and directories.
// parse_spec / load_spec either return a spec or throw morel::Error with a
// message; validate_spec on whatever parses does the same. Anything else
// (another exception, a crash, a sanitizer report) fails. CI runs this under
// ASan and UBSan.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "format/format_test_util.h"
#include "morel/error.h"
#include "morel/layer_weights.h"
#include "morel/spec.h"
#include "morel/spec_versions.h"
#include "morel/weights.h"

namespace morel::test {
namespace {

// protobuf logs every string field with invalid UTF-8 it refuses; thousands
// of corrupted names would bury the test output.
const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

struct Outcome {
  int parsed = 0;
  int rejected = 0;
  int validated = 0;
};

// What the library may do with any bytes. A spec that validates must also
// decode: validation is what the runtime relies on before decoding.
void survive(std::string_view bytes, Outcome& outcome) {
  Spec spec;
  try {
    spec = parse_spec(bytes, "hostile");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_GT(std::string(e.what()).size(), 10u) << e.what();
    ++outcome.rejected;
    return;
  }
  ++outcome.parsed;
  (void)minimum_spec_version(spec);
  EXPECT_EQ(serialize_spec(spec).size(), spec.ByteSizeLong());
  try {
    validate_spec(spec);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_GT(std::string(e.what()).size(), 10u) << e.what();
    return;
  }
  ++outcome.validated;
  if (const NetworkView net = network_view(spec)) {
    for (const auto& layer : *net.layers) {
      for (const auto& ref : layer_weights(layer)) {
        if (ref.expected_count < 0) continue;
        EXPECT_NO_THROW(decode_weights(*ref.weights, ref.expected_count, ref.layout, ref.field))
            << layer.name() << " " << ref.field;
      }
    }
  }
}

std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string tag(uint32_t field, int wire_type) {
  return varint((uint64_t(field) << 3) | wire_type);
}
std::string length_delimited(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}
const std::string kVersion4 = tag(1, 0) + varint(4);  // specificationVersion = 4

std::vector<std::string> small_models() {
  std::vector<std::string> names;
  for (const auto& name : real_model_names())
    if (std::filesystem::file_size(coreml_dir() / name) <= 4096) names.push_back(name);
  return names;
}

TEST(Truncated, EveryPrefixOfEverySmallModel) {
  const auto names = small_models();
  ASSERT_GE(names.size(), 40u);
  Outcome outcome;
  for (const auto& name : names) {
    const std::string bytes = read_bytes(coreml_dir() / name);
    for (size_t n = 0; n < bytes.size(); ++n)
      survive(std::string_view(bytes).substr(0, n), outcome);
  }
  EXPECT_GT(outcome.rejected, 0);
  EXPECT_GT(outcome.parsed, 0);  // some prefixes end on a field boundary
}

TEST(Truncated, SampledPrefixesOfABigModel) {
  const std::string bytes = read_bytes(coreml_dir() / "quantized/squeezenet1_1_q4_kmeans.mlmodel");
  ASSERT_GT(bytes.size(), 300000u);
  Outcome outcome;
  for (size_t n = 0; n < bytes.size(); n += bytes.size() / 397 + 1)
    survive(std::string_view(bytes).substr(0, n), outcome);
  for (size_t cut = 1; cut <= 64; ++cut)
    survive(std::string_view(bytes).substr(0, bytes.size() - cut), outcome);
  EXPECT_GT(outcome.rejected, 0);
}

TEST(Corrupted, EveryBitFlipOfSmallModels) {
  Outcome outcome;
  for (const char* name : {"builder/lstm.mlmodel", "builder/classifier_string_labels.mlmodel",
                           "image/image_rgb.mlmodel", "builder/flex_range_nd.mlmodel"}) {
    const std::string original = read_bytes(coreml_dir() / name);
    ASSERT_FALSE(original.empty()) << name;
    std::string bytes = original;
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
      bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
      survive(bytes, outcome);
      bytes[bit / 8] = original[bit / 8];
    }
  }
  EXPECT_GT(outcome.validated, 0);  // flips inside weights stay valid
  EXPECT_GT(outcome.rejected, 0);
}

TEST(Corrupted, SampledByteChangesOfLargerModels) {
  std::mt19937 rng(1234);
  Outcome outcome;
  for (const char* name : {"torch/mlp.mlmodel", "torch/small_cnn_bn_fused.mlmodel",
                           "quantized/squeezenet1_1_q2_kmeans.mlmodel"}) {
    const std::string original = read_bytes(coreml_dir() / name);
    ASSERT_FALSE(original.empty()) << name;
    std::uniform_int_distribution<size_t> pos(0, original.size() - 1);
    for (int i = 0; i < 200; ++i) {
      std::string bytes = original;
      const int changes = 1 + i % 4;
      for (int c = 0; c < changes; ++c) {
        const size_t p = pos(rng);
        switch ((i + c) % 3) {
          case 0: bytes[p] = static_cast<char>(bytes[p] ^ (1 << (rng() % 8))); break;
          case 1: bytes[p] = static_cast<char>(0xff); break;
          default: bytes[p] = static_cast<char>(rng()); break;
        }
      }
      survive(bytes, outcome);
    }
  }
  EXPECT_GT(outcome.parsed, 0);
}

TEST(Random, BytesOfManySizes) {
  std::mt19937 rng(20240601);
  Outcome outcome;
  for (int i = 0; i < 3000; ++i) {
    const size_t size = 1 + (rng() % (size_t(1) << (1 + i % 13)));
    std::string bytes(size, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    survive(bytes, outcome);
    // The same behind a valid version field, so more of it parses and the
    // validator sees junk.
    survive(kVersion4 + bytes, outcome);
  }
  EXPECT_GT(outcome.rejected, 0);
  EXPECT_GT(outcome.parsed, 0);
}

TEST(Random, JunkInsideANeuralNetwork) {
  // A neural network whose layers are random bytes, and random layers inside
  // a valid model's network.
  std::mt19937 rng(99);
  Outcome outcome;
  for (int i = 0; i < 2000; ++i) {
    std::string junk(1 + rng() % 200, '\0');
    for (auto& b : junk) b = static_cast<char>(rng());
    survive(kVersion4 + length_delimited(500, length_delimited(1, junk)), outcome);
    survive(kVersion4 + length_delimited(403, length_delimited(1, junk)), outcome);
  }
  EXPECT_GT(outcome.parsed, 0);
}

TEST(LengthPrefix, DeclaredSizesBeyondTheData) {
  for (uint64_t length : {uint64_t(1) << 31, (uint64_t(1) << 31) + 7, uint64_t(1) << 32,
                          (uint64_t(1) << 32) + 5, uint64_t(1) << 62, ~uint64_t(0)}) {
    SCOPED_TRACE(length);
    // description (2), neuralNetwork (500), a bytes-typed model (glmRegressor, 300).
    for (uint32_t field : {2u, 500u, 300u}) {
      const std::string bytes = kVersion4 + tag(field, 2) + varint(length) + "\x0a\x03" + "abc";
      EXPECT_THROW(parse_spec(bytes), Error);
    }
    // Inside a layer's weights.
    const std::string layer = length_delimited(1, "l") + tag(100, 2) + varint(length) + "xx";
    EXPECT_THROW(parse_spec(kVersion4 + length_delimited(500, length_delimited(1, layer))), Error);
  }
  // A varint that never ends, and one longer than ten bytes.
  EXPECT_THROW(parse_spec(kVersion4 + tag(2, 2) + std::string(9, '\xff')), Error);
  EXPECT_THROW(parse_spec(kVersion4 + tag(2, 2) + std::string(11, '\xff') + '\x01'), Error);
  // A version too large to be a Core ML model.
  EXPECT_THROW(parse_spec(tag(1, 0) + varint(uint64_t(1) << 40)), Error);
}

// Model { specificationVersion = 1; pipeline { models { <inner> } } }, nested
// `depth` times around `core`, built outside-in in linear time.
std::string nested_pipelines(size_t depth, const std::string& core) {
  std::vector<size_t> sizes(depth + 1);
  sizes[0] = core.size();
  const std::string version = tag(1, 0) + varint(1);
  for (size_t i = 1; i <= depth; ++i) {
    const size_t pipeline = tag(1, 2).size() + varint(sizes[i - 1]).size() + sizes[i - 1];
    sizes[i] = version.size() + tag(202, 2).size() + varint(pipeline).size() + pipeline;
  }
  std::string out;
  out.reserve(sizes[depth]);
  for (size_t i = depth; i >= 1; --i) {
    const size_t pipeline = tag(1, 2).size() + varint(sizes[i - 1]).size() + sizes[i - 1];
    out += version + tag(202, 2) + varint(pipeline) + tag(1, 2) + varint(sizes[i - 1]);
  }
  return out + core;
}

// A network whose only layer is a branch whose ifBranch holds a branch ...
std::string nested_branches(size_t depth) {
  // Layer { name = "b"; branch (605) { ifBranch (1) { layers (1) { <inner> } } } }
  const std::string name = length_delimited(1, "b");
  std::vector<size_t> sizes(depth + 1);
  sizes[0] = name.size();
  for (size_t i = 1; i <= depth; ++i) {
    const size_t net = tag(1, 2).size() + varint(sizes[i - 1]).size() + sizes[i - 1];
    const size_t branch = tag(1, 2).size() + varint(net).size() + net;
    sizes[i] = name.size() + tag(605, 2).size() + varint(branch).size() + branch;
  }
  std::string out;
  for (size_t i = depth; i >= 1; --i) {
    const size_t net = tag(1, 2).size() + varint(sizes[i - 1]).size() + sizes[i - 1];
    const size_t branch = tag(1, 2).size() + varint(net).size() + net;
    out += name + tag(605, 2) + varint(branch) + tag(1, 2) + varint(net) + tag(1, 2) +
           varint(sizes[i - 1]);
  }
  out += name;
  return kVersion4 + tag(500, 2) +
         varint(tag(1, 2).size() + varint(out.size()).size() + out.size()) + tag(1, 2) +
         varint(out.size()) + out;
}

TEST(Nesting, DeepPipelinesAreRefusedNotOverflowed) {
  const std::string core = read_bytes(coreml_dir() / "builder/lrn.mlmodel");
  for (size_t depth : {size_t(100000), size_t(5000), size_t(60)}) {
    SCOPED_TRACE(depth);
    const std::string bytes = nested_pipelines(depth, core);
    EXPECT_THROW(parse_spec(bytes), Error);
  }
  Outcome outcome;
  for (size_t depth : {size_t(1), size_t(10), size_t(30), size_t(45)}) {
    SCOPED_TRACE(depth);
    survive(nested_pipelines(depth, core), outcome);
  }
  EXPECT_GE(outcome.parsed, 3);
}

TEST(Nesting, DeepBranchesAreRefusedNotOverflowed) {
  EXPECT_THROW(parse_spec(nested_branches(50000)), Error);
  Outcome outcome;
  for (size_t depth : {size_t(1), size_t(5), size_t(25)}) survive(nested_branches(depth), outcome);
  EXPECT_GE(outcome.parsed, 2);
}

void expect_error(const std::function<void()>& f, ErrorCode code, const std::string& piece) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(piece), std::string::npos) << e.what();
  }
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("morel_hostile_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(TempDir, EmptyFile) {
  expect_error([] { parse_spec(""); }, ErrorCode::kInvalidModel, "empty");
  const auto path = write("empty.mlmodel", "");
  expect_error([&] { load_spec(path); }, ErrorCode::kInvalidModel, "empty");
}

TEST_F(TempDir, ZipArchive) {
  const std::string zip = std::string("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10) + "model.mlmodel";
  expect_error([&] { parse_spec(zip); }, ErrorCode::kInvalidModel, "ZIP");
  const auto path = write("archive.mlmodel", zip);
  expect_error([&] { load_spec(path); }, ErrorCode::kInvalidModel, "ZIP");
}

TEST_F(TempDir, Directories) {
  expect_error([&] { load_spec(dir_); }, ErrorCode::kIo, "directory");
  std::filesystem::create_directories(dir_ / "model.mlpackage");
  expect_error([&] { load_spec(dir_ / "model.mlpackage"); }, ErrorCode::kUnsupported, "mlpackage");
  expect_error([&] { load_spec(dir_ / "missing.mlmodel"); }, ErrorCode::kIo, "cannot open");
}

TEST_F(TempDir, NotAModel) {
  expect_error([] { parse_spec("hello, world\n"); }, ErrorCode::kInvalidModel,
               "not a Core ML model");
  // Valid protobuf without a version: a JSON file, an image header.
  expect_error([] { parse_spec(std::string("\x89PNG\r\n\x1a\n", 8)); }, ErrorCode::kInvalidModel,
               "not a Core ML model");
  const auto path = write("text.mlmodel", "{\"format\": \"json\"}");
  expect_error([&] { load_spec(path); }, ErrorCode::kInvalidModel, "text.mlmodel");
}

}  // namespace
}  // namespace morel::test
