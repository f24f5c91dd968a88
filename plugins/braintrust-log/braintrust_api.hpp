// The BrainTrust REST calls the logger makes, over the host's HTTP client (wire facts:
// shared/research/braintrust-api.md): project get-or-create by name (POST /v1/project), project look-up
// by id (GET /v1/project/{id}), event insert (POST /v1/project_logs/{id}/insert), and a best-effort
// login at the app URL for the link to the project's logs. The API key travels only in the
// Authorization header and is cut out of every message this class writes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/host_services.hpp"

namespace pipehost::braintrust {

struct Project {
  std::string id;
  std::string name;
  std::string org_id;
};

/// What became of one insert request.
struct InsertResult {
  enum class Kind {
    delivered,  ///< 2xx with one row id per event.
    rejected,   ///< The service refused the request itself (4xx other than 408/429): the events, not the
                ///< moment, are the problem; sending a subset may work.
    failed,     ///< Anything else: retries ran out (429, 5xx, network) or the answer made no sense.
  };
  Kind kind = Kind::failed;
  /// True when the failure looks like the service being unavailable (network, 408, 429, 5xx).
  bool unavailable = false;
  int http_status = 0;
  std::string message;
};

class BraintrustApi {
 public:
  struct Endpoints {
    std::string api_url;
    std::string app_url;
    std::chrono::milliseconds connect_timeout{15000};
    std::chrono::milliseconds io_timeout{60000};
  };

  BraintrustApi(std::shared_ptr<HttpClient> http, Endpoints endpoints, std::string api_key,
                std::string api_key_env);

  /// With a name: get-or-create (POST /v1/project). With an id: looks it up (GET /v1/project/{id}); an
  /// unknown id is a fatal error. A refused key or an odd answer are fatal too; a service that cannot
  /// be reached or answers 408, 429 or 5xx (after the retries) is a retry. Messages say which.
  Status resolve_project(const std::string& name, const std::string& id, const RetryPolicy& retry,
                         Project& project);

  /// POST /v1/project_logs/{project_id}/insert with {"events":[...]} (each element one event's JSON).
  InsertResult insert(const std::string& project_id, const std::vector<std::string_view>& events,
                      const RetryPolicy& retry);

  /// "{app_url}/app/{org}/p/{project}/logs", using the org name from POST {app_url}/api/apikey/login
  /// (one attempt, short timeouts); empty when that fails.
  std::string logs_link(const Project& project);

  /// `text` with the API key replaced by "[REDACTED]".
  std::string redact(std::string text) const;

 private:
  HttpRequest request(std::string method, std::string url, std::string body, const RetryPolicy& retry) const;
  /// "HTTP 503: <message from the body>", redacted and shortened.
  std::string describe(const HttpResponse& response) const;

  std::shared_ptr<HttpClient> http_;
  Endpoints endpoints_;
  std::string api_key_;
  std::string api_key_env_;
};

/// Size of the insert body for `count` events whose JSON texts add up to `event_bytes`.
std::size_t insert_body_size(std::size_t count, std::size_t event_bytes);
/// The insert body {"events":[e1,e2,...]}.
std::string insert_body(const std::vector<std::string_view>& events);
/// Percent-encodes everything but RFC 3986 unreserved characters (for a URL path segment).
std::string url_encode(std::string_view text);

}  // namespace pipehost::braintrust
