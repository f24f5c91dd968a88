// The Anthropic REST calls the provider makes, over the host's HTTP client: Message Batches create /
// retrieve / list / cancel / results, and Messages create. Headers as the official client 1.x sends
// them: `Authorization: Bearer <key>` and `anthropic-version: 2026-10-21` (the key never goes into a
// URL or a message; the host redacts the header in its logs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "pipehost/host_services.hpp"
#include "response_decoder.hpp"

namespace pipehost::anthropic {

/// The API version the official client 1.x (1.0.0 and later, checked on 1.14.0) sends.
inline constexpr const char* kAnthropicVersion = "2026-10-21";

class AnthropicApi {
 public:
  /// `http` serves every call but the batch create, which goes through `create_http` (a client that
  /// keeps no idle connections, so a create is never sent on a connection the server already closed).
  AnthropicApi(const AnthropicConfig& config, HostServices& host, std::shared_ptr<HttpClient> http,
               std::shared_ptr<HttpClient> create_http, std::string api_key);

  /// POST /v1/messages/batches, the body streamed from `producer` (`length` bytes). Sent once: a
  /// repeated create can create a second batch. A failure after the request may have arrived (a
  /// dropped connection, a 5xx, an answer that does not parse) is a retry status; the host then looks
  /// for the batch by listing before it creates it again.
  Status create_batch(std::function<Status(std::string&)> producer, std::uint64_t length, BatchInfo& info);
  Status get_batch(const std::string& id, BatchInfo& info);
  /// Visits the batches newest first, `page_size` (1-1000) per request, until `visit` returns false or
  /// the list ends.
  Status list_batches(const std::function<bool(const BatchInfo&)>& visit, std::size_t page_size = 100);
  Status cancel_batch(const std::string& id);
  /// Streams an ended batch's results line by line; a broken download resumes where it broke (every
  /// line once). Reports "bytes_downloaded".
  Status results_lines(const BatchInfo& info, const std::function<Status(std::string_view)>& on_line);
  /// POST /v1/messages with `body`; the HTTP answer comes back as it is (the caller reads the status).
  Status create_message(const std::string& body, HttpResponse& response);

  /// The URL `results_url` is fetched from: as given when it is on the configured origin, otherwise
  /// its path on the configured origin (the key is only ever sent there).
  std::string results_url_of(const BatchInfo& info) const;

 private:
  HttpRequest make_request(std::string method, std::string url) const;
  RetryPolicy repeatable() const;
  /// Sends a call that is safe to repeat, with the retry policy; a transport error or a non-2xx
  /// status becomes a Status naming `what`.
  Status send_repeatable(HttpRequest request, HttpResponse& response, const std::string& what);
  std::string origin() const;

  const AnthropicConfig& config_;
  HostServices& host_;
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<HttpClient> create_http_;
  std::string api_key_;
};

/// The status of an unsuccessful answer: as pipehost::status_of (429/5xx retry with Retry-After,
/// 401/403 fatal, other 4xx fatal), with the API's error type and message.
Status api_status(const HttpResponse& response, const std::string& what);

/// True when `id` is a batch id that may be put in a URL path.
bool is_safe_batch_id(std::string_view id);

}  // namespace pipehost::anthropic
