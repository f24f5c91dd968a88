// pipehost runs with the anthropic-batch provider, as a user runs them: the pipehost executable, the
// shipped plugins, the emulator, and rows of the real songs data (shared/data/songs). The songs job in
// batch and online mode, each emulator fault on its own, a lost create answer, kill -9 in every phase
// of a batch (including between the create and the ledger write) then resume, and cancel. Anthropic's
// batches carry no name, so an in-doubt create is found again by listing; the emulator's accounting
// is the oracle for "never paid twice": no custom_id answered in two batches
// (`answered_more_than_once` = 0) and every row in exactly one created batch.
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "holding_proxy.hpp"
#include "pipehost/value.hpp"
#include "pipehost_job.hpp"
#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

using std::chrono::milliseconds;
constexpr const char* kAnthropicKey = "anthropic-run-test-key-41d7";
constexpr const char* kCreateMarker = "POST /v1/messages/batches HTTP";

Value parse(const std::string& text) {
  Value value;
  std::string error;
  if (!parse_json(text, value, error)) throw std::runtime_error(error + ": " + text.substr(0, 300));
  return value;
}

/// The first `rows` songs of shared/data/songs (the real file: quoted fields, commas, quotes).
void write_songs_slice(const std::string& path, int rows) {
  std::ifstream in(std::string(PIPEHOST_SHARED_DIR) + "/data/songs/pudding_names_in_songs_repeats.csv",
                   std::ios::binary);
  if (!in) throw std::runtime_error("shared/data/songs is missing (PIPEHOST_SHARED_DIR)");
  std::ofstream out(path, std::ios::binary);
  std::string line;
  for (int i = 0; i <= rows && std::getline(in, line); ++i) out << line << '\n';
}

long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start).count();
}

class AnthropicRun : public ::testing::Test {
 public:  // the fault test drives several of these at once
  /// Starts the emulator (`faults`; plain HTTP behind a HoldingProxy when `behind_proxy`), writes the
  /// songs slice and run.json.
  void start(int rows, const std::string& faults, const std::string& provider_extra = "",
             bool behind_proxy = false) {
    rows_ = rows;
    EmulatorOptions options;
    options.tls = !behind_proxy;
    options.faults = faults;
    options.anthropic_key = kAnthropicKey;
    emulator_ = std::make_unique<EmulatorProcess>(options);
    url_ = emulator_->base_url();
    if (behind_proxy) {
      proxy_ = std::make_unique<HoldingProxy>(port_of(url_));
      url_ = proxy_->base_url();
    }
    write_songs_slice(dir_.file("songs.csv"), rows);
    write_config(provider_extra);
  }

