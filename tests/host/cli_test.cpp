// The pipehost executable end to end: listing plugins, validating, pass-through runs, exit codes.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_host.hpp"

namespace {

using pipehost::test::bin_path;
using pipehost::test::run_process;

pipehost::test::ProcessResult pipehost_cli(std::vector<std::string> args) {
  args.insert(args.begin(), bin_path("pipehost"));
  pipehost::test::ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  return run_process(args, options);
}

TEST(Cli, VersionAndHelp) {
  auto version = pipehost_cli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("plugin SDK 1.0.0, ABI 1.0"), std::string::npos) << version.out;
  auto help = pipehost_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes: 0 ok"), std::string::npos);
}

TEST(Cli, UnknownCommandSuggestsOne) {
  auto r = pipehost_cli({"valdate", "--config", "x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command \"valdate\" (did you mean \"validate\"?)"), std::string::npos)
      << r.err;
}

TEST(Cli, MissingConfigIsAUsageError) {
  auto r = pipehost_cli({"run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no config given"), std::string::npos) << r.err;
}

TEST(Cli, LimitMustBeAPositiveWholeNumber) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--limit", "-5"},
                                        {"--limit=-5"},
                                        {"--limit", "0"},
                                        {"--limit", "x"},
                                        {"--limit", "1e3"},
                                        {"--limit", "99999999999999999999999"}}) {
    args.insert(args.begin(), "run");
    args.push_back("x.json");
    auto r = pipehost_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[1];
    EXPECT_NE(r.err.find("--limit"), std::string::npos) << args[1] << ": " << r.err;
  }
  auto r = pipehost_cli({"run", "--limit=-5", "x.json"});
  EXPECT_NE(r.err.find("--limit takes a positive whole number of rows (e.g. --limit 100), not \"-5\""),
            std::string::npos)
      << r.err;
}

TEST(Cli, PluginsListsTheGoodPlugin) {
  auto r = pipehost_cli({"plugins", "--plugins", TEST_GOOD_PLUGINS});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("NAME"), std::string::npos);
  EXPECT_NE(r.out.find("test-rows  1.2.3    source,sink  Generated rows and a recording sink (tests)"),
            std::string::npos)
      << r.out;
}

TEST(Cli, PluginsJsonCarriesSchemasAndRefusals) {
  auto r = pipehost_cli({"plugins", "--json", "--plugins", TEST_BAD_PLUGINS});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = boost::json::parse(r.out).as_object();
  ASSERT_EQ(doc.at("plugins").as_array().size(), 1u);
  const auto& plugin = doc.at("plugins").as_array()[0].as_object();
  EXPECT_EQ(plugin.at("name").as_string(), "test-rows");
  EXPECT_EQ(plugin.at("stages").as_array()[1].at("config_schema").at("required").as_array()[0].as_string(),
            "path");
  EXPECT_EQ(doc.at("refused").as_array().size(), 5u);
}

TEST(Cli, PluginsTableReportsRefusalsOnStderr) {
  auto r = pipehost_cli({"plugins", "--plugins", TEST_BAD_PLUGINS});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("refused: " + std::string(TEST_BAD_PLUGINS) +
                       "/not-a-plugin.so: not a pipehost plugin (it does not export pipehost_plugin_entry)"),
            std::string::npos)
      << r.err;
}

TEST(Cli, PluginDetailsShowConfigKeys) {
  auto r = pipehost_cli({"plugins", "test-rows", "--plugins", TEST_GOOD_PLUGINS});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| `rows` | integer |  | how many rows |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| `path` | string (path) | required |  |"), std::string::npos) << r.out;
}

class PassThroughTest : public ::testing::Test {
 protected:
  std::string config(int rows) {
    auto path = dir_.file("run.json");
    pipehost::test::write_file(path, R"({"source": {"plugin": "test-rows", "rows": )" + std::to_string(rows) +
                                         R"(}, "sinks": [{"plugin": "test-rows", "path": "out/rows.tsv"},
                                                          {"plugin": "test-rows", "path": "out/copy.tsv"}],
                                         "run": {"state_dir": "state"}})");
    return path;
  }
  pipehost::test::TempDir dir_;
};

