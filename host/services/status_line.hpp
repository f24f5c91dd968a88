// The one live status line at the bottom of a terminal (the progress line) and the log lines that
// scroll above it. A log line written while the status line is shown first clears it ("\r" and
// clear-to-end), then is written, then the status line is drawn again, so the two never share a row.
// The line is cut to the terminal's width so it never wraps (a wrapped line cannot be redrawn).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace pipehost::services {

class StatusLine {
 public:
  /// Writes through `write` (stderr for the process-wide instance).
  explicit StatusLine(std::function<void(std::string_view)> write);

  /// The process-wide status line on stderr.
  static StatusLine& on_stderr();

  /// Shows `text` as the status line, replacing what was shown.
  void show(std::string_view text);
  /// Shows `text` one last time and leaves it as an ordinary line; nothing is shown afterwards.
  void finish(std::string_view text);
  /// Writes `line` (which ends with '\n') above the status line.
  void write_log(std::string_view line);

 private:
  std::function<void(std::string_view)> write_;
  std::mutex mutex_;
  std::string shown_;
  bool active_ = false;
};

/// Columns of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS, else 80.
std::size_t terminal_width(int fd);

/// `text` cut to fit in `width` columns without reaching the last one (where terminals wrap):
/// at most width - 1 characters, counted as UTF-8 code points and never cutting one in half.
std::string fit_to_width(std::string_view text, std::size_t width);

}  // namespace pipehost::services
