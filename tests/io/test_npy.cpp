// .npy reading and writing: files NumPy wrote (every dtype the reader takes,
// format version 2, 0-d and empty arrays), round trips of what morel writes,
// and one clear error for each kind of file it must refuse.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>

#include "io/npy.h"
#include "morel/error.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace morel::test {
namespace {

std::filesystem::path npy_dir() {
  return fixtures_dir() / "io" / "npy";
}

std::string error_of(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "(no error)";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Npy, ReadsFloat32WrittenByNumpy) {
  MultiArray a = io::read_npy(npy_dir() / "float32_2x3.npy");
  EXPECT_EQ(a.dtype(), DType::kFloat32);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.data<float>()[i], i * 0.5f);
}

TEST(Npy, ReadsFloat64Float16AndVersion2) {
  MultiArray d = io::read_npy(npy_dir() / "float64_4.npy");
  ASSERT_EQ(d.dtype(), DType::kFloat64);
  EXPECT_EQ(d.shape(), std::vector<int64_t>{4});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(d.data<double>()[i], i * 0.5);

  MultiArray h = io::read_npy(npy_dir() / "float16_3.npy");
  ASSERT_EQ(h.dtype(), DType::kFloat16);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.get_float(i), i * 0.5f);

  MultiArray v2 = io::read_npy(npy_dir() / "version2_float32_3.npy");
  ASSERT_EQ(v2.shape(), std::vector<int64_t>{3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(v2.data<float>()[i], i * 0.5f);
}

TEST(Npy, ReadsIntegerKindsAsInt32) {
  MultiArray a = io::read_npy(npy_dir() / "int32_2x2.npy");
  ASSERT_EQ(a.dtype(), DType::kInt32);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a.data<int32_t>()[i], i - 2);

  MultiArray l = io::read_npy(npy_dir() / "int64_5.npy");
  ASSERT_EQ(l.dtype(), DType::kInt32);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(l.data<int32_t>()[i], i - 2);

  MultiArray u = io::read_npy(npy_dir() / "uint8_2x2x1.npy");
  EXPECT_EQ(u.shape(), (std::vector<int64_t>{2, 2, 1}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(u.data<int32_t>()[i], i);

  MultiArray b = io::read_npy(npy_dir() / "bool_4.npy");
  EXPECT_EQ(b.data<int32_t>()[0], 1);
  EXPECT_EQ(b.data<int32_t>()[1], 0);
}

TEST(Npy, ReadsScalarAndEmptyArrays) {
  MultiArray s = io::read_npy(npy_dir() / "scalar_float32.npy");
  EXPECT_TRUE(s.shape().empty());
  ASSERT_EQ(s.count(), 1);
  EXPECT_EQ(s.data<float>()[0], 2.5f);

  MultiArray e = io::read_npy(npy_dir() / "empty_0x3.npy");
  EXPECT_EQ(e.shape(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(e.count(), 0);
}

TEST(Npy, RoundTripsEveryDtypeAndOddShapes) {
  const std::vector<std::vector<int64_t>> shapes = {{}, {1}, {7}, {3, 1, 5}, {2, 3, 4, 5}, {0, 2}};
  for (const auto& shape : shapes) {
    for (DType dtype : {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kFloat16}) {
      MultiArray a(dtype, shape);
      for (int64_t i = 0; i < a.count(); ++i) a.set_float(i, static_cast<float>(i % 17) - 8.0f);
      MultiArray b = io::parse_npy(io::serialize_npy(a), "round trip");
      ASSERT_EQ(b.dtype(), dtype);
      ASSERT_EQ(b.shape(), shape);
      ASSERT_EQ(b.size_bytes(), a.size_bytes());
      if (a.size_bytes() > 0) {
        EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.size_bytes()), 0);
      }
    }
  }
}

TEST(Npy, WrittenHeaderIsWhatNumpyWrites) {
  MultiArray a = MultiArray::from_floats({3}, std::vector<float>{1, 2, 3});
  std::string bytes = io::serialize_npy(a);
  // Data starts on a 64-byte boundary after a '\n'-terminated header.
  size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
  // Byte-identical to NumPy's own file for the same array.
  MultiArray numpy = io::read_npy(npy_dir() / "float32_2x3.npy");
  EXPECT_EQ(io::serialize_npy(numpy), slurp(npy_dir() / "float32_2x3.npy"));
}

TEST(Npy, WriteThenReadFile) {
  TempDir dir("test_npy");
  std::filesystem::path p = dir / "write.npy";
  MultiArray a = MultiArray::from_doubles({2, 2}, std::vector<double>{1.5, -2, 1e300, 0});
  io::write_npy(p, a);
  MultiArray b = io::read_npy(p);
  EXPECT_EQ(b.dtype(), DType::kFloat64);
  EXPECT_EQ(b.data<double>()[2], 1e300);
}

TEST(Npy, RefusesFortranOrderNamingTheWayOut) {
  ErrorCode code{};
  std::string msg = error_of([] { io::read_npy(npy_dir() / "fortran_2x3.npy"); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidInput);
  EXPECT_NE(msg.find("fortran_2x3.npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Fortran order"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ascontiguousarray"), std::string::npos) << msg;
}

TEST(Npy, RefusesUnsupportedDtypesNamingThem) {
  std::string complex = error_of([] { io::read_npy(npy_dir() / "complex64_2.npy"); });
  EXPECT_NE(complex.find("complex64"), std::string::npos) << complex;
  EXPECT_NE(complex.find("float32, float64 or int32"), std::string::npos) << complex;
  std::string unicode = error_of([] { io::read_npy(npy_dir() / "unicode_2.npy"); });
  EXPECT_NE(unicode.find("unicode"), std::string::npos) << unicode;
  std::string big = error_of([] { io::read_npy(npy_dir() / "bigendian_float32_3.npy"); });
  EXPECT_NE(big.find("big-endian"), std::string::npos) << big;
  std::string wide = error_of([] { io::read_npy(npy_dir() / "int64_too_big.npy"); });
  EXPECT_NE(wide.find("does not fit in int32"), std::string::npos) << wide;
}

TEST(Npy, RefusesDamagedFiles) {
  std::string good = slurp(npy_dir() / "float32_2x3.npy");
  struct Case {
    std::string bytes, expect;
  };
  std::string unterminated =
      good.substr(0, 10) + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)";
  unterminated[8] = static_cast<char>(unterminated.size() - 10);
  unterminated[9] = 0;
  std::string bad_dim = good;
  bad_dim.replace(bad_dim.find("(2, 3)"), 6, "(2, x)");
  std::string huge_len = good;
  huge_len[8] = '\xff', huge_len[9] = '\xff';
  std::vector<Case> cases = {
      {"", "bad magic"},
      {"hello world, not numpy", "bad magic"},
      {good.substr(0, good.size() - 4), "shorter than its shape"},
      {good.substr(0, 40), "truncated"},
      {huge_len, "truncated"},
      {unterminated, "malformed"},
      {bad_dim, "bad dimension"},
      {std::string("\x93NUMPY\x07\x00", 8) + good.substr(8), "version 7"},
  };
  for (const Case& c : cases) {
    ErrorCode code{};
    std::string msg = error_of([&] { io::parse_npy(c.bytes, "x.npy"); }, &code);
    EXPECT_EQ(code, ErrorCode::kInvalidInput) << msg;
    EXPECT_NE(msg.find("x.npy"), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << msg;
  }
}

TEST(Npy, MissingFileAndFolderAreIoErrors) {
  ErrorCode code{};
  std::string missing = error_of([] { io::read_npy("/nonexistent/x.npy"); }, &code);
  EXPECT_EQ(code, ErrorCode::kIo);
  EXPECT_NE(missing.find("/nonexistent/x.npy"), std::string::npos);
  std::string folder = error_of([] { io::read_npy(npy_dir()); }, &code);
  EXPECT_EQ(code, ErrorCode::kIo);
  EXPECT_NE(folder.find("is a folder"), std::string::npos) << folder;
}

}  // namespace
}  // namespace morel::test
