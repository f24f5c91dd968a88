// Helpers shared by the reliability tests: the soak switch, a read-only look into a run ledger, and
// small file utilities.
#pragma once

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace pipehost::test {

/// True when PIPEHOST_SOAK is set to anything but "" or "0" (`make soak`): longer, heavier runs.
bool soak_mode();

/// What a run ledger says, read directly from its SQLite file while no pipehost process runs.
struct LedgerSnapshot {
  std::string run_id;
  std::set<std::string> done_keys;
};

/// Reads `<state_dir>/ledger.sqlite`; an empty snapshot when the file does not exist yet.
LedgerSnapshot read_ledger(const std::filesystem::path& state_dir);

/// Regular files under `dir` (recursively), sorted; none when `dir` does not exist.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& dir);

/// Names of the files in `dir` (not recursive) that start with `prefix`.
std::vector<std::string> names_starting_with(const std::filesystem::path& dir, const std::string& prefix);

/// Milliseconds since `start`.
inline long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace pipehost::test
