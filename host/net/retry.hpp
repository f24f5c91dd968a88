// The pieces of the retry policy that need no network: which answers are worth retrying, how long
// the server asked us to wait, and how long to back off otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// HTTP statuses the client retries on its own: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status);

/// Parses a Retry-After value: delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
/// also the obsolete RFC 850 and asctime forms). A date in the past gives zero. Nullopt when unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// Parses an HTTP date into a time point; nullopt when unparsable.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// Exponential backoff with full jitter before retry number `retry` (1 = the first retry):
/// uniform in [0, min(max_backoff, initial_backoff * 2^(retry-1))]. `uniform01` is a draw in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double uniform01);

/// How long to wait before the next attempt: the server's Retry-After when it gave one (never less
/// than it asked), otherwise the jittered backoff.
std::chrono::milliseconds next_retry_delay(const RetryPolicy& policy, int retry,
                                           std::optional<std::chrono::milliseconds> retry_after,
                                           double uniform01);

/// The waits between the attempts of one operation: every retry loop in the host (the HTTP client's
/// attempts, the engine's waits for a provider that asked to be retried) takes its delays from one of
/// these, so the policy (exponential, full jitter, the server's wish first) lives in one place.
class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy) : policy_(policy) {}
  /// The wait before the next attempt: `asked` (a Retry-After, or a provider's retry hint) when
  /// given, otherwise the jittered backoff for the next retry number.
  std::chrono::milliseconds next(std::optional<std::chrono::milliseconds> asked = std::nullopt);
  /// As next(), from a Status::retry hint (negative = none).
  std::chrono::milliseconds next_after(std::int64_t retry_after_ms);
  /// Retries so far.
  int retries() const { return retries_; }

 private:
  RetryPolicy policy_;
  int retries_ = 0;
};

}  // namespace pipehost::net
