// FileBytes: a file's bytes, mapped when it is a regular file, read
// otherwise, with clear errors.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "io/file_bytes.h"
#include "morel/error.h"

namespace morel::test {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("morel_file_bytes_" + std::to_string(::getpid()) + name);
}

TEST(FileBytes, ARegularFilesBytes) {
  const fs::path p = temp_path(".bin");
  std::string content(100000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7);
  std::ofstream(p, std::ios::binary) << content;
  {
    const io::FileBytes bytes(p, 1 << 20);
    EXPECT_EQ(bytes.view(), content);
  }
  fs::remove(p);
}

TEST(FileBytes, EmptyFilesAndPipesAreRead) {
  const fs::path empty = temp_path(".empty");
  std::ofstream(empty, std::ios::binary).close();
  EXPECT_EQ(io::FileBytes(empty, 10).view(), "");
  fs::remove(empty);

  const fs::path fifo = temp_path(".fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << "through a pipe"; });
  EXPECT_EQ(io::FileBytes(fifo, 100).view(), "through a pipe");
  writer.join();
  fs::remove(fifo);
}

TEST(FileBytes, ErrorsNameTheFile) {
  try {
    io::FileBytes("/nonexistent/model.mlmodel", 10);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_STREQ(e.what(), "/nonexistent/model.mlmodel: cannot open file");
  }
  const fs::path p = temp_path(".big");
  std::ofstream(p, std::ios::binary) << std::string(11, 'x');
  try {
    io::FileBytes(p, 10);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("11 bytes"), std::string::npos) << e.what();
  }
  fs::remove(p);
}

}  // namespace
}  // namespace morel::test
