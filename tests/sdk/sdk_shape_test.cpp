// The SDK's public interface stays small enough to read in one sitting: plugin authors learn it from
// the headers. Implementation (guards, handshake fields, JSON and config internals) lives in detail/.
// And neither the host nor the SDK knows any provider: providers are plugins.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace {

// Lines that are neither blank nor only a comment.
int code_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "//") == 0) continue;
    ++lines;
  }
  return lines;
}

TEST(SdkHeaders, ThePublicInterfaceFitsInUnder600CodeLines) {
  std::filesystem::path include = std::filesystem::path(PIPEHOST_SOURCE_DIR) / "sdk/include/pipehost";
  int total = 0;
  std::string per_file;
  for (const auto& entry : std::filesystem::directory_iterator(include)) {
    if (entry.path().extension() != ".hpp") continue;  // detail/ is a folder: not counted
    int lines = code_lines(entry.path());
    total += lines;
    per_file += "\n  " + entry.path().filename().string() + ": " + std::to_string(lines);
  }
  EXPECT_GT(total, 100) << "the headers were not found under " << include;
  EXPECT_LT(total, 600) << "move implementation into sdk/include/pipehost/detail/:" << per_file;
}

// Provider names in host/ and sdk/ code (comments may name them as examples). `pipehost init` writes
// a starter config whose provider section is gemini-batch's by design: that file is the exception.
TEST(ProviderNeutral, NoProviderIsNamedInHostOrSdkCode) {
  const std::regex provider(R"(gemini|google|openai|anthropic|claude|gpt-)", std::regex::icase);
  std::string found;
  for (const char* tree : {"host", "sdk"}) {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(std::filesystem::path(PIPEHOST_SOURCE_DIR) / tree)) {
      auto extension = entry.path().extension();
      if ((extension != ".cpp" && extension != ".hpp") || entry.path().filename() == "init_command.cpp")
        continue;
      std::ifstream in(entry.path());
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        auto code = line.substr(0, line.find("//"));
        if (std::regex_search(code, provider))
          found += "\n  " + entry.path().string() + ":" + std::to_string(number) + ": " + line;
      }
    }
  }
  EXPECT_TRUE(found.empty()) << "provider knowledge belongs in its plugin:" << found;
}

}  // namespace