  void write_config(const std::string& provider_extra) {
    std::string songs = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs";
    std::string ca = emulator_->ca_file().empty() ? "null" : "\"" + emulator_->ca_file() + "\"";
    std::string config = R"json({
      "source": {"plugin": "csv-io", "path": "songs.csv"},
      "request": {"plugin": "prompt-template", "system_file": "SONGS/prompt.md",
                  "user_template": "Artist: {{artist}}\nSong: {{song}}\nMost frequent name in the lyrics: {{name}} ({{n}} times; refers to a person: {{person}})",
                  "response_schema_file": "SONGS/schema.json", "generation": {"temperature": 0.2}},
      "provider": {"plugin": "anthropic-batch", "base_url": "URL", "ca_file": CA,
                   "batch_size": 10, "max_jobs_in_flight": 2, "poll_interval_s": 0.05,
                   "retry_backoff_s": 0.05 EXTRA},
      "parser": {"plugin": "markdown-json-parser", "response_schema_file": "SONGS/schema.json"},
      "sinks": [{"plugin": "csv-io", "path": "out.csv"}],
      "run": {"max_attempts": 8}
    })json";
    auto replace = [&](const std::string& from, const std::string& to) {
      for (auto at = config.find(from); at != std::string::npos; at = config.find(from, at + to.size()))
        config.replace(at, from.size(), to);
    };
    replace("SONGS", songs);
    replace("URL", url_);
    replace("CA", ca);
    replace(" EXTRA", provider_extra);
    write_file(dir_.file("run.json"), config);
  }

  std::vector<std::string> command(const std::vector<std::string>& args, const std::string& state) const {
    return pipehost_job_command(dir_, log_level_, args, state);
  }

  ProcessResult pipehost(const std::vector<std::string>& args, const std::string& state = "state") {
    ProcessOptions options;
    options.env["ANTHROPIC_API_KEY"] = kAnthropicKey;
    options.timeout = std::chrono::minutes(2);
    return run_process(command(args, state), options);
  }

  /// `pipehost run` in the background, its stderr appended to `log_path`.
  pid_t spawn_run(const std::string& state, const std::string& log_path) {
    return spawn_process(command({"run"}, state), {{"ANTHROPIC_API_KEY", kAnthropicKey}}, log_path);
  }

  std::string output_path(const std::string& state = "state") const {
    return pipehost_job_output(dir_, state);
  }

  Value stats() const { return parse(emulator_->stats_json()); }
  std::int64_t anthropic_stat(const char* name) const {
    return stats().find("anthropic")->find(name)->as_int();
  }
  std::int64_t faults_injected(const std::string& name) const {
    Value s = stats();
    const Value* n = s.find("faults_injected")->find(name);
    return n ? n->as_int() : 0;
  }

  /// The custom_ids of every batch the emulator created (its copy of each accepted create).
  std::map<std::string, std::vector<std::string>> custom_ids_by_batch() const {
    std::map<std::string, std::vector<std::string>> out;
    std::filesystem::path dir = std::filesystem::path(emulator_->state_dir()) / "anthropic";
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      if (!name.ends_with(".requests.jsonl")) continue;
      std::ifstream in(entry.path());
      std::string line;
      auto& ids = out[name.substr(0, name.find('.'))];
      while (std::getline(in, line))
        if (!line.empty()) ids.push_back(parse(line).find("custom_id")->as_string());
    }
    return out;
  }

  /// Every row in exactly one created batch (no batch created twice, no row sent twice), and no row
  /// answered in two batches.
  void expect_each_row_sent_and_paid_once() {
    std::map<std::string, std::string> batch_of;
    for (const auto& [batch, ids] : custom_ids_by_batch())
      for (const auto& id : ids)
        EXPECT_TRUE(batch_of.emplace(id, batch).second)
            << "row " << id << " was sent in " << batch_of[id] << " and in " << batch;
    EXPECT_EQ(batch_of.size(), static_cast<std::size_t>(rows_)) << "every row in a created batch";
    EXPECT_EQ(anthropic_stat("answered_more_than_once"), 0);
    EXPECT_EQ(anthropic_stat("batch_creates"), static_cast<std::int64_t>(custom_ids_by_batch().size()));
  }

  /// Every input row once, in input order, ok or failed with a reason; ok rows equal the fault-free
  /// batch run's (online answers differ: the emulator's answer depends on the custom_id, which online
  /// calls have none of). Returns how many are ok.
  std::size_t expect_complete_output(bool same_as_reference = true) {
    auto input = read_csv(dir_.file("songs.csv"));
    auto output = read_csv(output_path());
    auto reference = same_as_reference ? read_csv(reference_output(rows_)) : output;
    EXPECT_EQ(output.rows.size(), input.rows.size()) << "every input row exactly once";
    std::size_t ok = 0;
    for (std::size_t i = 0; i < std::min(input.rows.size(), output.rows.size()); ++i) {
      EXPECT_EQ(output.at(i, "song"), input.at(i, "song")) << "row " << i + 1 << " out of order";
      if (output.at(i, "_status") == "ok") {
        ++ok;
        for (const char* column : {"primary_genre", "subgenres", "energy", "accessibility", "reasoning"})
          EXPECT_EQ(output.at(i, column), reference.at(i, column)) << "row " << i + 1 << " " << column;
      } else {
        EXPECT_EQ(output.at(i, "_status"), "failed");
        EXPECT_FALSE(output.at(i, "_error").empty()) << "row " << i + 1 << " failed without a reason";
      }
    }
    return ok;
  }

  /// The output of a fault-free run of the first `rows` songs (its own emulator), made once.
  static std::string reference_output(int rows) {
    static std::map<int, std::unique_ptr<TempDir>> made;
    auto& dir = made[rows];
    if (!dir) {
      dir = std::make_unique<TempDir>();
      AnthropicRun reference;
      reference.start(rows, "batch_ms=50");
      auto r = reference.pipehost({"run"});
      if (r.exit_code != 0) throw std::runtime_error("the reference run failed: " + r.err);
      std::filesystem::copy_file(reference.output_path(), dir->file("out.csv"));
    }
    return dir->file("out.csv");
  }

  void TestBody() override {}

  TempDir dir_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<HoldingProxy> proxy_;
  std::string url_;
  std::string log_level_ = "warn";
  int rows_ = 0;
};

