// Write rate of the run ledger (host/ledger) on the path a batch run takes: register every row once
// (the registration scan), plan one job of all rows, then apply songs-like outcomes with
// RunLedger::record_outcomes in commits of 512 rows (what the engine does while it downloads a job's
// results; see host/engine/batch_jobs.cpp kOutcomesPerCommit).
//
//   ledger_bench [rows=100000] [dir=a fresh folder under $TMPDIR]
//
// Prints one line per phase with rows/s of wall time and of process CPU time (user + system), and
// the ledger file's size. Every commit is a real SQLite transaction on disk (WAL), so wall time
// includes fsync waits. Peak RSS: run it under /usr/bin/time -v.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include "ledger/run_ledger.hpp"

namespace {

namespace fs = std::filesystem;
using pipehost::ledger::JobRow;
using pipehost::ledger::RowOutcome;
using pipehost::ledger::RunLedger;

constexpr std::size_t kOutcomesPerCommit = 512;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Wall and CPU time of one phase.
class PhaseTimer {
 public:
  PhaseTimer() : wall_(std::chrono::steady_clock::now()), cpu_(cpu_seconds()) {}
  void report(const char* phase, std::uint64_t rows) const {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
    const double cpu = cpu_seconds() - cpu_;
    std::printf("%-16s %8llu rows  wall %7.3f s %10.0f rows/s   cpu %7.3f s %10.0f rows/s\n", phase,
                static_cast<unsigned long long>(rows), wall, rows / wall, cpu, cpu > 0 ? rows / cpu : 0.0);
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

std::string key_of(std::uint64_t ordinal) {
  return "row-" + std::to_string(ordinal);
}

/// An outcome like a parsed songs answer: eight fields, a ~1.5 KB raw answer, usage.
RowOutcome songs_outcome(const std::string& key) {
  RowOutcome outcome;
  outcome.key = key;
  outcome.ok = true;
  outcome.fields = {"Pop",
                    "Dance-Pop; Synth-pop",
                    "High",
                    "playful",
                    "Commercial",
                    "1980s",
                    std::string(600, 'r'),
                    std::string(200, 'c')};
  outcome.raw_text = std::string(1500, 'a');
  outcome.model_version = "gemini-flash-latest";
  outcome.finish_reason = "STOP";
  outcome.usage.input_tokens = 4200;
  outcome.usage.output_tokens = 380;
  return outcome;
}

int run(std::uint64_t rows, const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path file = dir / "ledger.sqlite";
  RunLedger ledger(file);

  {
    PhaseTimer timer;
    auto scan = ledger.begin_scan();
    for (std::uint64_t i = 1; i <= rows; ++i) {
      ledger.register_row(scan, key_of(i), i, i + 1);
      if (i % 5000 == 0) ledger.commit_scan_batch();
    }
    ledger.finish_scan(scan);
    timer.report("register", rows);
  }

  pipehost::ledger::JobRecord job;
  {
    PhaseTimer timer;
    std::vector<JobRow> job_rows;
    job_rows.reserve(rows);
    for (std::uint64_t i = 1; i <= rows; ++i)
      job_rows.push_back(
          {key_of(i), 1, {"Artist: A\nSong: S"}, {"A", "S", "TRUE", "Molly", "113"}, "0123456789abcdef"});
    job = ledger.plan_job(job_rows, rows * 17900);
    ledger.set_job_handle(job.id, "batches/bench");
    timer.report("plan_job", rows);
  }

  {
    PhaseTimer timer;
    std::vector<RowOutcome> outcomes;
    outcomes.reserve(kOutcomesPerCommit);
    for (std::uint64_t i = 1; i <= rows; ++i) {
      outcomes.push_back(songs_outcome(key_of(i)));
      if (outcomes.size() == kOutcomesPerCommit || i == rows) {
        ledger.record_outcomes(job.id, outcomes, "bench-fingerprint");
        outcomes.clear();
      }
    }
    timer.report("record_outcomes", rows);
  }

  auto counts = ledger.counts();
  const auto done = counts.rows_by_state["done"];
  std::printf(
      "done %llu of %llu rows; ledger %.1f MB (+ WAL %.1f MB)\n", static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(rows), fs::file_size(file) / 1e6,
      fs::exists(fs::path(file.string() + "-wal")) ? fs::file_size(fs::path(file.string() + "-wal")) / 1e6
                                                   : 0.0);
  return done == rows ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    if (rows == 0) throw std::invalid_argument("rows must be a positive number");
    fs::path dir = argc > 2
                       ? fs::path(argv[2])
                       : fs::temp_directory_path() / ("pipehost-ledger-bench-" + std::to_string(::getpid()));
    const bool own_dir = argc <= 2;
    std::printf("run ledger, %llu rows, outcomes committed %zu at a time, in %s\n",
                static_cast<unsigned long long>(rows), kOutcomesPerCommit, dir.c_str());
    int code = run(rows, dir);
    if (own_dir) fs::remove_all(dir);
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ledger_bench: %s\n", e.what());
    return 1;
  }
}
