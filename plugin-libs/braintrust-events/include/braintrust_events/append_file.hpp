// A file that only grows by whole lines: each line goes to the kernel in one write() on an O_APPEND
// descriptor, so a killed process leaves every line it appended complete (at worst the last one cut
// if the machine itself died), and `sync` makes them durable. Used for the JSONL log, the failed-events
// file and the pending-events journal.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pipehost::braintrust {

class AppendFile {
 public:
  /// Opens `path` for appending, creating it and its parent folders. Throws std::runtime_error naming
  /// the path and the system error.
  explicit AppendFile(std::filesystem::path path);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  /// Appends `line` and a newline.
  void append_line(std::string_view line);
  /// Appends each line with its newline, in one write where possible.
  void append_lines(const std::vector<std::string_view>& lines);
  /// fsync: what was appended survives a power loss.
  void sync();
  /// Takes an exclusive advisory lock (flock) without waiting; false when another process or
  /// descriptor holds it. Released when the file is closed (also when the process dies).
  bool try_lock();

  const std::filesystem::path& path() const { return path_; }

 private:
  void write_all(std::string_view bytes);

  std::filesystem::path path_;
  int fd_ = -1;
};

/// Calls `on_line` for each line of `path` (without the newline; a last line without one too),
/// reading in chunks so memory stays flat. Throws std::runtime_error when the file cannot be read.
void for_each_line(const std::filesystem::path& path, const std::function<void(std::string_view)>& on_line);

/// fsyncs a directory, so a file created, renamed or removed in it stays so after a power loss.
void sync_directory(const std::filesystem::path& dir);

}  // namespace pipehost::braintrust
