// The built braintrust-log plugin against the emulator's BrainTrust API over verified TLS: every event
// arrives once with the right fields, re-sending adds no duplicates, 5xx bursts and 429s lose nothing,
// a long outage sets events aside and the next start resends them, a killed process's queued events
// come back from the journal, start fails clearly without a usable key or project, and the key is
// written nowhere.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "braintrust_events/event_builder.hpp"
#include "call_events.hpp"
#include "logger_harness.hpp"
#include "script_server.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using pipehost::test::create_logger;
using pipehost::test::EmulatorProcess;
using pipehost::test::fetch_project_logs;
using pipehost::test::kBraintrustKey;
using pipehost::test::kBraintrustKeyEnv;
using pipehost::test::make_call_event;

constexpr const char* kProject = "pipehost-tests";

struct Flushed {
  std::uint64_t delivered = 0;
  std::uint64_t set_aside = 0;
  pipehost::Status status;
};

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t files_in(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

/// The reference event for call `i` (default include options), as the emulator should hold it.
json::object expected_event(int i, const std::string& run_id = "run-1") {
  pipehost::braintrust::EventBuilder builder({});
  return builder.build(make_call_event(i, run_id));
}

/// A plain-HTTP loopback front for the emulator: answers some requests itself (429 with Retry-After,
/// 400 for a poisoned event: answers the emulator does not give) and forwards the rest over TLS.
class FrontServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  /// Returns the front's own reply, or nullopt to forward the request to the emulator.
  using Decide = std::function<std::optional<Reply>(const pipehost::test::ServerRequest&)>;

  FrontServer(const EmulatorProcess& emulator, Decide decide)
      : emulator_(emulator), decide_(std::move(decide)), server_([this](auto& side, int) { serve(side); }) {}

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

 private:
  void serve(pipehost::test::ServerSide& side) {
    for (;;) {
      pipehost::test::ServerRequest request;
      if (!side.read(request)) return;
      if (auto own = decide_(request)) {
        own->headers.emplace_back("Content-Type", "application/json");
        side.respond(own->status, own->body, own->headers);
        continue;
      }
      pipehost::test::HttpHeaders headers;
      for (const char* name : {"Authorization", "Content-Type"}) {
        auto it = request.find(name);
        if (it != request.end()) headers.emplace_back(name, std::string(it->value()));
      }
      try {
        auto reply = pipehost::test::http_request(emulator_.base_url(), emulator_.ca_file(),
                                                  std::string(request.method_string()),
                                                  std::string(request.target()), request.body(), headers);
        side.respond(static_cast<int>(reply.status), reply.body, {{"Content-Type", "application/json"}});
      } catch (const std::exception& e) {
        side.respond(502, e.what());
      }
    }
  }

  const EmulatorProcess& emulator_;
  Decide decide_;
  pipehost::test::ScriptServer server_;
};

bool is_insert(const pipehost::test::ServerRequest& request) {
  std::string_view target = request.target();
  return target.size() >= 7 && target.substr(target.size() - 7) == "/insert";
}

class BraintrustLogTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv(kBraintrustKeyEnv, kBraintrustKey, 1); }
  void TearDown() override { unsetenv(kBraintrustKeyEnv); }

  /// Test settings: short flush interval and retry delays so every test runs in seconds.
  json::object config(const json::object& extra = {}) const {
    json::object c{{"project", kProject},
                   {"api_key_env", kBraintrustKeyEnv},
                   {"api_url", emulator_.base_url()},
                   {"app_url", emulator_.base_url()},
                   {"ca_file", emulator_.ca_file()},
                   {"flush_interval_ms", 20},
                   {"retry_initial_ms", 10},
                   {"retry_max_ms", 200},
                   {"max_retry_s", 10}};
    for (const auto& member : extra) c[member.key()] = member.value();
    return c;
  }

  std::shared_ptr<pipehost::Logger> started_logger(const json::object& extra = {}) {
    auto logger = create_logger("braintrust-log", host_, config(extra));
    auto status = logger->start();
    EXPECT_TRUE(status.is_ok()) << status.message();
    return logger;
  }

  static Flushed log_calls(pipehost::Logger& logger, int from, int to, const std::string& run_id = "run-1") {
    for (int i = from; i < to; ++i) {
      auto status = logger.log(make_call_event(i, run_id));
      EXPECT_TRUE(status.is_ok()) << status.message();
    }
    Flushed flushed;
    flushed.status = logger.flush(flushed.delivered, flushed.set_aside);
    return flushed;
  }

  std::map<std::string, json::object> project_logs() const {
    return fetch_project_logs(emulator_, pipehost::test::emulator_project_id(emulator_, kProject));
  }

  json::object stats() const { return json::parse(emulator_.stats_json()).as_object(); }

  fs::path failed_file() const { return fs::path(host_.state_dir()) / "braintrust-failed.jsonl"; }
  fs::path journal_dir() const { return fs::path(host_.scratch_dir()) / "pending-events"; }

  EmulatorProcess emulator_{pipehost::test::emulator_with_braintrust_key()};
  pipehost::test::TestHost host_;
};

