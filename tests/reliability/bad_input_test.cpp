// Bad input through `pipehost run`: malformed CSVs, every top-level config key wrong once, missing and
// unreadable files, plugins that cannot be loaded (unresolved symbol, not a library, ABI mismatch, a
// descriptor that throws, one that aborts the process while loading). Each must give a clear error
// (what and where) and the documented exit code (docs/user-guide.md: 2 = bad command line, config,
// input or plugin set-up, nothing sent; 3 = the run stopped on an error, done work kept), send
// nothing it should not, and never leave a partial output file under the final name.
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "pipeline_fixture.hpp"
#include "reliability_support.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

constexpr int kRows = 30;
const std::string kBadPlugins = PIPEHOST_BAD_PLUGIN_DIR;
const std::string kAbortingPlugin = PIPEHOST_ABORTING_PLUGIN_DIR;

class BadInputTest : public PipelineTest {
 protected:
  void SetUp() override {
    start(kRows, "");
    config_ = json::parse(read_file(dir_.file("run.json"))).as_object();
    config_["loggers"] = json::array{json::object{{"plugin", "jsonl-log"}, {"path", "calls.jsonl"}}};
    save(config_);
  }

  void save(const json::object& config) { write_file(dir_.file("run.json"), json::serialize(config)); }

  /// `pipehost run` with extra arguments (after "run"), e.g. more --plugins folders.
  ProcessResult run(const std::vector<std::string>& args = {}) {
    std::vector<std::string> all = {"run"};
    all.insert(all.end(), args.begin(), args.end());
    return pipehost(all);
  }

  /// Nothing but the emulator's control routes was called.
  void expect_nothing_sent() {
    const auto counters = stats();  // a named copy: the loop must not walk a destroyed temporary
    for (const auto& [route, n] : counters.at("requests_by_route").as_object())
      EXPECT_TRUE(route.starts_with("/_emulator")) << route << " was called " << n.as_int64() << " times";
  }

  /// `pipehost run` on run.json as it is: without the fixture's --set overrides of the state dir and
  /// the output path, which would paper over a wrong "run" or "sinks" value (an override replaces
  /// whatever is on its path). The state goes to .pipehost/run, the output to out.csv.
  ProcessResult run_as_written() {
    ProcessOptions options;
    options.env["GEMINI_API_KEY"] = kGeminiKey;
    options.timeout = std::chrono::minutes(1);
    return run_process({bin_path("pipehost"), "run", "--plugins", PIPEHOST_PLUGIN_DIR, "--no-progress",
                        "--config", dir_.file("run.json")},
                       options);
  }

  /// No output under the final name, and no temporary output left behind either.
  void expect_no_output() {
    EXPECT_FALSE(std::filesystem::exists(output_path())) << "an output file under the final name";
    EXPECT_FALSE(std::filesystem::exists(dir_.file("out.csv"))) << "an output file under the final name";
    EXPECT_EQ(names_starting_with(dir_.path(), "state-out.csv"), std::vector<std::string>{})
        << "a partial output left behind";
    EXPECT_EQ(names_starting_with(dir_.path(), "out.csv"), std::vector<std::string>{})
        << "a partial output left behind";
  }

  /// Exit code 2, a message that says what (`fragments`), nothing sent, no output.
  void expect_refused(const ProcessResult& r, const std::vector<std::string>& fragments) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    for (const auto& fragment : fragments)
      EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected \"" << fragment << "\" in:\n" << r.err;
    expect_nothing_sent();
    expect_no_output();
  }

  std::string songs() const { return dir_.file("songs.csv"); }
  /// The songs.csv header and its first `rows` rows.
  std::string good_csv(int rows) const {
    std::ifstream in(songs());
    std::string out, line;
    for (int i = 0; i <= rows && std::getline(in, line); ++i) out += line + "\n";
    return out;
  }

  /// `pipehost COMMAND` on run.json as written (see run_as_written), with the Gemini key set.
  ProcessResult run_as_written_with(const std::string& command) {
    ProcessOptions options;
    options.env["GEMINI_API_KEY"] = kGeminiKey;
    options.timeout = std::chrono::minutes(1);
    return run_process({bin_path("pipehost"), command, "--plugins", PIPEHOST_PLUGIN_DIR, "--no-progress",
                        "--config", dir_.file("run.json")},
                       options);
  }

  json::object config_;
};

