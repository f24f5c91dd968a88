// The host's HTTP(S) client (Boost.Beast + OpenSSL) behind the SDK's HttpClient interface.
//
// What it does: TLS with verification on by default (system CA store plus an optional ca_file), host
// name verification and SNI, keep-alive pooling per (scheme, host, port), connect and inactivity
// timeouts, bounded redirects, HTTPS_PROXY / HTTP_PROXY / NO_PROXY (CONNECT tunnels for HTTPS),
// streaming request bodies (file range, producer or multipart/form-data) and streaming response
// bodies (file or lines, resumable by Range), truncated-body detection, and the RetryPolicy (backoff
// with full jitter, Retry-After, cancellable).
// Secret header values never appear in its logs or error messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// How one attempt at an endpoint went, for the host's health tracking.
struct AttemptReport {
  /// "https://host:port" of the request's URL.
  std::string origin;
  /// The endpoint answered with something other than 408, 429 or 5xx.
  bool reached = false;
  /// When not reached: what went wrong (redacted), e.g. "cannot connect to host:443: Connection refused".
  std::string error;
};

/// What the client needs from the host; all callables are thread-safe. Empty callables fall back to:
/// no logging, no extra redaction, an uncancellable sleep, never cancelled, no reports.
struct HttpEnvironment {
  std::function<void(LogLevel, std::string_view)> log;
  /// Removes secret values from text (the host knows every secret it handed out).
  std::function<std::string(std::string_view)> redact;
  /// Cancellable sleep; false if cancelled.
  std::function<bool(std::chrono::milliseconds)> sleep_for;
  std::function<bool()> cancelled;
  /// Called after every attempt (each retry is an attempt; a cancelled one is not reported).
  std::function<void(const AttemptReport&)> on_attempt;
  /// Empty: plain http:// to a host that is not loopback is sent, with a warning. Otherwise such
  /// requests are refused (fatal) and this text, e.g. how to allow them, ends the message.
  std::string refuse_plain_http;
};

/// A client with `options`, or null with the reason in `status` (e.g. unreadable ca_file).
std::shared_ptr<HttpClient> make_http_client(const HttpClientOptions& options, HttpEnvironment environment,
                                             Status& status);

/// Connection accounting of a client made by make_http_client (for tests and diagnostics).
struct HttpClientStats {
  std::uint64_t connections_opened = 0;
  /// Requests sent on a pooled keep-alive connection.
  std::uint64_t connections_reused = 0;
  /// Pooled connections that turned out dead on first use and were replaced by a fresh one.
  std::uint64_t stale_retries = 0;
  /// Attempts repeated under the RetryPolicy.
  std::uint64_t retries = 0;
  /// Of those, attempts that continued a line download with a Range header (`resume_lines`).
  std::uint64_t line_resumes = 0;
};

/// Stats of `client` when it came from make_http_client; zeros otherwise.
HttpClientStats http_client_stats(const HttpClient& client);

}  // namespace pipehost::net
