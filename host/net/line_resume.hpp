// Resuming a line download (`HttpRequest::resume_lines`) after the connection broke mid-body: where
// the caller stands in the body, the Range header that asks for the rest, and whether an answer
// really continues where the last one stopped. Every line reaches the caller once; a partial line
// is never delivered (the next answer starts at its first byte).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// A Content-Range value: "bytes FIRST-LAST/TOTAL" (TOTAL may be "*") or "bytes */TOTAL" (416).
struct ContentRange {
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> last;
  std::optional<std::uint64_t> total;
};
std::optional<ContentRange> parse_content_range(std::string_view value);

/// N of an open-ended "bytes=N-" Range value; nullopt for any other form.
std::optional<std::uint64_t> parse_open_range(std::string_view value);

class LineResume {
 public:
  /// How to take one answer.
  struct Plan {
    /// Stream the body to the line callback (otherwise it stays in memory: an error answer).
    bool lines = false;
    /// Body bytes to drop first (a 200 that ignored the Range header repeats what we have).
    std::uint64_t skip = 0;
    /// Offset in the whole body of the first byte handed to the line splitter.
    std::uint64_t base = 0;
  };

  /// Checks that `request` can be resumed: a line callback, and no Range header other than "bytes=N-".
  Status prepare(const HttpRequest& request);

  /// True once lines were streamed from a known offset and that offset is past 0: the next attempt
  /// asks for "Range: bytes=position-".
  bool resuming() const { return position_.value_or(0) > 0; }
  /// True once an answer's body was streamed to lines (so the offset in the body is known).
  bool started() const { return position_.has_value(); }
  /// Offset of the first body byte no delivered line covers.
  std::uint64_t position() const { return position_.value_or(0); }
  /// Offset in the whole body where the first streamed answer started (0 unless the caller sent
  /// its own "Range: bytes=N-").
  std::uint64_t origin() const { return origin_; }
  /// The Range value of the next attempt.
  std::string range() const { return "bytes=" + std::to_string(position()) + "-"; }

  /// A fresh answer (not resuming) that is being streamed to lines: records where it starts in the
  /// whole body (a 206 to the caller's own Range starts at its Content-Range) and its validators.
  Plan fresh(const HttpResponse& response);
  /// An answer to a resumed request: a 206 must start at `position()`, a 200 (Range ignored) is
  /// skipped up to it; retryable statuses stay in memory for the retry loop; 416 and anything else
  /// are fatal (the body is not what it was, or the server does not do ranges).
  Status resumed(const HttpResponse& response, Plan& plan);
  /// Lines up to `position` (an offset in the whole body) have been delivered.
  void advance(std::uint64_t position) { position_ = position; }

 private:
  Status same_body(const HttpResponse& response, std::optional<std::uint64_t> total) const;

  std::optional<std::uint64_t> caller_start_;
  std::optional<std::uint64_t> position_;
  std::uint64_t origin_ = 0;
  std::string etag_;
  std::optional<std::uint64_t> total_;
};

}  // namespace pipehost::net
