// The pipehost executable end to end: listing plugins, validating, pass-through runs, exit codes,
// per-command help and options, `init`.
#include <unistd.h>

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
  EXPECT_NE(version.out.find("plugin SDK 2.1.0, ABI 2.0"), std::string::npos) << version.out;
  auto help = pipehost_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes: 0 ok"), std::string::npos);
}

TEST(Cli, EveryCommandHasItsOwnHelp) {
  struct Expected {
    std::string command;
    std::vector<std::string> shown, hidden;
  };
  for (const auto& e : std::vector<Expected>{
           {"run",
            {"Usage: pipehost run [OPTIONS] CONFIG", "--limit", "--dry-run", "--plugins"},
            {"--json", "--from"}},
           {"validate",
            {"Usage: pipehost validate [OPTIONS] CONFIG", "--set"},
            {"--json", "--limit", "--from"}},
           {"plugins",
            {"Usage: pipehost plugins [OPTIONS] [NAME]", "--json", "--plugins"},
            {"--config", "--limit"}},
           {"status",
            {"Usage: pipehost status [OPTIONS] CONFIG", "--json", "--state-dir"},
            {"--limit", "--dry-run"}},
           {"export", {"Usage: pipehost export [OPTIONS] CONFIG"}, {"--json", "--limit"}},
           {"cancel", {"Usage: pipehost cancel [OPTIONS] CONFIG"}, {"--json", "--limit"}},
           {"init", {"Usage: pipehost init [OPTIONS] [DIR]", "--from"}, {"--config", "--json", "--limit"}},
           {"report",
            {"Usage: pipehost report [OPTIONS] CONFIG", "--output"},
            {"--json", "--limit", "--from"}},
           {"rows",
            {"Usage: pipehost rows [OPTIONS] CONFIG", "--status", "--where", "--limit", "--json"},
            {"--key", "--dry-run", "--from"}},
           {"calls",
            {"Usage: pipehost calls [OPTIONS] CONFIG", "--key", "--json"},
            {"--status", "--where", "--dry-run"}}}) {
    auto r = pipehost_cli({e.command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << e.command;
    for (const auto& text : e.shown)
      EXPECT_NE(r.out.find(text), std::string::npos) << e.command << ":\n" << r.out;
    for (const auto& text : e.hidden)
      EXPECT_EQ(r.out.find(text), std::string::npos) << e.command << ":\n" << r.out;
    EXPECT_EQ(r.out.find("Commands:"), std::string::npos) << e.command << " printed the global help";
  }
  auto global = pipehost_cli({"--help"});
  EXPECT_NE(global.out.find("Commands:"), std::string::npos) << global.out;
  EXPECT_NE(global.out.find("init "), std::string::npos) << global.out;
  EXPECT_NE(global.out.find("'pipehost COMMAND --help'"), std::string::npos) << global.out;
}

TEST(Cli, OptionsACommandDoesNotTakeAreRefused) {
  auto limit = pipehost_cli({"status", "--limit", "5", "run.json"});
  EXPECT_EQ(limit.exit_code, 2);
  EXPECT_NE(limit.err.find("status does not take --limit (it is an option of: run, rows, calls)"),
            std::string::npos)
      << limit.err;
  auto json = pipehost_cli({"validate", "--json", "run.json"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_NE(json.err.find("validate does not take --json (it is an option of: plugins, status, rows, calls)"),
            std::string::npos)
      << json.err;
  for (const auto& args : std::vector<std::vector<std::string>>{{"run.json", "--json"},
                                                                {"export", "--json", "run.json"},
                                                                {"cancel", "--dry-run", "run.json"},
                                                                {"plugins", "--config", "run.json"},
                                                                {"init", "--limit", "3"}}) {
    auto r = pipehost_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_NE(r.err.find(" does not take --"), std::string::npos) << r.err;
  }
}

TEST(Cli, AFolderWithoutPluginLibrariesSaysWhereTheyAre) {
  // `--plugins plugins/` in a source checkout: the folder holds the plugins' sources.
  pipehost::test::TempDir dir;
  pipehost::test::write_file(dir.path() / "plugins/csv-io/plugin.cpp", "// source\n");
  pipehost::test::write_file(dir.path() / "run.json",
                             R"({"source": {"plugin": "csv-io", "path": "in.csv"}})");
  pipehost::test::ProcessOptions options;
  options.working_dir = dir.path().string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"plugins", "--plugins", "plugins/"}, {"--plugins", "plugins/", "--config", "run.json"}}) {
    auto argv = args;
    argv.insert(argv.begin(), bin_path("pipehost"));
    auto r = run_process(argv, options);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_NE(r.err.find("plugins/ holds no pipehost plugin libraries (*.so); after `make build` they are in "
                         "build/plugins, in an installed copy in lib/pipehost/plugins"),
              std::string::npos)
        << args[0] << ": " << r.err;
  }
  // Next to a folder that has plugins, it is only a warning.
  auto mixed = run_process(
      {bin_path("pipehost"), "plugins", "--plugins", "plugins/", "--plugins", TEST_GOOD_PLUGINS}, options);
  EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_NE(mixed.out.find("test-rows"), std::string::npos) << mixed.out;
  EXPECT_NE(mixed.err.find("plugins/ holds no pipehost plugin libraries"), std::string::npos) << mixed.err;
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

TEST(Cli, PluginDetailsAsJson) {
  auto r = pipehost_cli({"plugins", "test-rows", "--json", "--plugins", TEST_GOOD_PLUGINS});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto plugin = boost::json::parse(r.out).as_object();
  EXPECT_EQ(plugin.at("name").as_string(), "test-rows");
  EXPECT_EQ(plugin.at("stages").as_array()[1].at("config_schema").at("required").as_array()[0].as_string(),
            "path");
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
  EXPECT_NE(r.out.find("| `rows` | integer, at least 0 | 10 | how many rows |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| `path` | string (path) | required |  |"), std::string::npos) << r.out;
}

TEST(Cli, PluginDetailsListTheKeysTheHostReadsNestedKeysAndBounds) {
  auto provider = pipehost_cli({"plugins", "gemini-batch", "--plugins", PIPEHOST_PLUGIN_DIR});
  ASSERT_EQ(provider.exit_code, 0) << provider.err;
  EXPECT_NE(provider.out.find("Read by pipehost itself in every provider section"), std::string::npos);
  for (const char* row :
       {"| `mode` | one of \"batch\", \"online\" | \"batch\" |",
        "| `batch_size` | integer, 1 to 100000000 | 2000 |",
        "| `max_jobs_in_flight` | integer, 1 to 1024 | 4 |", "| `poll_interval_s` | number, > 0,",
        "| `online_concurrency` |", "| `requests_per_minute` |", "| `allow_insecure_http` | boolean |"})
    EXPECT_NE(provider.out.find(row), std::string::npos) << row << "\n" << provider.out;

  auto logger = pipehost_cli({"plugins", "jsonl-log", "--plugins", PIPEHOST_PLUGIN_DIR});
  ASSERT_EQ(logger.exit_code, 0) << logger.err;
  EXPECT_NE(logger.out.find("| `required` | boolean | true |"), std::string::npos) << logger.out;
  EXPECT_EQ(logger.out.find("| `batch_size` | integer, 1 to 100000000"), std::string::npos) << logger.out;

  auto request = pipehost_cli({"plugins", "prompt-template", "--plugins", PIPEHOST_PLUGIN_DIR});
  ASSERT_EQ(request.exit_code, 0) << request.err;
  EXPECT_NE(request.out.find("| `generation.temperature` | number, 0 to 2 |"), std::string::npos)
      << request.out;
  EXPECT_NE(request.out.find("{{column \\| json}}"), std::string::npos) << "a bare | splits the table row";
  EXPECT_EQ(request.out.find("Read by pipehost itself"), std::string::npos);

  auto json = pipehost_cli({"plugins", "gemini-batch", "--json", "--plugins", PIPEHOST_PLUGIN_DIR});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto stage = boost::json::parse(json.out).at("stages").as_array()[0];
  EXPECT_EQ(stage.at("host_keys_schema").at("properties").at("batch_size").at("default").as_int64(), 2000);
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

class InitTest : public ::testing::Test {
 protected:
  pipehost::test::ProcessResult init(std::vector<std::string> args) {
    args.insert(args.begin(), {"init", "--plugins", PIPEHOST_PLUGIN_DIR});
    return pipehost_cli(args);
  }
  // validate checks that the key variable the starter names is set (not its value).
  pipehost::test::ProcessResult validate(const std::string& config) {
    pipehost::test::ProcessOptions options;
    options.timeout = std::chrono::seconds(60);
    options.env["GEMINI_API_KEY"] = "init-test-fake-key";
    return run_process({bin_path("pipehost"), "validate", "--plugins", PIPEHOST_PLUGIN_DIR, config}, options);
  }
  pipehost::test::TempDir dir_;
};

TEST_F(InitTest, FromACsvWritesFilesThatValidate) {
  // A column named like an AI column, one no placeholder can name, a quoted header with a comma.
  pipehost::test::write_file(dir_.path() / "data/reviews.csv",
                             "id,\"product, name\",review text,label,{odd}\n"
                             "1,\"Lamp, desk\",Bright and cheap,x,y\n"
                             "2,Kettle,Stopped working after a week,x,y\n");
  auto r = init({"--from", dir_.file("data/reviews.csv"), dir_.file("job")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("left out of the template (a placeholder cannot name them): \"{odd}\""),
            std::string::npos)
      << r.err;
  auto run_json = pipehost::test::read_file(dir_.path() / "job/run.json");
  EXPECT_NE(run_json.find(R"("path": "../data/reviews.csv")"), std::string::npos) << run_json;
  EXPECT_NE(run_json.find(R"("user_template": "id: {{id}}\nproduct, name: {{product, name}}\nreview text: )"
                          R"({{review text}}\nlabel: {{label}}")"),
            std::string::npos)
      << run_json;
  EXPECT_NE(run_json.find(R"("plugin": "gemini-batch")"), std::string::npos) << run_json;
  EXPECT_NE(run_json.find(R"("api_key_env": "GEMINI_API_KEY")"), std::string::npos) << run_json;
  auto schema = boost::json::parse(pipehost::test::read_file(dir_.path() / "job/schema.json")).as_object();
  const auto& properties = schema.at("properties").as_object();
  ASSERT_EQ(properties.size(), 2u);
  EXPECT_EQ(properties.at("ai_label").at("enum").as_array().size(), 3u);
  EXPECT_EQ(properties.at("reason").at("type").as_string(), "string");
  EXPECT_NE(pipehost::test::read_file(dir_.path() / "job/prompt.md").find("Edit this section"),
            std::string::npos);

  auto v = validate(dir_.file("job/run.json"));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("input: 2 rows, 5 columns"), std::string::npos) << v.out;
  EXPECT_NE(
      v.out.find(
          "output columns: id, product, name, review text, label, {odd}, ai_label, reason, _status, _error"),
      std::string::npos)
      << v.out;
}

TEST_F(InitTest, ReadsTheDelimiterOfASemicolonFile) {
  pipehost::test::write_file(dir_.path() / "songs.csv", "artist;song\nLustra;Scotty\n");
  ASSERT_EQ(init({"--from", dir_.file("songs.csv"), dir_.path().string()}).exit_code, 0);
  auto run_json = pipehost::test::read_file(dir_.path() / "run.json");
  EXPECT_NE(run_json.find(R"("path": "songs.csv", "delimiter": ";")"), std::string::npos) << run_json;
  auto v = validate(dir_.file("run.json"));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("input: 1 rows, 2 columns"), std::string::npos) << v.out;
}

TEST_F(InitTest, WithoutACsvWritesSampleDataThatValidates) {
  auto r = init({dir_.file("starter")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"run.json", "prompt.md", "schema.json", "data.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "starter" / name)) << name;
  auto v = validate(dir_.file("starter/run.json"));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("input: 3 rows, 2 columns"), std::string::npos) << v.out;
}

TEST_F(InitTest, NeverOverwritesAFile) {
  pipehost::test::write_file(dir_.path() / "prompt.md", "my prompt\n");
  auto r = init({dir_.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir_.file("prompt.md") + " already exists; init never overwrites a file"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(pipehost::test::read_file(dir_.path() / "prompt.md"), "my prompt\n");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run.json"))
      << "nothing is written when one file exists";
}

TEST_F(InitTest, AMissingCsvIsAnInputError) {
  auto r = init({"--from", dir_.file("nope.csv"), dir_.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("init --from " + dir_.file("nope.csv") + ": no such file"), std::string::npos)
      << r.err;
}

TEST(Cli, AReadOnlyExampleFolderIsAClearError) {
  // Like an installed example under /usr/share/pipehost/examples. Root writes anywhere: skip.
  if (::geteuid() == 0) GTEST_SKIP() << "running as root, which may write to any folder";
  pipehost::test::TempDir dir;
  pipehost::test::write_file(dir.path() / "example/run.json",
                             R"({"source": {"plugin": "test-rows", "rows": 3},
                                 "sinks": [{"plugin": "test-rows", "path": "out/rows.tsv"}]})");
  std::filesystem::permissions(dir.path() / "example", std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::remove);
  auto r = pipehost_cli({"--plugins", TEST_GOOD_PLUGINS, dir.file("example/run.json")});
  std::filesystem::permissions(dir.path() / "example", std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write to " + dir.file("example/out") + ": " + dir.file("example") +
                       " is not writable (Permission denied). An installed example is read-only"),
            std::string::npos)
      << r.err;
}

}  // namespace