TEST_F(BraintrustLogTest, TwoThousandCallsArriveOnceWithTheirFieldsAndARerunAddsNoDuplicates) {
  {
    auto logger = started_logger();
    Flushed flushed = log_calls(*logger, 0, 2000);
    ASSERT_TRUE(flushed.status.is_ok()) << flushed.status.message();
    EXPECT_EQ(flushed.delivered, 2000u);
    EXPECT_EQ(flushed.set_aside, 0u);
  }
  auto rows = project_logs();
  ASSERT_EQ(rows.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    json::object expected = expected_event(i);
    std::string id(expected.at("id").as_string());
    ASSERT_TRUE(rows.count(id)) << "call " << i << " is missing";
    ASSERT_EQ(pipehost::test::as_sent(rows.at(id)), expected) << "call " << i;
  }
  EXPECT_EQ(host_.counter("braintrust_events_delivered"), 2000);
  // Batched: 2000 events in at most a few dozen requests, not one each.
  auto first = stats();
  EXPECT_LE(first.at("braintrust_insert_calls").as_int64(), 200);
  EXPECT_GE(first.at("braintrust_insert_calls").as_int64(), 20);
  EXPECT_EQ(files_in(journal_dir()), 0u);
  EXPECT_FALSE(fs::exists(failed_file()));

  // A re-run after a kill logs the same calls again: rows are replaced, not added.
  {
    auto again = started_logger();
    Flushed flushed = log_calls(*again, 0, 2000);
    EXPECT_EQ(flushed.delivered, 2000u);
  }
  auto after = stats();
  EXPECT_EQ(after.at("braintrust_rows_written").as_int64(), 4000);
  EXPECT_EQ(after.at("braintrust_events").as_int64(), 2000);
  EXPECT_EQ(project_logs().size(), 2000u);
}

TEST_F(BraintrustLogTest, ServerErrorBurstsLoseNothing) {
  auto logger = started_logger({{"batch_size", 25}});
  emulator_.set_faults("bt_5xx=0.3");
  Flushed flushed = log_calls(*logger, 0, 1000);
  emulator_.set_faults("bt_5xx=0");
  EXPECT_TRUE(flushed.status.is_ok()) << flushed.status.message();
  EXPECT_EQ(flushed.delivered, 1000u);
  EXPECT_EQ(flushed.set_aside, 0u);
  EXPECT_GT(stats().at("faults_injected").at("bt_5xx").as_int64(), 5);
  EXPECT_EQ(project_logs().size(), 1000u);
  EXPECT_FALSE(fs::exists(failed_file()));
}

TEST_F(BraintrustLogTest, TooManyRequestsAreWaitedOutHonouringRetryAfter) {
  std::atomic<int> inserts{0};
  FrontServer front(emulator_, [&](const auto& request) -> std::optional<FrontServer::Reply> {
    if (!is_insert(request)) return std::nullopt;
    int n = ++inserts;
    if (n == 1) return FrontServer::Reply{429, R"({"error":"rate limited"})", {{"Retry-After", "1"}}};
    if (n <= 4) return FrontServer::Reply{429, R"({"error":"rate limited"})", {}};
    return std::nullopt;
  });
  auto logger = started_logger({{"api_url", front.url()}, {"batch_size", 50}});
  auto began = std::chrono::steady_clock::now();
  Flushed flushed = log_calls(*logger, 0, 200);
  auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(flushed.status.is_ok()) << flushed.status.message();
  EXPECT_EQ(flushed.delivered, 200u);
  EXPECT_EQ(flushed.set_aside, 0u);
  EXPECT_GE(took, std::chrono::seconds(1)) << "the Retry-After: 1 was not honoured";
  EXPECT_GE(inserts.load(), 8);  // 4 answered 429 + at least 4 batches forwarded
  EXPECT_EQ(project_logs().size(), 200u);
}

