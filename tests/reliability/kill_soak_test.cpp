// Kill soak: `pipehost run` is killed with SIGKILL in every phase of a batch run — preparing the
// request file, uploading it, creating the batch (while waiting out a 429, and after the provider
// created it but before its answer reached pipehost), polling, downloading (after a broken download,
// while it resumes) and exporting — and restarted, again and again. Where the basic kill test
// (tests/pipeline/kill_test.cpp) kills at random instants, this one watches the run (its debug log,
// its scratch and output folders) and aims each kill at a phase, with a seeded random delay.
//
// pipehost talks to the emulator through a HoldingProxy (plain HTTP, so the proxy can see requests;
// TLS is covered by the basic kill test and the fault matrix): it swallows the answer to one batch
// create, so the kill lands exactly between "the provider created the job" and "the ledger recorded
// its handle", the window the display-name lookup exists for. Every such job must be found and adopted
// by the next run.
//
// Each round is one run (its own state dir) taken through every phase, then finished uninterrupted.
// Invariants per round: no row lost and none twice in the output (every input row once, in order,
// ok); no batch created twice (emulator accounting); every row in exactly one created batch; no row
// that was done before a kill in any batch created after it; no partial output under the final name
// after any kill; and the output byte-identical to an uninterrupted run's.
//
// `make test`: 3 rounds (21 aimed kills); `make soak` (PIPEHOST_SOAK=1): 9 rounds (63).
// PIPEHOST_KILL_SEED changes the random delays.
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>

#include <boost/json.hpp>

#include "holding_proxy.hpp"
#include "pipeline_fixture.hpp"
#include "reliability_support.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr int kRows = 600;  // 10 jobs of 60 rows, 2 in flight: work left for every phase of a round
constexpr int kBatchMs = 400;

enum class Phase { preparing, uploading, creating_quota, creating_answered, polling, downloading, exporting };
constexpr Phase kPhases[] = {Phase::preparing,         Phase::uploading, Phase::creating_quota,
                             Phase::creating_answered, Phase::polling,   Phase::downloading,
                             Phase::exporting};

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::preparing:
      return "preparing";
    case Phase::uploading:
      return "uploading";
    case Phase::creating_quota:
      return "creating (429 wait)";
    case Phase::creating_answered:
      return "creating (answered, handle not yet recorded)";
    case Phase::polling:
      return "polling";
    case Phase::downloading:
      return "downloading";
    case Phase::exporting:
      return "exporting";
  }
  return "?";
}

/// A spawned `pipehost run`: its pid, its debug log (a file) read as it grows, and its exit.
class WatchedRun {
 public:
  WatchedRun(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  /// Reads what the log gained since the last call.
  void read_log() {
    std::ifstream in(log_path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(log_.size()));
    log_.append(std::istreambuf_iterator<char>(in), {});
  }
  bool logged(std::string_view text) const { return log_.find(text) != std::string::npos; }
  const std::string& log() const { return log_; }

  /// True once the process has ended (then `status()` is its wait status).
  bool ended() {
    if (ended_) return true;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) ended_ = true;
    return ended_;
  }
  /// SIGKILL and reap; true when the signal is what ended it.
  bool kill() {
    if (ended()) return false;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    ended_ = true;
    return WIFSIGNALED(status_) && WTERMSIG(status_) == SIGKILL;
  }
  int exit_code() const { return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_); }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  std::string log_path_;
  std::string log_;
  bool ended_ = false;
  int status_ = 0;
};

class KillSoakTest : public PipelineTest {
 protected:
  /// What one round observed after each kill: rows done by then, and the round's batches by then.
  struct AfterKill {
    std::set<std::string> done_keys;
    std::set<std::string> batches;
  };

  void SetUp() override {
    log_level_ = "debug";  // the HTTP client's request lines mark the phases
    emulator_options_.tls = false;
    const char* seed = std::getenv("PIPEHOST_KILL_SEED");
    random_.seed(seed ? static_cast<unsigned>(std::stoul(seed)) : 20261126u);
  }

  std::string faults_for(Phase phase, int round) const {
    std::string spec = "batch_ms=" + std::to_string(kBatchMs);
    if (phase == Phase::creating_quota) spec += ",create_429=1,retry_delay_s=0";
    if (phase == Phase::downloading) spec += round % 2 ? ",truncate_download=1" : ",drop_download=1";
    return spec;
  }

