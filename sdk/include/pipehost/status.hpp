// Status: the only way a plugin reports failure to the host. No exception crosses the boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace pipehost {

/// Tri-state outcome of an SDK call or of one item (row, request, event).
/// The host owns retry scheduling: a plugin says *whether* retrying may help, never when.
enum class Outcome : std::uint8_t {
  ok,     ///< Done.
  retry,  ///< Failed, but the same thing may succeed later (quota, 5xx, dropped connection, parse failure).
  fatal,  ///< Failed and will fail again (bad config, 4xx, invalid input).
};

/// Result of an SDK call: an outcome, a human-readable message, and an optional retry hint.
class Status {
 public:
  /// Success.
  Status() = default;

  static Status ok() { return {}; }
  /// A failure that may succeed if retried; `retry_after_ms` (>= 0) is the server's hint, -1 if none.
  static Status retry(std::string message, std::int64_t retry_after_ms = -1) {
    return Status(Outcome::retry, std::move(message), retry_after_ms);
  }
  /// A failure that will not succeed if retried.
  static Status fatal(std::string message) { return Status(Outcome::fatal, std::move(message), -1); }

  bool is_ok() const { return outcome_ == Outcome::ok; }
  bool is_retry() const { return outcome_ == Outcome::retry; }
  bool is_fatal() const { return outcome_ == Outcome::fatal; }
  explicit operator bool() const { return is_ok(); }

  Outcome outcome() const { return outcome_; }
  const std::string& message() const { return message_; }
  /// Milliseconds the far end asked us to wait before retrying, or -1 when it gave no hint.
  std::int64_t retry_after_ms() const { return retry_after_ms_; }

  /// Returns a copy whose message is `context + ": " + message` (outcome and hint kept).
  Status with_context(std::string_view context) const {
    Status copy = *this;
    if (!copy.is_ok()) copy.message_ = std::string(context) + ": " + copy.message_;
    return copy;
  }

 private:
  Status(Outcome outcome, std::string message, std::int64_t retry_after_ms)
      : outcome_(outcome), message_(std::move(message)), retry_after_ms_(retry_after_ms) {}

  Outcome outcome_ = Outcome::ok;
  std::string message_;
  std::int64_t retry_after_ms_ = -1;
};

}  // namespace pipehost
