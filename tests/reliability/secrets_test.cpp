// Secrets: the songs demo (examples/songs/run.json run the way scripts/demo.sh runs it: gemini-batch,
// braintrust-log and jsonl-log against the emulator over verified TLS) with recognisable fake keys,
// through the paths most likely to echo a key: debug logging of every HTTP call, 5xx answers, a 429,
// a BrainTrust outage that sets events aside in braintrust-failed.jsonl and their resend, status,
// export, validate, dry run, cancel, and runs with a wrong Gemini key and a wrong BrainTrust key; and a
// server that quotes the key in its errors, and a base_url with the key in its path.
// Then every file written (state dir with ledger, WAL, summary, failures, scratch and journal;
// outputs; calls.jsonl; what pipehost uploaded to the emulator) and everything pipehost printed are
// searched for the keys: zero hits.
#include <future>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "process.hpp"
#include "reliability_support.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

constexpr const char* kGeminiKey = "SECRET-GEMINI-7f3a9c1e2b5d";
constexpr const char* kBraintrustKey = "SECRET-BRAINTRUST-4d8e6b0a5c19";
constexpr const char* kWrongGeminiKey = "SECRET-WRONG-GEMINI-93be0f7a";
constexpr const char* kWrongBraintrustKey = "SECRET-WRONG-BRAINTRUST-61c2d8";

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.gemini_key = kGeminiKey;
    options.braintrust_key = kBraintrustKey;
    options.faults = "http_5xx=0.03,create_429=1,retry_delay_s=0,prose=0.05,line_error=0.03,batch_ms=300";
    emulator_ = std::make_unique<EmulatorProcess>(options);
  }

  /// pipehost COMMAND on the songs example, with scripts/demo.sh's overrides (outputs under `out`).
  /// `overrides` go last, so they win over the demo's.
  ProcessResult pipehost(const std::vector<std::string>& command, const std::string& out = "demo",
                         const std::string& gemini_key = kGeminiKey,
                         const std::string& braintrust_key = kBraintrustKey,
                         const std::vector<std::string>& overrides = {}) {
    const std::string url = emulator_->base_url(), ca = emulator_->ca_file(), dir = dir_.file(out);
    std::vector<std::string> argv = {bin_path("pipehost")};
    argv.insert(argv.end(), command.begin(), command.end());
    const std::vector<std::string> demo_options = {
        "--plugins", PIPEHOST_PLUGIN_DIR, "--config",
        std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/run.json", "--log-level", "debug",
        "--no-progress",
        // scripts/demo.sh's overrides
        "--set", "provider.base_url=" + url, "--set", "provider.ca_file=" + ca, "--set",
        "provider.poll_interval_s=0.2", "--set", "loggers.0.api_url=" + url, "--set",
        "loggers.0.app_url=" + url, "--set", "loggers.0.ca_file=" + ca, "--set",
        "loggers.1.path=" + dir + "/calls.jsonl", "--set", "sinks.0.path=" + dir + "/songs-classified.csv",
        "--set", "run.state_dir=" + dir + "/state",
        // a BrainTrust outage sets events aside quickly
        "--set", "loggers.0.max_retry_s=1", "--set", "loggers.0.retry_initial_ms=50"};
    argv.insert(argv.end(), demo_options.begin(), demo_options.end());
    argv.insert(argv.end(), overrides.begin(), overrides.end());
    ProcessOptions options;
    options.env["GEMINI_API_KEY"] = gemini_key;
    options.env["BRAINTRUST_API_KEY"] = braintrust_key;
    options.timeout = std::chrono::minutes(2);
    auto result = run_process(argv, options);
    printed_ += result.out + result.err;
    EXPECT_FALSE(result.timed_out) << result.err;
    return result;
  }

  /// Searches every file under the test's folder (state dirs with ledger, WAL, summary, failures,
  /// scratch and journal; outputs; calls.jsonl), what pipehost uploaded to the emulator, and everything
  /// pipehost printed, for each secret and for its last part: zero hits.
  void expect_no_key_anywhere(const std::vector<const char*>& secrets, std::size_t min_printed = 10'000) {
    std::vector<std::filesystem::path> files = files_under(dir_.path());
    for (const auto& f : files_under(emulator_->state_dir() + "/files")) files.push_back(f);
    std::set<std::string> names;
    for (const auto& f : files) names.insert(f.filename().string());
    for (const char* expected : {"ledger.sqlite", "summary.json", "songs-classified.csv", "calls.jsonl"})
      EXPECT_TRUE(names.count(expected)) << expected << " was not written: the search would miss it";
    EXPECT_GT(files.size(), 10u);
    EXPECT_GT(printed_.size(), min_printed) << "debug logging should have printed every HTTP call";
    for (const char* secret : secrets) {
      const std::string tail =
          std::string(secret).substr(std::string(secret).rfind('-') + 1);  // e.g. "7f3a9c1e2b5d"
      for (const auto& file : files) {
        const std::string content = read_file(file);
        EXPECT_EQ(content.find(secret), std::string::npos) << secret << " in " << file;
        EXPECT_EQ(content.find(tail), std::string::npos) << "part of " << secret << " in " << file;
      }
      EXPECT_EQ(printed_.find(secret), std::string::npos) << secret << " in pipehost's output";
      EXPECT_EQ(printed_.find(tail), std::string::npos) << "part of " << secret << " in pipehost's output";
    }
  }

  std::int64_t route_count(const std::string& route) const {
    auto stats = json::parse(emulator_->stats_json()).as_object();
    auto* n = stats.at("requests_by_route").as_object().if_contains(route);
    return n ? n->as_int64() : 0;
  }

  TempDir dir_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::string printed_;  // everything every pipehost process printed
};

