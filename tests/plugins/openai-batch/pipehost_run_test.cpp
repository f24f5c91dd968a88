// pipehost runs with the openai-batch provider, as a user runs them: the pipehost executable, the
// shipped plugins, the emulator. The songs job in batch and online mode, each emulator fault on its
// own, and kill -9 while uploading, creating, polling and downloading, then resume. The emulator's
// OpenAI accounting is the oracle for "never paid twice": every batch name created once, and no
// custom_id answered in two batches (`answered_more_than_once` = 0).
#include <fstream>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "holding_proxy.hpp"
#include "pipehost_job.hpp"
#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

using std::chrono::milliseconds;
constexpr const char* kOpenAIKey = "openai-run-test-key-8c2d";

Value parse(const std::string& text) {
  Value value;
  std::string error;
  if (!parse_json(text, value, error)) throw std::runtime_error(error);
  return value;
}

class OpenAIRun : public ::testing::Test {
 protected:
  /// Starts the emulator (`faults`), writes `rows` songs and run.json; `url` replaces the emulator's
  /// base URL (a proxy in front of it).
  void start(int rows, const std::string& faults, const std::string& provider_extra = "", bool tls = true) {
    rows_ = rows;
    EmulatorOptions options;
    options.tls = tls;
    options.faults = faults;
    options.openai_key = kOpenAIKey;
    emulator_ = std::make_unique<EmulatorProcess>(options);
    url_ = emulator_->base_url();
    write_songs_csv(dir_.file("songs.csv"), rows);
    write_config(provider_extra);
  }

  void write_config(const std::string& provider_extra, const std::string& run_extra = "") {
    std::string songs = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/";
    std::string ca = emulator_->ca_file().empty() ? "null" : "\"" + emulator_->ca_file() + "\"";
    write_file(dir_.file("run.json"), R"({
      "source": {"plugin": "csv-io", "path": "songs.csv"},
      "request": {"plugin": "prompt-template", "system_file": ")" +
                                          songs + R"(prompt.md",
                  "user_template": "Artist: {{artist}}\nSong: {{song}}",
                  "response_schema_file": ")" +
                                          songs + R"(schema.json"},
      "provider": {"plugin": "openai-batch", "model": "gpt-4.1-mini", "base_url": ")" +
                                          url_ + R"(/v1", "ca_file": )" + ca + R"(,
                   "batch_size": 30, "max_jobs_in_flight": 2, "poll_interval_s": 0.05,
                   "retry_backoff_s": 0.05)" +
                                          provider_extra + R"(},
      "parser": {"plugin": "markdown-json-parser", "response_schema_file": ")" +
                                          songs + R"(schema.json"},
      "sinks": [{"plugin": "csv-io", "path": "out.csv"}],
      "run": {"max_attempts": 8)" + run_extra +
                                          R"(}
    })");
  }

  std::vector<std::string> command(const std::vector<std::string>& args, const std::string& state) const {
    return pipehost_job_command(dir_, log_level_, args, state);
  }

  ProcessResult pipehost(const std::vector<std::string>& args, const std::string& state = "state") {
    ProcessOptions options;
    options.env["OPENAI_API_KEY"] = kOpenAIKey;
    options.timeout = std::chrono::minutes(3);
    return run_process(command(args, state), options);
  }

  /// `pipehost run` in the background, its stderr appended to `log_path`.
  pid_t spawn_run(const std::string& state, const std::string& log_path) {
    return spawn_process(command({"run"}, state), {{"OPENAI_API_KEY", kOpenAIKey}}, log_path);
  }

  std::string output_path(const std::string& state = "state") const {
    return pipehost_job_output(dir_, state);
  }

  Value openai_stats() const { return *parse(emulator_->stats_json()).find("openai"); }

  /// Every input row once, in input order, answered.
  void expect_every_row_ok(const std::string& state = "state") {
    auto input = read_csv(dir_.file("songs.csv"));
    auto output = read_csv(output_path(state));
    ASSERT_EQ(output.rows.size(), input.rows.size()) << "every input row exactly once";
    std::size_t ok = 0;
    for (std::size_t i = 0; i < input.rows.size(); ++i) {
      EXPECT_EQ(output.at(i, "song"), input.at(i, "song")) << "row " << i + 1 << " out of order";
      if (output.at(i, "_status") == "ok")
        ++ok;
      else
        ADD_FAILURE() << "row " << i + 1 << ": " << output.at(i, "_error");
      EXPECT_FALSE(output.at(i, "primary_genre").empty()) << "row " << i + 1;
    }
    EXPECT_EQ(ok, input.rows.size());
  }

  /// No batch name created twice, no row answered in two batches.
  void expect_never_paid_twice() {
    Value stats = openai_stats();
    EXPECT_EQ(stats.find("answered_more_than_once")->as_int(), 0) << to_json(stats);
    const Value& by_name = *stats.find("batch_creates_by_name");
    for (std::size_t i = 0; i < by_name.size(); ++i)
      EXPECT_EQ(by_name[i].as_int(), 1) << by_name.key(i) << " was created more than once";
  }

  TempDir dir_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::string url_;
  std::string log_level_ = "warn";
  int rows_ = 0;
};

