// The pending-events journal: every event is appended to a journal segment file in log(), before it is
// queued in memory, and the segment is removed once all its events were delivered or set aside. If
// the process dies with events still queued (kill -9, crash, power cut after the kernel has the
// bytes), the next start() finds the segment and resends it — ids are stable, so events that had
// already arrived just replace themselves. Segments are locked (flock) by their writer, so a live
// logger's segments are never taken for leftovers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "braintrust_events/append_file.hpp"

namespace pipehost::braintrust {

class PendingJournal {
 public:
  /// Segments go to `dir` (created when the first event is appended); a new one every
  /// `events_per_segment` events.
  PendingJournal(std::filesystem::path dir, std::size_t events_per_segment);
  ~PendingJournal();
  PendingJournal(const PendingJournal&) = delete;
  PendingJournal& operator=(const PendingJournal&) = delete;

  /// Appends one event; returns its segment number (>= 1). Throws std::runtime_error on I/O errors.
  std::uint64_t append(std::string_view line);
  /// `count` events of `segment` were delivered or durably set aside. Removes segments that are full
  /// and fully resolved.
  void resolved(std::uint64_t segment, std::size_t count);
  /// Removes the current segment too when all its events are resolved (the end of a flush).
  void settle();

 private:
  struct Segment {
    std::unique_ptr<AppendFile> file;
    std::size_t appended = 0;
    std::size_t resolved = 0;
    bool closed = false;
  };
  void remove_if_done(std::map<std::uint64_t, Segment>::iterator it);

  std::filesystem::path dir_;
  std::size_t events_per_segment_;
  std::string name_prefix_;
  std::mutex mutex_;
  std::map<std::uint64_t, Segment> segments_;
  std::uint64_t current_ = 0;  // 0: none open
  std::uint64_t next_ = 1;
};

/// Journal segments in a folder that no live logger holds, locked for as long as this object lives.
class JournalLeftovers {
 public:
  /// Claims every unlocked segment in `dir` (none when `dir` does not exist).
  static JournalLeftovers claim(const std::filesystem::path& dir);
  const std::vector<std::filesystem::path>& files() const { return files_; }
  /// Removes the claimed files (after their events were resent or set aside).
  void remove_all();

 private:
  std::vector<std::filesystem::path> files_;
  std::vector<std::unique_ptr<AppendFile>> locks_;
};

}  // namespace pipehost::braintrust