// --- Malformed CSVs: the registration scan reads the whole input before anything is sent. ---

TEST_F(BadInputTest, UnterminatedQuote) {
  write_file(songs(), good_csv(5) + "\"Toni Basil,Mickey,TRUE,Mickey,3\n");
  expect_refused(run(), {songs() + ":7:1: unterminated quoted field"});
}

TEST_F(BadInputTest, RaggedRowLateInTheFile) {
  // Row 29 of 30: the first jobs' rows are fine, yet nothing may be sent.
  std::string csv = good_csv(28) + "\"Dolly Parton\",\"Jolene\",TRUE\n";
  csv += good_csv(30).substr(good_csv(29).size());
  write_file(songs(), csv);
  expect_refused(run(), {songs() + ":30:", "row has 3 fields but the header has 5"});
}

TEST_F(BadInputTest, InvalidUtf8) {
  write_file(songs(), good_csv(3) + "\"Caf\xE9 Tacvba\",\"Eres\",FALSE,\"Eres\",1\n");
  expect_refused(run(), {songs() + ":5:", "invalid UTF-8 (byte 0xE9)"});
}

TEST_F(BadInputTest, EmptyFile) {
  write_file(songs(), "");
  expect_refused(run(), {songs() + ":1:1: no header row: the file is empty"});
}

TEST_F(BadInputTest, DuplicateKeyColumnValue) {
  config_["source"].as_object()["key"] = "song";  // "Song number N": unique, until row 3 comes twice
  save(config_);
  write_file(songs(), good_csv(3) + good_csv(3).substr(good_csv(2).size()));
  expect_refused(run(), {"duplicate key"});
}