TEST_F(SecretsTest, NoKeyInAnyFileOrOutput) {
  // The demo run. Once BrainTrust's project is resolved, BrainTrust goes down, so events are set aside
  // in braintrust-failed.jsonl (and the journal) instead of being delivered.
  auto demo = std::async(std::launch::async, [&] { return pipehost({"run"}); });
  for (int i = 0; i < 2000 && route_count("POST /v1/project") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  emulator_->set_faults("http_5xx=0.03,prose=0.05,line_error=0.03,batch_ms=300,bt_5xx=1");
  auto run = demo.get();
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "demo/state/braintrust-failed.jsonl"))
      << "the outage should have set events aside:\n"
      << run.err;

  // Everything else a user may run on the same state, then the resend after the outage.
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"status"}, {"status", "--json"}, {"export"}, {"validate"}, {"run", "--dry-run"}, {"cancel"}}) {
    auto r = pipehost(command);
    EXPECT_EQ(r.exit_code, 0) << command.front() << ":\n" << r.err;
  }
  auto plugins = run_process({bin_path("pipehost"), "plugins", "--json", "--plugins", PIPEHOST_PLUGIN_DIR});
  printed_ += plugins.out + plugins.err;
  emulator_->set_faults("batch_ms=300");
  auto resend = pipehost({"run"});
  EXPECT_TRUE(resend.exit_code == 0 || resend.exit_code == 1) << resend.err;

  // Wrong keys: refused by the services, and the refusal must not echo them either.
  auto wrong_gemini = pipehost({"run"}, "wrong-gemini", kWrongGeminiKey);
  EXPECT_NE(wrong_gemini.exit_code, 0);
  EXPECT_NE(wrong_gemini.err.find("API key not valid"), std::string::npos) << wrong_gemini.err;
  auto wrong_braintrust = pipehost({"run"}, "wrong-braintrust", kGeminiKey, kWrongBraintrustKey);
  EXPECT_EQ(wrong_braintrust.exit_code, 2) << wrong_braintrust.err;

  expect_no_key_anywhere({kGeminiKey, kBraintrustKey, kWrongGeminiKey, kWrongBraintrustKey});
  EXPECT_EQ(json::parse(emulator_->stats_json()).at("key_in_query").as_int64(), 0) << "a key in a URL";
}

TEST_F(SecretsTest, KeysQuotedByTheServerOrInTheBaseUrlAreRedactedEverywhere) {
  // A server that quotes the caller's key in its error message: every online call is refused with a
  // 400 naming the key, so each row fails with that message as its reason (ledger, _error column,
  // failures.csv, summary.json, both loggers' events, stderr).
  emulator_->set_faults("echo_key=1");
  auto echoed = pipehost({"run", "--set", "provider.mode=online", "--limit", "20"}, "echo");
  EXPECT_EQ(echoed.exit_code, 1) << echoed.err;
  auto failures = read_file(dir_.path() / "echo/state/failures.csv");
  EXPECT_NE(failures.find("API key [REDACTED] is not allowed"), std::string::npos) << failures;

  // A base_url with the key in its path: the service's 404 quotes the path back.
  emulator_->set_faults("");
  const std::string key_in_path = "provider.base_url=" + emulator_->base_url() + "/" + kGeminiKey;
  auto in_url = pipehost({"run"}, "in-url", kGeminiKey, kBraintrustKey, {"--set", key_in_path});
  EXPECT_EQ(in_url.exit_code, 3) << in_url.err;
  EXPECT_NE(in_url.err.find("The requested URL /[REDACTED]/"), std::string::npos) << in_url.err;
  auto in_url_online = pipehost({"run", "--set", "provider.mode=online"}, "in-url-online", kGeminiKey,
                                kBraintrustKey, {"--set", key_in_path});
  EXPECT_EQ(in_url_online.exit_code, 3) << in_url_online.err;
  for (const auto& command : std::vector<std::vector<std::string>>{{"status"}, {"export"}}) {
    auto r = pipehost(command, "echo");
    EXPECT_EQ(r.exit_code, 0) << command.front() << ":\n" << r.err;
  }

  std::set<std::string> names;
  for (const auto& f : files_under(dir_.file("echo"))) names.insert(f.filename().string());
  for (const char* expected :
       {"ledger.sqlite", "summary.json", "failures.csv", "songs-classified.csv", "calls.jsonl"})
    EXPECT_TRUE(names.count(expected)) << expected << " was not written: the search would miss it";
  expect_no_key_anywhere({kGeminiKey}, 5'000);
}

}  // namespace
}  // namespace pipehost::test