TEST_F(OpenAIRun, SongsInBatchModeThenAgainWithoutPayingTwice) {
  start(200, "");
  auto run = pipehost({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_every_row_ok();
  expect_never_paid_twice();
  Value stats = openai_stats();
  EXPECT_EQ(stats.find("batch_creates")->as_int(), 7) << "200 rows in jobs of 30";
  EXPECT_EQ(stats.find("batch_lines_answered")->as_int(), 200);
  EXPECT_NE(run.out.find("(gpt-4.1-mini, batch pricing)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" cached, "), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("(0 cached, "), std::string::npos) << "the shared prefix is cached:\n" << run.out;

  std::string first_output = read_file(output_path());
  auto again = pipehost({"run"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(openai_stats().find("batch_creates")->as_int(), 7) << "a finished run sends nothing again";
  EXPECT_EQ(read_file(output_path()), first_output) << "the same output, from the ledger";
}

TEST_F(OpenAIRun, SongsOnline) {
  start(60, "http_5xx=0.1", R"(, "mode": "online", "online_concurrency": 4)");
  auto run = pipehost({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_every_row_ok();
  EXPECT_EQ(openai_stats().find("online_answers")->as_int(), 60);
  EXPECT_EQ(openai_stats().find("batch_creates")->as_int(), 0);
  EXPECT_NE(run.out.find("online pricing"), std::string::npos) << run.out;
}

TEST_F(OpenAIRun, WebSearchIsRefusedBeforeAnythingIsSent) {
  start(5, "");
  std::string config = read_file(dir_.file("run.json"));
  config.replace(config.find("\"response_schema_file\""), 0, "\"tools\": [\"web_search\"], ");
  write_file(dir_.file("run.json"), config);
  auto run = pipehost({"run"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("web_search tool is not available"), std::string::npos) << run.err;
  EXPECT_EQ(parse(emulator_->stats_json()).find("uploaded_bytes")->as_int(), 0);
}

// Each fault alone: the run still ends with every row answered once, and nothing paid twice.
class OpenAIFault : public OpenAIRun, public ::testing::WithParamInterface<const char*> {};

TEST_P(OpenAIFault, RunEndsWithEveryRowAnsweredOnce) {
  std::string fault = GetParam();
  start(90, fault);
  auto run = pipehost({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_every_row_ok();
  if (fault.starts_with("prose")) {
    // A prose answer is paid for and useless: the host asks again on purpose, so that row is answered
    // in two batches. Only the batches themselves must never be created twice.
    Value stats = openai_stats();
    EXPECT_GT(stats.find("answered_more_than_once")->as_int(), 0) << "prose rows are asked again";
    const Value& by_name = *stats.find("batch_creates_by_name");
    for (std::size_t i = 0; i < by_name.size(); ++i) EXPECT_EQ(by_name[i].as_int(), 1) << by_name.key(i);
  } else {
    expect_never_paid_twice();
  }
  Value injected = *parse(emulator_->stats_json()).find("faults_injected");
  std::string name = fault.substr(0, fault.find('='));
  ASSERT_TRUE(injected.find(name)) << "the fault never hit: " << to_json(injected);
  EXPECT_GT(injected.find(name)->as_int(), 0);
}

INSTANTIATE_TEST_SUITE_P(EveryFault, OpenAIFault,
                         ::testing::Values("create_429=2", "http_5xx=0.15", "drop_upload=2",
                                           "drop_download=2", "truncate_download=2", "fenced=0.3",
                                           "prose=0.2", "line_error=0.2", "batch_fail=0.4",
                                           "batch_expire=0.4"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('='));
                         });

/// kill -9 aimed at one phase of a batch, then a restart: every row once, nothing paid twice, and a
/// batch whose create answer was lost is found by name and adopted, never created again.
class OpenAIKill : public OpenAIRun {
 protected:
  enum class Phase { uploading, creating, polling, downloading };

  void SetUp() override {
    log_level_ = "debug";
    start(300, "batch_ms=400", "", /*tls=*/false);
    proxy_ = std::make_unique<HoldingProxy>(port_of(emulator_->base_url()));
    url_ = proxy_->base_url();
    write_config("");
  }

  bool reached(Phase phase, const std::string& log) const {
    switch (phase) {
      case Phase::uploading:
        return log.find("uploading the ") != std::string::npos;
      case Phase::creating:
        return proxy_->holding();
      case Phase::polling:
        return log.find("created job ") != std::string::npos;
      case Phase::downloading:
        return log.find("resuming the lines at byte") != std::string::npos;
    }
    return false;
  }

  /// Returns true when the kill ended the run (false: it finished first).
  bool kill_in(Phase phase, int cycle) {
    emulator_->set_faults(phase == Phase::downloading ? "batch_ms=400,drop_download=1" : "batch_ms=400");
    if (phase == Phase::creating) proxy_->hold_answer_to("POST /v1/batches HTTP");
    std::string log_path = dir_.file("cycle-" + std::to_string(cycle) + ".log");
    pid_t pid = spawn_run("state", log_path);
    auto started = std::chrono::steady_clock::now();
    std::string log;
    int status = 0;
    while (!reached(phase, log = read_file_if_any(log_path))) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        EXPECT_EQ(WEXITSTATUS(status), 0) << read_file_if_any(log_path);
        return false;
      }
      if (std::chrono::steady_clock::now() - started > std::chrono::seconds(60)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ADD_FAILURE() << "phase not reached in 60 s:\n" << log;
        return false;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
    int delay = phase == Phase::polling ? random_ms(0, 300) : phase == Phase::creating ? 0 : random_ms(0, 3);
    std::this_thread::sleep_for(milliseconds(delay));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status);
  }

  static std::string read_file_if_any(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  int random_ms(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  std::unique_ptr<HoldingProxy> proxy_;
  std::mt19937 random_{20261127u};
};

TEST_F(OpenAIKill, KillNineInEveryPhaseThenResumeAnswersEachRowOnce) {
  const Phase phases[] = {Phase::uploading, Phase::creating, Phase::polling, Phase::downloading};
  int killed = 0, cycle = 0, held_creates_killed = 0;
  std::map<Phase, int> kills;
  for (int round = 0; round < 2; ++round) {
    for (Phase phase : phases) {
      bool was_killed = kill_in(phase, ++cycle);
      killed += was_killed;
      kills[phase] += was_killed;
      if (was_killed && phase == Phase::creating && proxy_->holding()) ++held_creates_killed;
    }
  }
  for (Phase phase : phases)
    EXPECT_GE(kills[phase], 1) << "no kill landed in phase " << static_cast<int>(phase);
  emulator_->set_faults("batch_ms=400");
  auto final_run = pipehost({"run"});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  expect_every_row_ok();
  expect_never_paid_twice();
  EXPECT_GE(killed, 6) << "runs must really be interrupted";
  EXPECT_GE(held_creates_killed, 1);
  // Each batch created while its answer was held is adopted by name by the next run.
  std::string logs = final_run.err;
  for (int c = 1; c <= cycle; ++c) logs += read_file_if_any(dir_.file("cycle-" + std::to_string(c) + ".log"));
  std::size_t adoptions = 0;
  for (auto at = logs.find("created before the restart; adopting it"); at != std::string::npos;
       at = logs.find("created before the restart; adopting it", at + 1))
    ++adoptions;
  EXPECT_GE(adoptions, static_cast<std::size_t>(held_creates_killed));
  RecordProperty("kills", killed);
  RecordProperty("adoptions", static_cast<int>(adoptions));
}

}  // namespace
}  // namespace pipehost::test