TEST_F(AnthropicRun, SongsInBatchesReadTheSharedInstructionFromTheCache) {
  start(40, "batch_ms=100");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_complete_output(/*same_as_reference=*/false), 40u);
  expect_each_row_sent_and_paid_once();
  EXPECT_EQ(custom_ids_by_batch().size(), 4u) << "40 rows in batches of 10";

  // The ledger's usage is the emulator's, and the price is Sonnet 4.5's at the batch discount.
  Value summary = parse(read_file(dir_.file("state") + "/summary.json"));
  const Value& tokens = *summary.find("tokens");
  EXPECT_EQ(tokens.find("cache_write")->as_int(), anthropic_stat("cache_write_tokens"));
  EXPECT_EQ(tokens.find("cached_input")->as_int(), anthropic_stat("cache_read_tokens"));
  EXPECT_GT(tokens.find("cached_input")->as_int(), tokens.find("input")->as_int() * 9 / 10)
      << "the 17 KB songs instruction is read from the cache by every row after the first";
  const Value& cost = *summary.find("cost");
  double input = static_cast<double>(tokens.find("input")->as_int() - tokens.find("cached_input")->as_int() -
                                     tokens.find("cache_write")->as_int());
  EXPECT_NEAR(cost.find("input")->as_double(), input * 3.0 / 1e6 * 0.5, 1e-9);
  EXPECT_NEAR(cost.find("cached_input")->as_double(), tokens.find("cached_input")->as_int() * 0.3 / 1e6 * 0.5,
              1e-9);
  EXPECT_NEAR(cost.find("cache_write")->as_double(), tokens.find("cache_write")->as_int() * 6.0 / 1e6 * 0.5,
              1e-9);
  EXPECT_NEAR(cost.find("output")->as_double(), tokens.find("output")->as_int() * 15.0 / 1e6 * 0.5, 1e-9);
}

TEST_F(AnthropicRun, OnlineModeCallsMessagesPerRow) {
  start(20, "", R"(, "mode": "online", "online_concurrency": 4)");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_complete_output(/*same_as_reference=*/false), 20u);
  EXPECT_EQ(anthropic_stat("batch_creates"), 0);
  Value s = stats();
  EXPECT_EQ(s.find("requests_by_route")->find("POST /v1/messages")->as_int(), 20);
  EXPECT_GT(anthropic_stat("cache_read_tokens"), 0);
}

TEST_F(AnthropicRun, AServerToolIsRefusedBeforeAnythingIsSent) {
  start(10, "");
  std::string config = read_file(dir_.file("run.json"));
  config.replace(config.find(R"("generation")"), 0, R"("tools": ["web_search"], )");
  write_file(dir_.file("run.json"), config);
  auto r = pipehost({"run"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not offer the tool \"web_search\""), std::string::npos) << r.err;
  EXPECT_EQ(anthropic_stat("batch_creates"), 0);
  Value s = stats();
  EXPECT_EQ(s.find("requests_by_route")->find("POST /v1/messages/batches"), nullptr) << "nothing was sent";
}

struct FaultCase {
  const char* name;
  const char* spec;
  /// Every row ends ok, and each is sent in exactly one batch (the fault costs no batch or answer).
  bool clean = true;
};

const FaultCase kFaults[] = {
    {"create_429", "create_429=1,retry_delay_s=0"},
    {"http_5xx", "http_5xx=0.05"},
    {"batch_fail", "batch_fail=0.4", false},
    {"batch_expire", "batch_expire=0.4", false},
    {"truncate_download", "truncate_download=3"},
    {"prose", "prose=0.15", false},
    {"fenced", "fenced=0.5"},
    {"batch_ms", "batch_ms=700"},
};

