// Services the host lends every plugin: HTTP(S), secrets, logging, progress, cancellable sleep,
// scratch space. Plugins never bring their own HTTP stack, logger or secret store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/status.hpp"

namespace pipehost {

/// One HTTP header. Names compare case-insensitively.
struct HttpHeader {
  std::string name;
  std::string value;
};

/// How the host retries a request on its own: transport errors and HTTP 408, 429, 500, 502, 503,
/// 504, with exponential backoff and jitter, honouring Retry-After. A request with a streamed
/// response (to a file or line callback) is retried only if no body byte was delivered yet (or, with
/// `resume_lines`, from the first byte not delivered). The host owns retries: a plugin sets a policy
/// here and does not loop on top of it. Leave it at 1 attempt for a call that must not happen twice
/// (creating a batch job): the host's engine looks for the job before creating it again.
struct RetryPolicy {
  /// Total attempts, including the first; 1 = no retry.
  int max_attempts = 1;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  /// Give up when the next wait would end later than this after the first attempt.
  std::chrono::milliseconds max_total{std::chrono::minutes(10)};
};

/// One part of a multipart/form-data body (e.g. a file upload: name "file", a filename, and the
/// file's content streamed from `body_file`).
struct MultipartPart {
  std::string name;
  /// Set for a file part.
  std::string filename;
  std::string content_type;
  /// The part's content: in memory, or streamed from a file (never read whole into memory).
  std::string body;
  std::string body_file;
};

/// An HTTP/1.1 request. The body comes from exactly one of: `body`, `body_file`, `body_producer`,
/// `multipart`.
struct HttpRequest {
  std::string method = "GET";
  /// Absolute URL, http:// or https://. Never put secrets in it (use headers).
  std::string url;
  std::vector<HttpHeader> headers;

  /// In-memory body.
  std::string body;
  /// Stream the body from this file, starting at `body_file_offset`, for `body_file_length` bytes
  /// (to end of file when unset). The file is never read whole into memory.
  std::string body_file;
  std::uint64_t body_file_offset = 0;
  std::optional<std::uint64_t> body_file_length;
  /// Stream the body from a producer: each call appends the next chunk to `chunk`; an empty chunk ends
  /// the body. Sent with the length in `body_producer_length` when set, chunked otherwise.
  std::function<Status(std::string& chunk)> body_producer;
  std::optional<std::uint64_t> body_producer_length;
  /// A multipart/form-data body; the host picks the boundary and sets Content-Type and the length.
  std::vector<MultipartPart> multipart;

  /// Stream the response body into this file (created or truncated) instead of `HttpResponse::body`.
  std::string response_file;
  /// Stream the response body line by line (without the '\n'; a final line without '\n' is delivered
  /// too). A non-ok return stops the transfer and becomes the result of `send`.
  std::function<Status(std::string_view line)> on_response_line;
  /// With `on_response_line`: when the connection breaks in the middle of the body, ask again with a
  /// Range header from the first byte not delivered yet, so every line arrives once (the server must
  /// support ranges; the retry policy bounds the attempts).
  bool resume_lines = false;
  /// Only stream (to file / lines) when the status is 2xx; otherwise the body lands in `body`.
  /// Defaults to true so error bodies stay readable.
  bool stream_only_success = true;

  std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
  /// Longest silence allowed while reading or writing.
  std::chrono::milliseconds io_timeout{std::chrono::seconds(120)};
  /// Redirects followed (same method for 307/308; GET for 301/302/303).
  int max_redirects = 5;
  RetryPolicy retry;
};

/// An HTTP response. Any status code is a successful `send`; the caller interprets it.
struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  /// The body, unless it was streamed to a file or line callback.
  std::string body;
  /// Body bytes received (streamed or not).
  std::uint64_t body_bytes = 0;

  /// The first header with this name (case-insensitive), or empty.
  inline std::string header(std::string_view name) const;
};

/// The usual meaning of an HTTP status for a call named `what`: 2xx ok; 408, 429 and 5xx retry (with
/// the Retry-After hint); 401 and 403 fatal ("check the key"); other 4xx fatal. The message carries
/// the start of the response body, which is where services explain themselves.
inline Status status_of(const HttpResponse& response, std::string_view what);

/// Settings of one HTTP client (one per plugin instance is typical).
struct HttpClientOptions {
  /// PEM file of extra trusted CAs (e.g. the emulator's self-signed certificate). Empty: system store only.
  std::string ca_file;
  /// Turns certificate verification off. The host logs a loud warning; never the default.
  bool insecure_skip_verify = false;
  /// Connections kept alive per host.
  std::uint32_t max_idle_per_host = 4;
};

/// HTTP/1.1 + TLS client: verification on, SNI, keep-alive pooling, timeouts, redirects, streaming.
/// Thread-safe: several threads may call `send` at once.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Sends `request`. Transport failures return retry (connection refused/reset, timeout) or fatal
  /// (bad URL, certificate rejected); HTTP error codes are not failures here. Messages never contain
  /// secret values.
  virtual Status send(const HttpRequest& request, HttpResponse& response) noexcept = 0;
};

/// Severity of a log line sent through HostServices::log.
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };

/// What the host offers a plugin. The host owns it and outlives every stage object.
class HostServices {
 public:
  /// A client with these options, or null (with the reason in `status`) when, e.g., `ca_file` is unreadable.
  virtual std::shared_ptr<HttpClient> http(const HttpClientOptions& options, Status& status) noexcept = 0;
  /// Reads the environment variable `env_name`. Fatal when unset or empty. The value is registered
  /// as a secret: the host redacts it from every log line and error message it handles.
  virtual Status secret(std::string_view env_name, std::string& value) noexcept = 0;
  /// Logs through the host's logger (prefixed with the plugin's name).
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;
  /// Adds `delta` to a named progress counter shown on the progress line and in the summary,
  /// e.g. "bytes_uploaded", "bytes_downloaded".
  virtual void progress(std::string_view counter, std::int64_t delta) noexcept = 0;
  /// Sleeps; returns false early when the run is cancelled (Ctrl-C).
  virtual bool sleep_for(std::chrono::milliseconds duration) noexcept = 0;
  /// True once the run is being cancelled; long loops should check it and stop.
  virtual bool cancelled() const noexcept = 0;
  /// A directory private to this plugin instance inside the run's state dir, for temporary files
  /// (e.g. a JSONL file to upload) and for files that must survive a crash (e.g. a journal of
  /// events not yet delivered). It exists when this is called. The host never empties it: the
  /// plugin removes its own files, including what a killed process left (only one pipehost uses a
  /// state dir at a time, so at start() nothing in it belongs to a live process).
  virtual std::string scratch_dir() const = 0;
  /// The run's state directory (ledger, summaries). Plugins may keep small durable files here.
  virtual std::string state_dir() const = 0;

 protected:
  ~HostServices() = default;
};

}  // namespace pipehost

#include "pipehost/detail/http_impl.hpp"