TEST_F(PassThroughTest, EveryRowReachesEverySinkInOrder) {
  auto r = pipehost_cli({"--plugins", TEST_GOOD_PLUGINS, "--config", config(2500)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"out/rows.tsv", "out/copy.tsv"}) {
    auto text = pipehost::test::read_file(dir_.path() / name);
    std::string expected = "id\ttext\n";
    for (int i = 1; i <= 2500; ++i) expected += std::to_string(i) + "\trow " + std::to_string(i) + "\n";
    EXPECT_EQ(text, expected) << name;
  }
}

TEST_F(PassThroughTest, ValidateReadsTheInputAndSendsNothing) {
  auto r = pipehost_cli({"validate", "--plugins", TEST_GOOD_PLUGINS, config(42)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: 42 rows, 2 columns"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out"));
}

TEST_F(PassThroughTest, ConfigErrorExitsWithUsageCode) {
  auto path = dir_.file("run.json");
  pipehost::test::write_file(path, R"({"source": {"plugin": "test-rows", "rows": -1}})");
  auto r = pipehost_cli({"--plugins", TEST_GOOD_PLUGINS, "--config", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "pipehost: " + path + ": /source/rows: must be at least 0, got -1\n");
}

TEST_F(PassThroughTest, TwoPluginsWithOneNameStopEveryCommandThatRunsStages) {
  pipehost::test::TempDir other;
  std::filesystem::copy_file(std::string(TEST_GOOD_PLUGINS) + "/pipehost-test-rows.so",
                             other.path() / "pipehost-test-rows.so");
  for (const char* command : {"validate", "run"}) {
    auto r = pipehost_cli(
        {command, "--plugins", TEST_GOOD_PLUGINS, "--plugins", other.path().string(), config(3)});
    EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
    EXPECT_NE(r.err.find("two plugins are named \"test-rows\": " + std::string(TEST_GOOD_PLUGINS) +
                         "/pipehost-test-rows.so and " + other.file("pipehost-test-rows.so")),
              std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out"));
  // The same folder twice is the same plugin.
  auto twice =
      pipehost_cli({"run", "--plugins", TEST_GOOD_PLUGINS, "--plugins", TEST_GOOD_PLUGINS, config(3)});
  EXPECT_EQ(twice.exit_code, 0) << twice.err;
}

TEST_F(PassThroughTest, ASymlinkLoopInAPluginFolderIsSkippedWithAWarning) {
  pipehost::test::TempDir plugins;
  std::filesystem::create_symlink("b.so", plugins.path() / "a.so");
  std::filesystem::create_symlink("a.so", plugins.path() / "b.so");
  auto listed =
      pipehost_cli({"plugins", "--plugins", plugins.path().string(), "--plugins", TEST_GOOD_PLUGINS});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("test-rows"), std::string::npos) << listed.out;
  auto r =
      pipehost_cli({"run", "--plugins", plugins.path().string(), "--plugins", TEST_GOOD_PLUGINS, config(3)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("refused plugin " + plugins.file("a.so") + ": skipped: a symbolic link loop"),
            std::string::npos)
      << r.err;
}

TEST_F(PassThroughTest, AnOutputThatIsTheInputIsRefusedInACopyRunToo) {
  auto path = dir_.file("run.json");
  pipehost::test::write_file(dir_.file("in.tsv"), "id\ttext\n");
  pipehost::test::write_file(path, R"({"source": {"plugin": "test-rows", "rows": 3, "path": "in.tsv"},
                                       "sinks": [{"plugin": "test-rows", "path": "./in.tsv"}]})");
  auto r = pipehost_cli({"run", "--plugins", TEST_GOOD_PLUGINS, path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ": /sinks/0/path: the output " + dir_.file("in.tsv") +
                       " is the file the run reads at /source/path"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(pipehost::test::read_file(dir_.file("in.tsv")), "id\ttext\n");
}

}  // namespace
