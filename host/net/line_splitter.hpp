// Splits a byte stream that arrives in arbitrary pieces into lines, without holding more than the
// current (possibly very long) line in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pipehost/status.hpp"

namespace pipehost::net {

/// Feeds bytes in, calls `on_line` once per line (without "\n" or "\r\n"). A final line without a
/// newline is delivered by `finish`. A non-ok status from `on_line` stops the splitter and is returned
/// by this and every later call.
class LineSplitter {
 public:
  explicit LineSplitter(std::function<Status(std::string_view)> on_line) : on_line_(std::move(on_line)) {}

  Status feed(std::string_view bytes);
  /// Delivers the last line when the stream did not end with a newline.
  Status finish();

  /// Lines delivered so far.
  std::uint64_t lines() const { return lines_; }
  /// Bytes fed so far up to and including the last newline (what the delivered lines covered).
  std::uint64_t consumed() const { return consumed_; }

 private:
  Status deliver(std::string_view line);

  std::function<Status(std::string_view)> on_line_;
  std::string partial_;
  std::uint64_t lines_ = 0;
  std::uint64_t consumed_ = 0;
  Status stopped_;
};

}  // namespace pipehost::net