// One test for all faults: each needs the fault-free run's output to compare with, made once here.
TEST_F(AnthropicRun, EachFaultAloneEndsEveryRowOkOrFailedWithAReasonAndPaysNothingTwice) {
  for (const FaultCase& fault : kFaults) {
    SCOPED_TRACE(fault.name);
    AnthropicRun run;
    run.start(40, fault.spec);
    auto r = run.pipehost({"run"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << ":\n" << r.err;
    std::size_t ok = run.expect_complete_output();
    std::string name = fault.name;
    if (name != "batch_ms") {
      EXPECT_GT(run.faults_injected(name), 0) << "the fault must really happen";
    }
    if (fault.clean) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(ok, 40u);
      run.expect_each_row_sent_and_paid_once();
    } else if (name != "prose") {
      // Failed and expired requests were never answered: sending them again pays for nothing twice.
      EXPECT_EQ(run.anthropic_stat("answered_more_than_once"), 0);
    }
  }
}

TEST_F(AnthropicRun, ALostCreateAnswerIsFoundByListingNotCreatedAgain) {
  // The create reaches the emulator, which creates the batch, but its answer never comes back: the
  // call times out, and the engine, before creating again, lists the batches and adopts this one.
  start(20, "batch_ms=100", R"(, "io_timeout_s": 1)", /*behind_proxy=*/true);
  proxy_->hold_answer_to(kCreateMarker);
  log_level_ = "info";
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(proxy_->holding());
  EXPECT_NE(r.err.find("exists after all"), std::string::npos) << r.err;
  EXPECT_EQ(expect_complete_output(/*same_as_reference=*/false), 20u);
  expect_each_row_sent_and_paid_once();
  EXPECT_EQ(custom_ids_by_batch().size(), 2u);
}

TEST_F(AnthropicRun, CancelStopsTheBatchesKeepsTheirAnswersAndTheRestIsSentOnce) {
  start(40, "batch_ms=4000", R"(, "batch_size": 20)");
  pid_t pid = spawn_run("state", dir_.file("cancelled-run.log"));
  auto started = std::chrono::steady_clock::now();
  while (anthropic_stat("batch_creates") < 2 && elapsed_ms(started) < 30000)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(anthropic_stat("batch_creates"), 2);
  std::this_thread::sleep_for(milliseconds(1200));  // about a third of each batch is answered by then
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);

  auto cancelled = pipehost({"cancel"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("cancelled 2 running job(s)"), std::string::npos) << cancelled.out;
  auto status = parse(pipehost({"status", "--json"}).out);
  std::int64_t done = status.find("rows")->find("done")->as_int();
  EXPECT_GT(done, 0) << "the answers given before the cancel are kept";
  EXPECT_LT(done, 40);
  EXPECT_EQ(status.find("rows")->find("pending")->as_int(), 40 - done);

  emulator_->set_faults("batch_ms=50");
  auto rerun = pipehost({"run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(expect_complete_output(/*same_as_reference=*/false), 40u);
  EXPECT_EQ(anthropic_stat("answered_more_than_once"), 0)
      << "no row answered before the cancel is sent again";
}

// ---- kill -9 in every phase ------------------------------------------------------------------------

enum class Phase { creating_quota, creating_answered, polling, downloading, exporting };

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::creating_quota:
      return "creating (429 wait)";
    case Phase::creating_answered:
      return "created at the provider, not yet in the ledger";
    case Phase::polling:
      return "polling";
    case Phase::downloading:
      return "downloading (resuming a broken download)";
    case Phase::exporting:
      return "exporting";
  }
  return "?";
}

class AnthropicKill : public AnthropicRun {
 protected:
  std::string faults_for(Phase phase) const {
    std::string spec = "batch_ms=300";
    if (phase == Phase::creating_quota) spec += ",create_429=1,retry_delay_s=1";
    if (phase == Phase::downloading) spec += ",truncate_download=1";
    return spec;
  }

  /// Milliseconds to wait before the kill once the run reached `phase`, or -1 when it has not yet.
  int trigger(Phase phase, const std::string& log, pid_t pid, std::int64_t creates_before) {
    switch (phase) {
      case Phase::creating_quota:
        return log.find(" to create pipehost-") != std::string::npos ? random_ms(0, 700) : -1;
      case Phase::creating_answered:
        // The batch exists at the provider (the emulator counted it); its answer is being swallowed,
        // so the process is exactly between the provider's create and the ledger's record of it.
        return proxy_->holding() && anthropic_stat("batch_creates") > creates_before ? 0 : -1;
      case Phase::polling:
        return log.find("created job ") != std::string::npos ? random_ms(0, 200) : -1;
      case Phase::downloading:
        return log.find("resuming the lines at byte") != std::string::npos ? random_ms(0, 30) : -1;
      case Phase::exporting:
        return std::filesystem::exists(output_path("state") + ".tmp-" + std::to_string(pid)) ? random_ms(0, 3)
                                                                                             : -1;
    }
    return -1;
  }

  int random_ms(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  /// Starts a run, waits for `phase`, kills it. True when the kill ended the run.
  bool kill_in(Phase phase, int cycle) {
    emulator_->set_faults(faults_for(phase));
    std::int64_t creates_before = anthropic_stat("batch_creates");
    if (phase == Phase::creating_answered) proxy_->hold_answer_to(kCreateMarker);
    std::string log_path = dir_.file("cycle-" + std::to_string(cycle) + ".log");
    write_file(log_path, "");
    pid_t pid = spawn_run("state", log_path);
    auto started = std::chrono::steady_clock::now();
    int delay = -1;
    std::string log;
    while (delay < 0) {
      log = read_file(log_path);
      delay = trigger(phase, log, pid, creates_before);
      if (delay >= 0) break;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        // An export of 60 rows takes milliseconds: a run may finish before the kill lands (it is tried
        // again); in any other phase the run had work left for seconds.
        if (phase != Phase::exporting)
          ADD_FAILURE() << "a run aimed at " << phase_name(phase) << " ended on its own:\n"
                        << read_file(log_path);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log_path);
        return false;
      }
      if (elapsed_ms(started) > 30000) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        ADD_FAILURE() << "no " << phase_name(phase) << " within 30 s:\n" << log;
        return false;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
    std::this_thread::sleep_for(milliseconds(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (std::filesystem::exists(output_path())) {
      EXPECT_EQ(read_csv(output_path()).rows.size(), static_cast<std::size_t>(rows_)) << "a partial output";
    }
    return WIFSIGNALED(status);
  }

  std::mt19937 random_{20261127u};
};

TEST_F(AnthropicKill, KillsInEveryPhaseIncludingBetweenCreateAndLedgerLoseAndRepeatNothing) {
  // One job in flight at a time: the listing then has a single candidate for an in-doubt job (with
  // two creates in doubt at once the engine may take one job's batch for the other's; see the
  // plugin's README).
  start(60, "batch_ms=300", R"(, "max_jobs_in_flight": 1)", /*behind_proxy=*/true);
  log_level_ = "debug";
  const Phase phases[] = {Phase::creating_answered, Phase::polling,           Phase::creating_quota,
                          Phase::downloading,       Phase::creating_answered, Phase::exporting};
  int kills = 0, cycle = 0;
  for (Phase phase : phases) {
    for (int attempt = 0; attempt < (phase == Phase::exporting ? 10 : 1); ++attempt) {
      if (kill_in(phase, ++cycle)) {
        ++kills;
        break;
      }
    }
  }
  EXPECT_EQ(kills, static_cast<int>(std::size(phases)));

  emulator_->set_faults("batch_ms=50");
  log_level_ = "info";
  auto final_run = pipehost({"run"});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  EXPECT_EQ(expect_complete_output(), 60u);
  EXPECT_EQ(read_file(output_path()), read_file(reference_output(60)))
      << "the output is the one of an uninterrupted run";
  expect_each_row_sent_and_paid_once();
  // Both batches created just before a kill were adopted by the next run, not created again.
  std::string logs;
  for (int c = 1; c <= cycle; ++c) logs += read_file(dir_.file("cycle-" + std::to_string(c) + ".log"));
  logs += final_run.err;
  std::size_t adopted = 0;
  for (auto at = logs.find("created before the restart; adopting it"); at != std::string::npos;
       at = logs.find("created before the restart; adopting it", at + 1))
    ++adopted;
  EXPECT_GE(adopted, 2u) << logs.substr(logs.size() > 4000 ? logs.size() - 4000 : 0);
}

}  // namespace
}  // namespace pipehost::test
