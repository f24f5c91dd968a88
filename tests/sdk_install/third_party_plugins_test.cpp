// plugins/openai-batch and plugins/anthropic-batch are third parties' plugins in all but location: each
// CMakeLists.txt builds its plugin, out of tree, against an installed SDK and nothing else (no
// pipehost sources, no Boost), and pipehost loads the result.
#include <gtest/gtest.h>

#include "process.hpp"
#include "run_checked.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

struct ThirdPartyPlugin {
  std::string name;
  /// A key of its own config, shown by `pipehost plugins NAME`.
  std::string own_key;
};

void PrintTo(const ThirdPartyPlugin& plugin, std::ostream* out) {
  *out << plugin.name;
}

class InstalledSdk : public testing::TestWithParam<ThirdPartyPlugin> {};

TEST_P(InstalledSdk, BuildsTheProviderOutOfTree) {
  const auto& plugin = GetParam();
  TempDir dir;
  auto prefix = dir.file("prefix"), build = dir.file(plugin.name + "-build");
  run_checked(
      {TEST_CMAKE_COMMAND, "--install", PIPEHOST_BINARY_DIR, "--prefix", prefix, "--component", "sdk"});
  run_checked({TEST_CMAKE_COMMAND, "-S", std::string(PIPEHOST_SOURCE_DIR) + "/plugins/" + plugin.name, "-B",
               build, "-DCMAKE_PREFIX_PATH=" + prefix,
               "-DCMAKE_CXX_COMPILER=" + std::string(TEST_CXX_COMPILER), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
               "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"});
  run_checked({TEST_CMAKE_COMMAND, "--build", build, "-j2"});
  auto commands = read_file(build + "/compile_commands.json");
  EXPECT_EQ(commands.find(std::string(PIPEHOST_SOURCE_DIR) + "/sdk"), std::string::npos) << commands;
  EXPECT_EQ(commands.find("boost"), std::string::npos) << commands;
  EXPECT_NE(commands.find(prefix + "/include"), std::string::npos) << commands;
  ASSERT_TRUE(std::filesystem::exists(build + "/pipehost-" + plugin.name + ".so"));

  auto listing = run_checked({bin_path("pipehost"), "plugins", "--plugins", build});
  EXPECT_NE(listing.out.find(plugin.name + "  1.0.0 "), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find(" provider"), std::string::npos) << listing.out;
  auto details = run_checked({bin_path("pipehost"), "plugins", "--plugins", build, plugin.name});
  EXPECT_NE(details.out.find("`" + plugin.own_key + "`"), std::string::npos) << details.out;
}

INSTANTIATE_TEST_SUITE_P(Providers, InstalledSdk,
                         testing::Values(ThirdPartyPlugin{"openai-batch", "endpoint"},
                                         ThirdPartyPlugin{"anthropic-batch", "cache_system"}),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace pipehost::test
