// One pipehost at a time per state dir. Two runs sharing a ledger would both see the same pending
// rows and both pay for them; the lock turns that into a clear refusal instead.
#pragma once

#include <filesystem>
#include <stdexcept>

namespace pipehost::ledger {

/// The state dir is held by another live pipehost process.
class StateDirBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An exclusive, non-blocking flock on `<state_dir>/lock`, held for the object's lifetime. The
/// kernel drops it when the process dies, so a killed run never leaves the state dir locked.
class StateDirLock {
 public:
  /// Creates the state dir if needed. Throws StateDirBusy (naming the holder's pid) when another
  /// process holds the lock, std::runtime_error when the lock file cannot be opened.
  explicit StateDirLock(const std::filesystem::path& state_dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace pipehost::ledger