TEST_F(BraintrustLogTest, AnEventTheServiceRefusesDoesNotSinkItsBatch) {
  FrontServer front(emulator_, [&](const auto& request) -> std::optional<FrontServer::Reply> {
    if (is_insert(request) && request.body().find(R"("row_key":"poison")") != std::string::npos)
      return FrontServer::Reply{400, R"({"error":{"message":"invalid event"}})", {}};
    return std::nullopt;
  });
  auto logger = started_logger({{"api_url", front.url()}, {"batch_size", 40}});
  std::string poisoned_id;
  for (int i = 0; i < 40; ++i) {
    auto event = make_call_event(i);
    if (i == 13) {
      event.key = "poison";
      poisoned_id = event.event_id;
    }
    ASSERT_TRUE(logger->log(event).is_ok());
  }
  std::uint64_t delivered = 0, set_aside = 0;
  ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
  EXPECT_EQ(delivered, 39u);
  EXPECT_EQ(set_aside, 1u);
  auto kept = lines_of(failed_file());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(json::parse(kept[0]).at("id").as_string(), poisoned_id);
  bool logged = false;
  for (const auto& line : host_.logs())
    logged = logged || line.find("refused event " + poisoned_id) != std::string::npos;
  EXPECT_TRUE(logged);
  EXPECT_EQ(project_logs().size(), 39u);
}

TEST_F(BraintrustLogTest, LongOutageSetsEventsAsideAndTheNextStartResendsThem) {
  {
    auto logger = started_logger({{"max_retry_s", 0.3}, {"batch_size", 50}});
    emulator_.set_faults("bt_5xx=1");
    auto began = std::chrono::steady_clock::now();
    Flushed flushed = log_calls(*logger, 0, 300);
    // One batch waits out max_retry; the rest see the outage and are set aside at once.
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
    EXPECT_TRUE(flushed.status.is_ok()) << flushed.status.message();
    EXPECT_EQ(flushed.delivered, 0u);
    EXPECT_EQ(flushed.set_aside, 300u);
  }
  auto kept = lines_of(failed_file());
  ASSERT_EQ(kept.size(), 300u);
  std::set<std::string> ids;
  for (const auto& line : kept) ids.insert(std::string(json::parse(line).at("id").as_string()));
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_EQ(files_in(journal_dir()), 0u);  // set aside = resolved

  // Still down: start fails clearly, as an outage (retry, not a refusal), and the failed file stays
  // as it was.
  {
    auto logger = create_logger("braintrust-log", host_, config({{"max_retry_s", 0.2}}));
    auto status = logger->start();
    EXPECT_TRUE(status.is_retry()) << status.message();
    EXPECT_NE(status.message().find("HTTP 503"), std::string::npos) << status.message();
    EXPECT_EQ(lines_of(failed_file()).size(), 300u);
  }

  emulator_.set_faults("bt_5xx=0");
  EXPECT_EQ(project_logs().size(), 0u);
  {
    auto logger = started_logger();  // resends the failed file first
    std::uint64_t delivered = 0, set_aside = 0;
    EXPECT_TRUE(logger->flush(delivered, set_aside).is_ok());
  }
  EXPECT_FALSE(fs::exists(failed_file()));
  auto rows = project_logs();
  ASSERT_EQ(rows.size(), 300u);
  for (int i = 0; i < 300; i += 37) {
    json::object expected = expected_event(i);
    EXPECT_EQ(pipehost::test::as_sent(rows.at(std::string(expected.at("id").as_string()))), expected);
  }
}

TEST_F(BraintrustLogTest, QueuedEventsOfAKilledProcessAreResentFromTheJournal) {
  // The child starts a logger, makes the service fail, logs 300 calls and dies at once (as under
  // kill -9): the events were only queued in memory and in the journal.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 1;
    try {
      auto logger = create_logger("braintrust-log", host_, config({{"max_retry_s", 30}}));
      if (logger->start().is_ok()) {
        emulator_.set_faults("bt_5xx=1");
        code = 0;
        for (int i = 0; i < 300; ++i) code |= logger->log(make_call_event(i)).is_ok() ? 0 : 2;
        _exit(code);  // with the logger alive: no flush, no destructor, the queue dies with the process
      }
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_GE(files_in(journal_dir()), 1u);

  emulator_.set_faults("bt_5xx=0");
  EXPECT_EQ(project_logs().size(), 0u);
  {
    auto logger = started_logger();
    std::uint64_t delivered = 0, set_aside = 0;
    EXPECT_TRUE(logger->flush(delivered, set_aside).is_ok());
  }
  EXPECT_EQ(project_logs().size(), 300u);
  EXPECT_EQ(files_in(journal_dir()), 0u);
  EXPECT_FALSE(fs::exists(failed_file()));
}

TEST_F(BraintrustLogTest, MissingKeyIsAClearErrorAtStartBeforeAnyRequest) {
  unsetenv(kBraintrustKeyEnv);
  auto logger = create_logger("braintrust-log", host_, config());
  auto status = logger->start();
  ASSERT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find(kBraintrustKeyEnv), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("not set"), std::string::npos) << status.message();
  EXPECT_TRUE(stats().at("requests_by_route").as_object().empty());
  EXPECT_TRUE(logger->log(make_call_event(0)).is_fatal());
  std::uint64_t delivered = 1, set_aside = 1;
  EXPECT_TRUE(logger->flush(delivered, set_aside).is_ok());
  EXPECT_EQ(delivered + set_aside, 0u);
}

