// Fuzz regressions: every input of the fuzzers' corpora (fuzz/<area>/corpus) and every input a fuzzer
// once crashed on (fuzz/<area>/regressions) goes through the same entry point as in the fuzzer, here
// built with gcc and, in `make test-asan`, under ASan + UBSan. An entry point aborts when a promise is
// broken; an escaping exception is reported with the input's name.
#include <cstdint>
#include <filesystem>
#include <iostream>

#include <gtest/gtest.h>

#include "reliability_support.hpp"
#include "test_host.hpp"

// The fuzzers' LLVMFuzzerTestOneInput, renamed at compile time (see CMakeLists.txt).
extern "C" int fuzz_csv_reader(const std::uint8_t* data, std::size_t size);
extern "C" int fuzz_json_extract(const std::uint8_t* data, std::size_t size);
extern "C" int fuzz_config(const std::uint8_t* data, std::size_t size);

namespace pipehost::test {
namespace {

using EntryPoint = int (*)(const std::uint8_t*, std::size_t);

/// Feeds every file of fuzz/<area>/{corpus,regressions} to `entry`; returns how many.
std::size_t feed(const std::string& area, EntryPoint entry) {
  std::size_t fed = 0;
  for (const char* folder : {"corpus", "regressions"}) {
    for (const auto& file :
         files_under(std::filesystem::path(PIPEHOST_SOURCE_DIR) / "fuzz" / area / folder)) {
      const std::string input = read_file(file);
      std::cerr << "feeding " << file.string() << std::endl;  // named before a possible abort
      try {
        entry(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
      } catch (const std::exception& e) {
        ADD_FAILURE() << file << ": an exception escaped the entry point: " << e.what();
      }
      ++fed;
    }
  }
  return fed;
}

TEST(FuzzRegressions, CsvReader) {
  EXPECT_GT(feed("csv", fuzz_csv_reader), 0u);
}

TEST(FuzzRegressions, JsonExtract) {
  EXPECT_GT(feed("json-extract", fuzz_json_extract), 0u);
}

TEST(FuzzRegressions, Config) {
  EXPECT_GT(feed("config", fuzz_config), 0u);
}

}  // namespace
}  // namespace pipehost::test