TEST_F(BadInputTest, AllowedDuplicateKeysAreNamedTheSameWayInEveryPass) {
  // Row 3 comes three times: its repeats go by "KEY#2" and "KEY#3" in the ledger (first pass) and in
  // the answer and export passes alike, so each is answered once and exported next to its own row.
  config_["source"].as_object()["key"] = "song";
  config_["run"].as_object()["allow_duplicate_keys"] = true;
  save(config_);
  std::string third = good_csv(3).substr(good_csv(2).size());
  write_file(songs(), good_csv(3) + third + good_csv(5).substr(good_csv(3).size()) + third);
  auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto output = read_csv(output_path());
  ASSERT_EQ(output.rows.size(), 7u);
  for (std::size_t i = 0; i < output.rows.size(); ++i) EXPECT_EQ(output.at(i, "_error"), "") << i;
  auto listed = pipehost({"rows", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::vector<std::string> keys;
  for (std::size_t start = 0, end; (end = listed.out.find('\n', start)) != std::string::npos; start = end + 1)
    keys.emplace_back(json::parse(listed.out.substr(start, end - start)).at("key").as_string());
  ASSERT_EQ(keys.size(), 7u) << listed.out;
  EXPECT_EQ(keys[3], keys[2] + "#2");
  EXPECT_EQ(keys[6], keys[2] + "#3");
  const auto requests = stats().at("batch_lines_processed").as_int64();
  auto again = run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(stats().at("batch_lines_processed").as_int64(), requests) << "a second run sends nothing";
}

TEST_F(BadInputTest, HeaderOnlyIsAnEmptyRunNotAnError) {
  // No rows is a valid (empty) dataset: the run succeeds, sends nothing, and writes an output that has
  // the header and no rows.
  write_file(songs(), good_csv(0));
  auto r = run();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_nothing_sent();
  auto output = read_csv(output_path());
  EXPECT_EQ(output.rows.size(), 0u);
  EXPECT_EQ(output.columns.back(), "_error");
}

TEST_F(BadInputTest, InputBrokenAfterAPartialRunKeepsWhatWasDone) {
  ASSERT_EQ(run({"--limit", "10"}).exit_code, 0);
  const std::string earlier_output = read_file(output_path());
  const auto batches_before = stats().at("batches_created").as_int64();
  const std::string csv = read_file(songs());
  write_file(songs(), csv + "\"unterminated\n");
  auto broken = run();
  EXPECT_EQ(broken.exit_code, 2) << broken.err;
  EXPECT_NE(broken.err.find("unterminated quoted field"), std::string::npos) << broken.err;
  EXPECT_EQ(read_file(output_path()), earlier_output) << "the earlier output must stay as it was";
  EXPECT_EQ(stats().at("batches_created").as_int64(), batches_before) << "nothing sent";
  // Fixed again, the run goes on: the 10 rows done are not sent again.
  write_file(songs(), csv);
  auto fixed = run();
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(expect_complete_output(), static_cast<std::size_t>(kRows));
  std::set<std::string> seen;
  for (const auto& [name, keys] : keys_by_batch())
    for (const auto& key : keys) EXPECT_TRUE(seen.insert(key).second) << "row " << key << " sent twice";
}

// --- Config: every top-level key wrong once. ---

struct ConfigCase {
  std::string what;
  std::function<void(json::object&)> change;
  std::vector<std::string> fragments;  // besides the config file's path
};

std::vector<ConfigCase> config_cases() {
  std::vector<ConfigCase> cases;
  auto section = [](json::object& config, const std::string& key) -> json::object& {
    auto& value = config[key];
    return value.is_array() ? value.as_array()[0].as_object() : value.as_object();
  };
  for (std::string key : {"source", "request", "provider", "parser", "sinks", "loggers"}) {
    bool list = key == "sinks" || key == "loggers";
    std::string pointer = "/" + key + (list ? "/0" : "");
    cases.push_back(
        {key + ": wrong type",
         [key](json::object& c) { c[key] = 42; },
         {"/" + key + ": expected an " + (list ? "array of stage sections" : "object") + ", got number 42"}});
    cases.push_back({key + ": no plugin",
                     [key, section](json::object& c) { section(c, key).erase("plugin"); },
                     {pointer + "/plugin: missing"}});
    cases.push_back({key + ": unknown plugin",
                     [key, section](json::object& c) { section(c, key)["plugin"] = "no-such-plugin"; },
                     {pointer + "/plugin: no plugin named \"no-such-plugin\"", "available"}});
    cases.push_back({key + ": unknown key",
                     [key, section](json::object& c) { section(c, key)["colour"] = 1; },
                     {pointer + "/colour: unknown key \"colour\""}});
  }
  cases.push_back({"provider: a plugin without that stage",
                   [](json::object& c) { c["provider"].as_object()["plugin"] = "csv-io"; },
                   {"/provider/plugin: plugin \"csv-io\" has no provider stage"}});
  cases.push_back(
      {"run: wrong type", [](json::object& c) { c["run"] = 42; }, {"/run: expected object, got number 42"}});
  cases.push_back({"run: unknown key",
                   [](json::object& c) { c["run"].as_object()["colour"] = 1; },
                   {"/run/colour: unknown key"}});
  cases.push_back({"run: out of range",
                   [](json::object& c) { c["run"].as_object()["max_attempts"] = 0; },
                   {"/run/max_attempts: must be at least 1"}});
  cases.push_back({"top level: unknown key",
                   [](json::object& c) { c["sink"] = json::array(); },
                   {"/sink: unknown key \"sink\" (did you mean \"sinks\"?)"}});
  cases.push_back({"top level: no source", [](json::object& c) { c.erase("source"); }, {"/source: missing"}});
  cases.push_back({"top level: request without provider",
                   [](json::object& c) { c.erase("provider"); },
                   {"/provider: missing: \"request\", \"provider\" and \"parser\" go together"}});
  cases.push_back({"prompt-template: unknown placeholder",
                   [](json::object& c) { c["request"].as_object()["user_template"] = "Song: {{colour}}"; },
                   {"/request", "colour"}});
  return cases;
}

TEST_F(BadInputTest, EveryTopLevelKeyWrongOnce) {
  const json::object good = config_;
  for (const auto& c : config_cases()) {
    SCOPED_TRACE(c.what);
    json::object config = good;
    c.change(config);
    save(config);
    auto r = run_as_written();
    auto fragments = c.fragments;
    fragments.push_back(dir_.file("run.json"));
    expect_refused(r, fragments);
  }
}

TEST_F(BadInputTest, InvalidJsonGivesLineAndColumn) {
  write_file(dir_.file("run.json"), "{\n  \"source\": {\"plugin\": \"csv-io\",}\n}\n");
  expect_refused(run(), {dir_.file("run.json") + ":2:", "invalid JSON"});
}

// --- Missing and unreadable files. ---

TEST_F(BadInputTest, MissingFiles) {
  const json::object good = config_;
  struct Case {
    std::string what;
    std::function<void(json::object&)> change;
    std::string fragment;
  };
  std::vector<Case> cases = {
      {"input", [](json::object& c) { c["source"].as_object()["path"] = "nowhere.csv"; },
       dir_.file("nowhere.csv") + ": No such file or directory"},
      {"prompt", [](json::object& c) { c["request"].as_object()["system_file"] = "nowhere.md"; },
       dir_.file("nowhere.md") + "\": No such file or directory"},
      {"schema", [](json::object& c) { c["parser"].as_object()["response_schema_file"] = "nowhere.json"; },
       dir_.file("nowhere.json")},
      {"CA file", [](json::object& c) { c["provider"].as_object()["ca_file"] = "nowhere.pem"; },
       dir_.file("nowhere.pem")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json::object config = good;
    c.change(config);
    save(config);
    expect_refused(run(), {c.fragment});
  }
  save(good);
  auto no_config =
      run_process({bin_path("pipehost"), "run", "--plugins", PIPEHOST_PLUGIN_DIR, dir_.file("nope.json")});
  EXPECT_EQ(no_config.exit_code, 2);
  EXPECT_NE(no_config.err.find(dir_.file("nope.json") + ": no such file"), std::string::npos)
      << no_config.err;
  auto no_plugins = run_process(
      {bin_path("pipehost"), "run", "--plugins", dir_.file("no-plugins-here"), dir_.file("run.json")});
  EXPECT_EQ(no_plugins.exit_code, 2);
  EXPECT_NE(no_plugins.err.find(dir_.file("no-plugins-here") + ": plugin folder does not exist"),
            std::string::npos)
      << no_plugins.err;
  expect_nothing_sent();
  expect_no_output();
}

TEST_F(BadInputTest, InputThatIsAFolder) {
  std::filesystem::create_directories(dir_.path() / "folder.csv");
  config_["source"].as_object()["path"] = "folder.csv";
  save(config_);
  expect_refused(run(), {dir_.file("folder.csv")});
}

TEST_F(BadInputTest, UnreadableFiles) {
  // chmod 000 means nothing to root (CAP_DAC_OVERRIDE): check that it really locks the file.
  write_file(dir_.file("probe"), "x");
  ::chmod(dir_.file("probe").c_str(), 0);
  bool locked = !std::ifstream(dir_.file("probe")).is_open();
  if (!locked)
    GTEST_SKIP() << "running as uid " << ::geteuid() << ": chmod 000 does not stop this process reading";

  const std::string config_text = read_file(dir_.file("run.json"));
  for (const auto& file : {songs(), dir_.file("run.json")}) {
    SCOPED_TRACE(file);
    ::chmod(file.c_str(), 0);
    expect_refused(run(), {file});
    ::chmod(file.c_str(), 0644);
  }
  // The prompt lives in the source tree: use a copy.
  write_file(dir_.file("prompt.md"), "Classify the song.");
  ::chmod(dir_.file("prompt.md").c_str(), 0);
  config_["request"].as_object()["system_file"] = "prompt.md";
  save(config_);
  expect_refused(run(), {dir_.file("prompt.md")});
}

// --- Outputs: refused before anything is sent, never discovered after every row was paid. ---

TEST_F(BadInputTest, OutputThatIsTheInputIsRefused) {
  // Every way of naming the input: the same path, with "./" and "..", through a symbolic link, a
  // hard link. Today's sinks write <path>.tmp-<pid> and rename it over the input.
  std::filesystem::create_directories(dir_.path() / "sub");
  std::filesystem::create_symlink(songs(), dir_.file("link.csv"));
  std::filesystem::create_hard_link(songs(), dir_.file("hard.csv"));
  const std::string original = read_file(songs());
  for (const std::string& path :
       {songs(), dir_.path().string() + "/./songs.csv", dir_.path().string() + "/sub/../songs.csv",
        dir_.file("link.csv"), dir_.file("hard.csv")}) {
    SCOPED_TRACE(path);
    for (const char* command : {"validate", "run"}) {
      auto r = pipehost({command, "--set", "sinks.0.path=" + path});
      EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
      EXPECT_NE(r.err.find(dir_.file("run.json") + ": /sinks/0/path: the output "), std::string::npos)
          << r.err;
      EXPECT_NE(r.err.find("is the file the run reads at /source/path"), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(read_file(songs()), original) << "the input must stay as it was";
  expect_nothing_sent();
}

TEST_F(BadInputTest, OutputThatCannotBeWrittenIsRefusedBeforeAnythingIsSent) {
  // The output's folder is a file, or a folder nobody can write to (/proc, which root cannot write
  // either): refused before the scan, so no row is paid for an output that cannot be written.
  write_file(dir_.file("blocker"), "a file, not a folder");
  struct Case {
    std::string path;
    std::string reason;
  };
  std::vector<Case> cases = {
      {dir_.file("blocker/out.csv"), dir_.file("blocker") + " is not a folder"},
      {dir_.file("blocker/deeper/out.csv"), dir_.file("blocker") + " is not a folder"},
      {"/proc/pipehost-out.csv", "cannot create files in /proc"},
      {"/proc/no-such-folder/out.csv", "cannot create files in /proc"},
      {dir_.path().string(), "it is a folder"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    for (const char* command : {"validate", "run"}) {
      auto r = pipehost({command, "--set", "sinks.0.path=" + c.path});
      EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
      EXPECT_NE(r.err.find("/sinks/0/path: cannot write the output " + c.path + ": " + c.reason),
                std::string::npos)
          << r.err;
    }
  }
  EXPECT_TRUE(files_under(dir_.path() / "blocker").empty());
  expect_nothing_sent();
  EXPECT_EQ(names_starting_with(dir_.path(), ".pipehost-write-test"), std::vector<std::string>{})
      << "the write probe must clean up";

  // A folder without write permission: only meaningful when permission bits bind this process.
  std::filesystem::create_directories(dir_.path() / "locked");
  ::chmod(dir_.file("locked").c_str(), 0555);
  if (::geteuid() != 0) {
    auto r = pipehost({"run", "--set", "sinks.0.path=" + dir_.file("locked/out.csv")});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("cannot create files in " + dir_.file("locked")), std::string::npos) << r.err;
    expect_nothing_sent();
  }
  ::chmod(dir_.file("locked").c_str(), 0755);

  auto good = run();
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(expect_complete_output(), static_cast<std::size_t>(kRows));
}

TEST_F(BadInputTest, OutputColumnsThatCollideWithInputColumnsAreRefused) {
  // The JSON sink cannot hold two "energy" keys: today it fails after every row was paid for.
  config_["sinks"] = json::array{json::object{{"plugin", "json-io"}, {"path", "out.json"}}};
  save(config_);
  const std::string header = "\"artist\",\"song\",\"person\",\"name\",\"n\"";
  const std::string body = good_csv(5).substr(good_csv(0).size());
  for (const std::string column : {"energy", "_status", "_error"}) {
    SCOPED_TRACE(column);
    std::string csv = header + ",\"" + column + "\"\n";
    std::istringstream rows(body);
    for (std::string line; std::getline(rows, line);) csv += line + ",x\n";
    write_file(songs(), csv);
    for (const char* command : {"validate", "run"}) {
      auto r = run_as_written_with(command);
      EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
      EXPECT_NE(
          r.err.find(dir_.file("run.json") + ": /source: the input has a column named \"" + column + "\""),
          std::string::npos)
          << r.err;
    }
  }
  expect_nothing_sent();
  EXPECT_FALSE(std::filesystem::exists(dir_.file("out.json")));
}

TEST_F(BadInputTest, UnsetOrEmptyApiKeyVariablesAreReportedByValidate) {
  // The host knows which config values name key variables from the plugins' schemas ("format":
  // "secret-env"), including defaults the config leaves out. No network is needed to say so.
  config_["loggers"] = json::array{json::object{{"plugin", "braintrust-log"},
                                                {"project", "p"},
                                                {"api_url", emulator_->base_url()},
                                                {"ca_file", emulator_->ca_file()},
                                                {"required", false}}};
  config_["provider"].as_object().erase("api_key_env");  // the default, GEMINI_API_KEY
  save(config_);
  for (const std::string& gemini : {std::string("unset"), std::string(""), std::string("  ")}) {
    SCOPED_TRACE("GEMINI_API_KEY=" + gemini);
    for (const char* command : {"validate", "run"}) {
      ProcessOptions options;
      options.unset_env = {"BRAINTRUST_API_KEY"};
      if (gemini == "unset")
        options.unset_env.push_back("GEMINI_API_KEY");
      else
        options.env["GEMINI_API_KEY"] = gemini;
      auto r =
          run_process({bin_path("pipehost"), command, "--plugins", PIPEHOST_PLUGIN_DIR, "--no-progress",
                       "--config", dir_.file("run.json"), "--set", "run.state_dir=" + dir_.file("state")},
                      options);
      EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
      EXPECT_NE(r.err.find(dir_.file("run.json") +
                           ": /provider/api_key_env: environment variable GEMINI_API_KEY "
                           "(the default of api_key_env) is " +
                           (gemini == "unset" ? "not set" : "empty")),
                std::string::npos)
          << r.err;
      // A logger that may be down at start still needs its key: a missing key is bad config.
      EXPECT_NE(r.err.find("/loggers/0/api_key_env: environment variable BRAINTRUST_API_KEY"),
                std::string::npos)
          << r.err;
    }
  }
  // A dry run calls no service: it estimates without keys.
  ProcessOptions no_keys;
  no_keys.unset_env = {"GEMINI_API_KEY", "BRAINTRUST_API_KEY"};
  auto dry = run_process(
      {bin_path("pipehost"), "run", "--dry-run", "--plugins", PIPEHOST_PLUGIN_DIR, "--no-progress",
       "--config", dir_.file("run.json"), "--set", "run.state_dir=" + dir_.file("state")},
      no_keys);
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("nothing was sent"), std::string::npos) << dry.out;
  expect_nothing_sent();
  expect_no_output();
}

// --- Plugins that cannot be loaded. ---

TEST_F(BadInputTest, BrokenPluginFilesAreRefusedAndTheRunGoesOn) {
  // A folder of libraries that must each be refused with a one-line reason; plugins the config uses
  // are elsewhere, so the run itself succeeds.
  TempDir extra;
  write_file(extra.file("pipehost-garbage.so"), "this is not an ELF file\n");
  auto r = run({"--plugins", kBadPlugins, "--plugins", extra.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& refusal : std::vector<std::string>{
           kBadPlugins + "/pipehost-unresolved-symbol.so: cannot be loaded", "undefined symbol",
           kBadPlugins + "/pipehost-reliability-abi-major.so: built for pipehost SDK ABI",
           "(major versions differ); rebuild the plugin",
           kBadPlugins + "/pipehost-reliability-describe-throws.so: the plugin failed to describe itself",
           extra.file("pipehost-garbage.so") + ": cannot be loaded"})
    EXPECT_NE(r.err.find(refusal), std::string::npos) << "expected \"" << refusal << "\" in:\n" << r.err;
}

TEST_F(BadInputTest, ConfigNamingARefusedPluginSaysSo) {
  config_["provider"].as_object()["plugin"] = "unresolved-symbol";
  save(config_);
  auto r = run({"--plugins", kBadPlugins});
  expect_refused(r, {"/provider/plugin: no plugin named \"unresolved-symbol\"", "plugin file(s) were refused",
                     "pipehost-unresolved-symbol.so: cannot be loaded"});
}

TEST_F(BadInputTest, PluginThatAbortsWhileLoadingWritesNothing) {
  // A library whose static initialiser aborts takes the process down inside dlopen: no host can catch
  // that in-process. What matters is that it happens before anything is sent or written.
  auto r = run({"--plugins", kAbortingPlugin});
  EXPECT_EQ(r.exit_code, 128 + SIGABRT) << r.err;
  EXPECT_NE(r.err.find("aborting while being loaded"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state")) << "no ledger, no state";
  expect_nothing_sent();
  expect_no_output();
}

}  // namespace
}  // namespace pipehost::test