TEST_F(BraintrustLogTest, RefusedKeyIsAClearErrorAtStart) {
  setenv(kBraintrustKeyEnv, "bt-wrong-key-8Hn3Vc", 1);
  auto status = create_logger("braintrust-log", host_, config())->start();
  ASSERT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("refused the API key from " + std::string(kBraintrustKeyEnv)),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("HTTP 401"), std::string::npos);
  EXPECT_EQ(status.message().find("bt-wrong-key-8Hn3Vc"), std::string::npos);
}

TEST_F(BraintrustLogTest, UnknownProjectIdIsAClearErrorAndAKnownOneIsUsed) {
  json::object by_id = config();
  by_id.erase("project");
  by_id["project_id"] = "no-such-project";
  auto status = create_logger("braintrust-log", host_, by_id)->start();
  ASSERT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("no-such-project"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("no such project"), std::string::npos) << status.message();

  started_logger();  // creates the project by name
  by_id["project_id"] = pipehost::test::emulator_project_id(emulator_, kProject);
  auto logger = create_logger("braintrust-log", host_, by_id);
  ASSERT_TRUE(logger->start().is_ok());
  EXPECT_EQ(log_calls(*logger, 0, 10).delivered, 10u);
  EXPECT_EQ(project_logs().size(), 10u);
}

TEST_F(BraintrustLogTest, StartLogsTheProjectAndALinkToItsLogs) {
  started_logger();
  bool found = false;
  for (const auto& line : host_.logs()) {
    found = found || (line.find("project \"pipehost-tests\"") != std::string::npos &&
                      line.find(emulator_.base_url() + "/app/pipehost-emulator/p/pipehost-tests/logs") !=
                          std::string::npos);
  }
  EXPECT_TRUE(found);
}

TEST_F(BraintrustLogTest, ATinyQueueMakesTheCallerWaitInsteadOfDropping) {
  auto logger = started_logger({{"queue_size", 1}, {"batch_size", 7}});
  Flushed flushed = log_calls(*logger, 0, 500);
  EXPECT_EQ(flushed.delivered, 500u);
  EXPECT_EQ(project_logs().size(), 500u);
}

TEST_F(BraintrustLogTest, DestroyingTheLoggerDeliversWhatIsStillQueued) {
  {
    auto logger = started_logger({{"flush_interval_ms", 60000}});
    for (int i = 0; i < 150; ++i) ASSERT_TRUE(logger->log(make_call_event(i)).is_ok());
  }
  EXPECT_EQ(project_logs().size(), 150u);
  EXPECT_EQ(files_in(journal_dir()), 0u);
}

TEST_F(BraintrustLogTest, RequestsStayUnderMaxRequestBytesAndABigEventGoesAlone) {
  auto logger = started_logger({{"system_instruction", "full"}, {"max_request_bytes", 8192}});
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(logger->log(make_call_event(i)).is_ok());
  auto big = make_call_event(40);
  big.request.user_parts = {std::string(20000, 'x')};
  ASSERT_TRUE(logger->log(big).is_ok());
  std::uint64_t delivered = 0, set_aside = 0;
  ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
  EXPECT_EQ(delivered, 41u);
  // ~2.6 KB per event: at most 3 per 8 KB request, so at least 14 requests for the 40, plus the big one.
  EXPECT_GE(stats().at("braintrust_insert_calls").as_int64(), 15);
  auto rows = project_logs();
  ASSERT_EQ(rows.size(), 41u);
  EXPECT_EQ(rows.at(big.event_id).at("input").at("messages").at(1).at("content").as_string().size(), 20000u);
}

