// A third party's view: install the SDK to a prefix, build examples/echo-provider as its own CMake
// project against that prefix only, load it into pipehost next to the shipped plugins, run a job.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "process.hpp"
#include "run_checked.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

TEST(InstalledSdk, BuildsAndRunsAnOutOfTreeProvider) {
  TempDir dir;
  auto prefix = dir.file("prefix"), build = dir.file("echo-build");
  run_checked(
      {TEST_CMAKE_COMMAND, "--install", PIPEHOST_BINARY_DIR, "--prefix", prefix, "--component", "sdk"});
  ASSERT_TRUE(std::filesystem::exists(prefix + "/include/pipehost/sdk.hpp"));
  ASSERT_TRUE(std::filesystem::exists(prefix + "/lib/cmake/pipehost/pipehostConfig.cmake"));

  run_checked({TEST_CMAKE_COMMAND, "-S", std::string(PIPEHOST_SOURCE_DIR) + "/examples/echo-provider", "-B",
               build, "-DCMAKE_PREFIX_PATH=" + prefix,
               "-DCMAKE_CXX_COMPILER=" + std::string(TEST_CXX_COMPILER),
               "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"});
  run_checked({TEST_CMAKE_COMMAND, "--build", build});
  // The plugin saw the installed headers only, never the source tree's.
  auto commands = read_file(build + "/compile_commands.json");
  EXPECT_EQ(commands.find(std::string(PIPEHOST_SOURCE_DIR) + "/sdk"), std::string::npos) << commands;
  EXPECT_NE(commands.find(prefix + "/include"), std::string::npos) << commands;

  auto listing = run_checked({bin_path("pipehost"), "plugins", "--plugins", build});
  EXPECT_NE(listing.out.find("echo-provider  2.0.0    provider"), std::string::npos) << listing.out;

  write_file(dir.file("songs.csv"),
             "artist,song\nToni Basil,Mickey\n\"Ben E. King\",\"Stand, By Me\"\nLustra,Scotty\n");
  write_file(dir.file("schema.json"),
             R"({"type": "object", "properties": {"key": {"type": "string"}, "echo": {"type": "string"},
                 "chars": {"type": "integer"}}, "required": ["key", "echo", "chars"]})");
  write_file(dir.file("run.json"), R"({
    "source": {"plugin": "csv-io", "path": "songs.csv"},
    "request": {"plugin": "prompt-template", "system_file": "schema.json", "user_template": "{{song}}",
                "response_schema_file": "schema.json"},
    "provider": {"plugin": "echo-provider", "mode": "online", "prefix": "heard: "},
    "parser": {"plugin": "markdown-json-parser", "response_schema_file": "schema.json"},
    "sinks": [{"plugin": "csv-io", "path": "out.csv"}]
  })");
  run_checked({bin_path("pipehost"), "run", "--no-progress", "--plugins", PIPEHOST_PLUGIN_DIR, "--plugins",
               build, dir.file("run.json")});
  EXPECT_EQ(read_file(dir.file("out.csv")),
            "artist,song,key,echo,chars,_status,_error\n"
            "Toni Basil,Mickey,1,heard: Mickey,6,ok,\n"
            "Ben E. King,\"Stand, By Me\",2,\"heard: Stand, By Me\",12,ok,\n"
            "Lustra,Scotty,3,heard: Scotty,6,ok,\n");
}

}  // namespace
}  // namespace pipehost::test
