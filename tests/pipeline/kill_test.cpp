// Crash safety: `pipehost run` killed with SIGKILL at seeded random instants and restarted, again
// and again. At the end: no row lost, none twice in the output, no batch created twice, no row sent
// in two created batches (so no done row was re-sent), and the output equal to an uninterrupted run.
#include <cstdlib>
#include <random>
#include <signal.h>
#include <sys/wait.h>

#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

int kill_count() {
  const char* soak = std::getenv("PIPEHOST_SOAK");
  return soak && *soak && std::string(soak) != "0" ? 60 : 16;
}

TEST_F(PipelineTest, KillNineAtRandomInstantsLosesAndRepeatsNothing) {
  // Batches take 400 ms at the emulator, so kills land while preparing, uploading, creating,
  // polling, downloading and exporting. Rows grow with the kills: once every row is done, a run only
  // exports and often ends before its kill, so the work must outlast the kills wanted.
  const int rows = 75 * kill_count();
  start(rows, "batch_ms=400", R"(, "batch_size": 60, "max_jobs_in_flight": 2)");
  const char* seed = std::getenv("PIPEHOST_KILL_SEED");
  std::mt19937 random(seed ? static_cast<unsigned>(std::stoul(seed)) : 20261125u);
  std::uniform_int_distribution<int> delay_ms(20, 700);
  int killed = 0, finished = 0;
  for (int i = 0; killed < kill_count() && i < kill_count() * 3; ++i) {
    pid_t pid = spawn_run();
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
      ++killed;
    else
      ++finished;
  }
  auto final_run = pipehost({"run"});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  RecordProperty("kills", killed);
  RecordProperty("runs_that_finished", finished);
  EXPECT_GE(killed, kill_count()) << "runs must really be interrupted";

  EXPECT_EQ(expect_complete_output(), static_cast<std::size_t>(rows));
  expect_no_double_creates();
  std::map<std::string, std::string> batch_of;
  for (const auto& [name, keys] : keys_by_batch())
    for (const auto& key : keys)
      EXPECT_TRUE(batch_of.emplace(key, name).second) << "row " << key << " was sent in two batches";
  EXPECT_EQ(batch_of.size(), static_cast<std::size_t>(rows));

  auto reference = pipehost({"run"}, "reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(read_file(output_path()), read_file(output_path("reference")));
}

}  // namespace
}  // namespace pipehost::test