TEST_F(BraintrustLogTest, JsonlLogWritesExactlyTheEventsBraintrustReceives) {
  json::object include{{"system_instruction", "hash"},
                       {"tags", json::array{"songs", "ci"}},
                       {"input_columns", json::array{"title"}}};
  json::object jsonl_config = include;
  jsonl_config["path"] = host_.state_dir() + "/logs/calls.jsonl";
  auto braintrust = started_logger(include);
  auto jsonl = create_logger("jsonl-log", host_, jsonl_config);
  ASSERT_TRUE(jsonl->start().is_ok());
  for (int i = 0; i < 200; ++i) {
    auto event = make_call_event(i);
    ASSERT_TRUE(braintrust->log(event).is_ok());
    ASSERT_TRUE(jsonl->log(event).is_ok());
  }
  std::uint64_t delivered = 0, set_aside = 0;
  ASSERT_TRUE(braintrust->flush(delivered, set_aside).is_ok());
  ASSERT_TRUE(jsonl->flush(delivered, set_aside).is_ok());
  EXPECT_EQ(delivered, 200u);

  auto rows = project_logs();
  auto lines = lines_of(jsonl_config.at("path").as_string().c_str());
  ASSERT_EQ(lines.size(), 200u);
  for (const auto& line : lines) {
    json::object written = json::parse(line).as_object();
    std::string id(written.at("id").as_string());
    ASSERT_TRUE(rows.count(id));
    EXPECT_EQ(pipehost::test::as_sent(rows.at(id)), written);
  }
  EXPECT_EQ(json::parse(lines[0]).at("tags"), (json::array{"songs", "ci"}));
}

TEST_F(BraintrustLogTest, TheApiKeyAppearsInNoFileLogOrOutput) {
  // Every file under the state dir (failed file, journal, JSONL log); returns how many there are.
  auto files_without_key = [&] {
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(host_.state_dir())) {
      if (!entry.is_regular_file()) continue;
      ++files;
      EXPECT_EQ(pipehost::test::read_file(entry.path()).find(kBraintrustKey), std::string::npos)
          << entry.path();
    }
    return files;
  };
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  std::vector<std::string> messages;
  {
    // Delivered, refused (400), set aside in an outage, and resent: every path that writes something.
    FrontServer front(emulator_, [&](const auto& request) -> std::optional<FrontServer::Reply> {
      if (is_insert(request) && request.body().find(R"("row_key":"song-5")") != std::string::npos)
        return FrontServer::Reply{
            400, std::string(R"({"error":"bad event, key was )") + kBraintrustKey + "\"}", {}};
      return std::nullopt;
    });
    auto logger =
        started_logger({{"api_url", front.url()}, {"max_retry_s", 0.2}, {"system_instruction", "full"}});
    auto jsonl = create_logger("jsonl-log", host_, {{"path", host_.state_dir() + "/calls.jsonl"}});
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(logger->log(make_call_event(i)).is_ok());
      ASSERT_TRUE(jsonl->log(make_call_event(i)).is_ok());
    }
    std::uint64_t delivered = 0, set_aside = 0;
    messages.push_back(logger->flush(delivered, set_aside).message());
    emulator_.set_faults("bt_5xx=1");
    for (int i = 100; i < 200; ++i) ASSERT_TRUE(logger->log(make_call_event(i)).is_ok());
    messages.push_back(logger->flush(delivered, set_aside).message());
    EXPECT_GT(set_aside, 0u);
    messages.push_back(
        create_logger("braintrust-log", host_, config({{"max_retry_s", 0.1}}))->start().message());
    emulator_.set_faults("bt_5xx=0");
  }
  std::size_t files_before_resend = files_without_key();
  started_logger();  // resends the failed file
  std::string out = testing::internal::GetCapturedStdout() + testing::internal::GetCapturedStderr();

  EXPECT_GE(files_before_resend, 2u);  // the JSONL log and the failed file at least
  files_without_key();
  EXPECT_EQ(out.find(kBraintrustKey), std::string::npos);
  for (const auto& message : messages) EXPECT_EQ(message.find(kBraintrustKey), std::string::npos) << message;
  bool saw_refusal = false;
  for (const auto& line : host_.logs()) {
    EXPECT_EQ(line.find(kBraintrustKey), std::string::npos) << line;
    saw_refusal = saw_refusal || line.find("[REDACTED]") != std::string::npos;
  }
  EXPECT_TRUE(saw_refusal) << "the 400 body echoing the key should have been logged, redacted";
}

}  // namespace
