// plugins/openai-batch is a third party's plugin in all but location: its CMakeLists.txt builds it,
// out of tree, against an installed SDK and nothing else (no pipehost sources, no Boost), and
// pipehost loads the result.
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

ProcessResult run_checked(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.timeout = std::chrono::minutes(8);
  auto r = run_process(argv, options);
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n" << r.out << r.err;
  return r;
}

TEST(InstalledSdk, BuildsTheOpenAIProviderOutOfTree) {
  TempDir dir;
  auto prefix = dir.file("prefix"), build = dir.file("openai-build");
  run_checked(
      {TEST_CMAKE_COMMAND, "--install", PIPEHOST_BINARY_DIR, "--prefix", prefix, "--component", "sdk"});
  run_checked({TEST_CMAKE_COMMAND, "-S", std::string(PIPEHOST_SOURCE_DIR) + "/plugins/openai-batch", "-B",
               build, "-DCMAKE_PREFIX_PATH=" + prefix,
               "-DCMAKE_CXX_COMPILER=" + std::string(TEST_CXX_COMPILER), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
               "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"});
  run_checked({TEST_CMAKE_COMMAND, "--build", build, "-j2"});
  auto commands = read_file(build + "/compile_commands.json");
  EXPECT_EQ(commands.find(std::string(PIPEHOST_SOURCE_DIR) + "/sdk"), std::string::npos) << commands;
  EXPECT_EQ(commands.find("boost"), std::string::npos) << commands;
  EXPECT_NE(commands.find(prefix + "/include"), std::string::npos) << commands;
  ASSERT_TRUE(std::filesystem::exists(build + "/pipehost-openai-batch.so"));

  auto listing = run_checked({bin_path("pipehost"), "plugins", "--plugins", build});
  EXPECT_NE(listing.out.find("openai-batch  1.0.0    provider"), std::string::npos) << listing.out;
  auto details = run_checked({bin_path("pipehost"), "plugins", "--plugins", build, "openai-batch"});
  EXPECT_NE(details.out.find("`endpoint`"), std::string::npos) << details.out;
}

}  // namespace
}  // namespace pipehost::test