  int random_ms(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  /// Has the run reached `phase`? Returns the delay (ms) to wait before the kill, or -1 if not yet.
  int trigger(Phase phase, WatchedRun& run, const std::set<std::string>& old_scratch,
              const std::string& state) {
    switch (phase) {
      case Phase::preparing:
        // A request file that was not there before: the worker is writing it.
        for (const auto& name : names_starting_with(scratch_dir(state), "pipehost-"))
          if (!old_scratch.count(name)) return 0;
        return -1;
      case Phase::uploading:
        return run.logged("] uploading ") ? random_ms(0, 3) : -1;
      case Phase::creating_quota:
        return run.logged(" to create pipehost-") ? random_ms(0, 1500) : -1;
      case Phase::creating_answered:
        return run.logged(":batchGenerateContent -> 200") ? 0 : -1;
      case Phase::polling:
        // Well before the new job can finish, so the run is still there to be killed.
        if (run.logged("created job ")) return random_ms(0, kBatchMs * 3 / 4);
        // When earlier cycles planned every row, this run creates nothing: it polls the jobs it
        // recovered, whose time may be nearly up, so the kill comes soon.
        return run.logged("recovering ") ? random_ms(0, 50) : -1;
      case Phase::downloading:
        return run.logged("; resuming the lines at byte ") ? random_ms(0, 60) : -1;
      case Phase::exporting:
        return names_starting_with(dir_.path(), state + "-out.csv.tmp-" + std::to_string(run.pid())).empty()
                   ? -1
                   : random_ms(0, 3);
    }
    return -1;
  }

  std::filesystem::path scratch_dir(const std::string& state) const {
    return dir_.path() / state / "scratch" / "provider-gemini-batch";
  }

  /// One cycle: start `pipehost run`, wait for `phase`, kill it after the trigger's delay. Returns true
  /// when the kill ended the run; false when the run finished on its own first.
  bool kill_in(Phase phase, int round, const std::string& state, int cycle) {
    emulator_->set_faults(faults_for(phase, round));
    if (phase == Phase::creating_answered) {
      batches_before_ = stats().at("batches_created").as_int64();
      proxy_->hold_answer_to(":batchGenerateContent");
    }
    auto old = names_starting_with(scratch_dir(state), "pipehost-");
    std::set<std::string> old_scratch(old.begin(), old.end());
    std::string log_path = dir_.file(state + "-cycle-" + std::to_string(cycle) + ".log");
    WatchedRun run(spawn_run(state, log_path), log_path);
    auto started = std::chrono::steady_clock::now();
    int delay = -1;
    while (delay < 0) {
      run.read_log();
      delay = trigger(phase, run, old_scratch, state);
      if (delay >= 0) break;
      if (run.ended()) {
        run.read_log();
        adoptions_ += count(run.log(), "created before the restart; adopting it");
        EXPECT_EQ(run.exit_code(), 0)
            << "a run aimed at " << phase_name(phase) << " ended on its own:\n"
            << run.log().substr(run.log().size() > 3000 ? run.log().size() - 3000 : 0);
        return false;
      }
      if (elapsed_ms(started) > 60'000) {
        run.kill();
        ADD_FAILURE() << "no " << phase_name(phase) << " within 60 s; log:\n" << run.log();
        return false;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
    if (delay > 0) std::this_thread::sleep_for(milliseconds(delay));
    bool killed = run.kill();
    run.read_log();
    adoptions_ += count(run.log(), "created before the restart; adopting it");
    if (!killed) {
      EXPECT_EQ(run.exit_code(), 0) << run.log();
    }
    return killed;
  }

  static int count(const std::string& text, std::string_view needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

  std::set<std::string> batches_of(const std::string& run_id) const {
    std::set<std::string> names;
    for (const auto& [name, keys] : keys_by_batch("pipehost-" + run_id + "-")) names.insert(name);
    return names;
  }

  /// After a kill: nothing partial under the final output name; remember what was done.
  void after_kill(const std::string& state, std::vector<AfterKill>& history) {
    if (std::filesystem::exists(output_path(state))) {
      // Only a run that committed its export can have put it there: it must be whole.
      EXPECT_EQ(read_csv(output_path(state)).rows.size(), static_cast<std::size_t>(kRows))
          << "a partial output under the final name";
    }
    auto ledger = read_ledger(dir_.path() / state);
    history.push_back(
        {ledger.done_keys, ledger.run_id.empty() ? std::set<std::string>{} : batches_of(ledger.run_id)});
  }

  /// The round's invariants once its last run finished uninterrupted.
  void check_round(const std::string& state, const std::vector<AfterKill>& history) {
    EXPECT_EQ(expect_complete_output(state), static_cast<std::size_t>(kRows)) << state;
    EXPECT_EQ(read_file(output_path(state)), read_file(output_path("reference")))
        << state << ": the output differs from an uninterrupted run's";
    auto run_id = read_ledger(dir_.path() / state).run_id;
    ASSERT_FALSE(run_id.empty());
    auto batches = keys_by_batch("pipehost-" + run_id + "-");
    std::map<std::string, std::string> batch_of;
    std::vector<std::string> sent_twice, resent_after_done;
    for (const auto& [name, keys] : batches)
      for (const auto& key : keys)
        if (!batch_of.emplace(key, name).second)
          sent_twice.push_back(key + " (" + batch_of[key] + ", " + name + ")");
    EXPECT_EQ(batch_of.size(), static_cast<std::size_t>(kRows)) << state << ": every row in a created batch";
    for (std::size_t k = 0; k < history.size(); ++k) {
      for (const auto& [name, keys] : batches) {
        if (history[k].batches.count(name)) continue;  // created before kill k
        for (const auto& key : keys)
          if (history[k].done_keys.count(key))
            resent_after_done.push_back(key + " (done before kill " + std::to_string(k + 1) + ", sent in " +
                                        name + ")");
      }
    }
    EXPECT_TRUE(sent_twice.empty()) << state << ": " << sent_twice.size()
                                    << " rows in two created batches, e.g. " << sent_twice.front();
    EXPECT_TRUE(resent_after_done.empty()) << state << ": " << resent_after_done.size()
                                           << " done rows sent again, e.g. " << resent_after_done.front();
  }

  /// Starts the emulator and points run.json at it through the proxy.
  void start_behind_proxy() {
    start(kRows, "batch_ms=" + std::to_string(kBatchMs), R"(, "batch_size": 60, "max_jobs_in_flight": 2)");
    proxy_ = std::make_unique<HoldingProxy>(port_of(emulator_->base_url()));
    std::string config = read_file(dir_.file("run.json"));
    auto at = config.find(emulator_->base_url());
    ASSERT_NE(at, std::string::npos);
    config.replace(at, emulator_->base_url().size(), proxy_->base_url());
    write_file(dir_.file("run.json"), config);
  }

  std::mt19937 random_;
  std::unique_ptr<HoldingProxy> proxy_;
  std::int64_t batches_before_ = 0;
  int adoptions_ = 0;
};

TEST_F(KillSoakTest, KillsInEveryPhaseLoseAndRepeatNothing) {
  const int rounds = soak_mode() ? 9 : 3;
  const auto budget = milliseconds(soak_mode() ? 40 * 60'000 : 4 * 60'000);
  start_behind_proxy();
  ASSERT_FALSE(HasFatalFailure());
  auto reference = pipehost({"run"}, "reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;

  auto started = std::chrono::steady_clock::now();
  std::map<Phase, int> kills;
  int cycle = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::string state = "round-" + std::to_string(round);
    std::vector<AfterKill> history;
    for (Phase phase : kPhases) {
      ASSERT_LT(elapsed_ms(started), budget.count()) << "the soak ran out of time";
      if (kill_in(phase, round, state, ++cycle)) {
        ++kills[phase];
        after_kill(state, history);
      }
    }
    emulator_->set_faults("batch_ms=" + std::to_string(kBatchMs));
    auto final_run = pipehost({"run"}, state);
    ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
    adoptions_ += count(final_run.err, "created before the restart; adopting it");
    check_round(state, history);
    if (HasFailure()) break;
  }
  expect_no_double_creates();

  int total = 0;
  std::string summary;
  for (Phase phase : kPhases) {
    total += kills[phase];
    summary +=
        std::string(summary.empty() ? "" : ", ") + phase_name(phase) + ": " + std::to_string(kills[phase]);
    EXPECT_GE(kills[phase], rounds - 1) << "too few kills landed while " << phase_name(phase);
  }
  EXPECT_GE(adoptions_, kills[Phase::creating_answered])
      << "every job created just before a kill must be found by name and adopted, never created again";
  // What killed runs leave behind — temporary outputs of killed exports, request files of jobs that
  // were planned but never created — the round's final run must have cleaned up.
  std::size_t stale_outputs = 0, stale_requests = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::string state = "round-" + std::to_string(round);
    stale_outputs += names_starting_with(dir_.path(), state + "-out.csv.tmp-").size();
    stale_requests += names_starting_with(scratch_dir(state), "pipehost-").size();
  }
  std::cout << "kills: " << total << " (" << summary
            << "); jobs adopted by name after a restart: " << adoptions_ << "; left behind: " << stale_outputs
            << " temporary outputs, " << stale_requests << " request files; " << elapsed_ms(started) / 1000.0
            << " s\n";
  EXPECT_EQ(stale_outputs, 0u) << "a later run must remove the temporary outputs of killed runs";
  EXPECT_EQ(stale_requests, 0u) << "a later run must clear request files of killed runs from scratch";
  RecordProperty("kills", total);
  RecordProperty("adoptions", adoptions_);
  EXPECT_GE(total, soak_mode() ? 50 : 15);
}

}  // namespace
}  // namespace pipehost::test
