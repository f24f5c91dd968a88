#include "anthropic_api.hpp"

#include <algorithm>

namespace pipehost::anthropic {

namespace {

bool success(int status) {
  return status >= 200 && status < 300;
}

}  // namespace

bool is_safe_batch_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

Status api_status(const HttpResponse& response, const std::string& what) {
  Status status = status_of(response, what);
  if (status.is_ok()) return status;
  std::string message = what + ": HTTP " + std::to_string(response.status);
  if (!response.body.empty()) message += ": " + error_text(response.body);
  if (response.status == 401 || response.status == 403) message += " (check the API key)";
  if (status.is_retry()) return Status::retry(std::move(message), status.retry_after_ms());
  return Status::fatal(std::move(message));
}

AnthropicApi::AnthropicApi(const AnthropicConfig& config, HostServices& host,
                           std::shared_ptr<HttpClient> http, std::shared_ptr<HttpClient> create_http,
                           std::string api_key)
    : config_(config),
      host_(host),
      http_(std::move(http)),
      create_http_(std::move(create_http)),
      api_key_(std::move(api_key)) {}

std::string AnthropicApi::origin() const {
  auto scheme = config_.base_url.find("://");
  auto path = config_.base_url.find('/', scheme + 3);
  return config_.base_url.substr(0, path);
}

HttpRequest AnthropicApi::make_request(std::string method, std::string url) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + api_key_},
                     {"anthropic-version", kAnthropicVersion},
                     {"Accept", "application/json"},
                     {"Content-Type", "application/json"}};
  request.connect_timeout = milliseconds_of(config_.connect_timeout_s);
  request.io_timeout = milliseconds_of(config_.io_timeout_s);
  return request;
}

RetryPolicy AnthropicApi::repeatable() const {
  RetryPolicy policy;
  policy.max_attempts = static_cast<int>(config_.http_attempts);
  policy.initial_backoff = milliseconds_of(config_.retry_backoff_s);
  policy.max_backoff = std::chrono::milliseconds(30000);
  policy.max_total = std::chrono::minutes(10);
  return policy;
}

Status AnthropicApi::send_repeatable(HttpRequest request, HttpResponse& response, const std::string& what) {
  request.retry = repeatable();
  Status sent = http_->send(request, response);
  if (!sent.is_ok()) return sent.with_context(what);
  if (!success(response.status)) return api_status(response, what);
  return Status::ok();
}

Status AnthropicApi::create_batch(std::function<Status(std::string&)> producer, std::uint64_t length,
                                  BatchInfo& info) {
  HttpRequest request = make_request("POST", config_.base_url + "/v1/messages/batches");
  request.body_producer = std::move(producer);
  request.body_producer_length = length;
  request.retry.max_attempts = 1;  // never repeated: see the header
  HttpResponse response;
  Status sent = create_http_->send(request, response);
  const std::string what = "creating a message batch";
  if (!sent.is_ok()) {
    // The request may have reached the service: a retry status, so the host looks before creating.
    return sent.is_fatal() ? sent.with_context(what) : Status::retry(what + ": " + sent.message());
  }
  host_.progress("bytes_uploaded", static_cast<std::int64_t>(length));
  if (!success(response.status)) return api_status(response, what);
  Status decoded = decode_batch(response.body, info);
  if (!decoded.is_ok()) return Status::retry(what + ": " + decoded.message());
  if (!is_safe_batch_id(info.id)) return Status::fatal(what + ": unexpected batch id '" + info.id + "'");
  return Status::ok();
}

Status AnthropicApi::get_batch(const std::string& id, BatchInfo& info) {
  if (!is_safe_batch_id(id)) return Status::fatal("'" + id + "' is not a message batch id");
  HttpResponse response;
  const std::string what = "retrieving message batch " + id;
  Status got =
      send_repeatable(make_request("GET", config_.base_url + "/v1/messages/batches/" + id), response, what);
  if (!got.is_ok()) return got;
  Status decoded = decode_batch(response.body, info);
  return decoded.is_ok() ? decoded : Status::retry(what + ": " + decoded.message());
}

Status AnthropicApi::list_batches(const std::function<bool(const BatchInfo&)>& visit, std::size_t page_size) {
  std::string after;
  for (int page = 0; page < 100000; ++page) {
    std::string url = config_.base_url + "/v1/messages/batches?limit=" + std::to_string(page_size);
    if (!after.empty()) url += "&after_id=" + after;
    HttpResponse response;
    Status listed = send_repeatable(make_request("GET", url), response, "listing message batches");
    if (!listed.is_ok()) return listed;
    std::vector<BatchInfo> batches;
    bool has_more = false;
    std::string last_id;
    Status decoded = decode_batch_page(response.body, batches, has_more, last_id);
    if (!decoded.is_ok()) return Status::retry("listing message batches: " + decoded.message());
    for (const auto& batch : batches)
      if (!visit(batch)) return Status::ok();
    // Paging on as the official client does: after_id = the page's last_id, while has_more.
    if (!has_more || last_id.empty() || last_id == after) return Status::ok();
    if (!is_safe_batch_id(last_id)) return Status::fatal("listing message batches: unexpected last_id");
    after = last_id;
  }
  return Status::ok();
}

Status AnthropicApi::cancel_batch(const std::string& id) {
  if (!is_safe_batch_id(id)) return Status::fatal("'" + id + "' is not a message batch id");
  HttpResponse response;
  // Cancelling twice is harmless, so the call may be repeated.
  return send_repeatable(make_request("POST", config_.base_url + "/v1/messages/batches/" + id + "/cancel"),
                         response, "cancelling message batch " + id);
}

std::string AnthropicApi::results_url_of(const BatchInfo& info) const {
  if (info.results_url.empty()) return config_.base_url + "/v1/messages/batches/" + info.id + "/results";
  std::string mine = origin();
  if (info.results_url.starts_with(mine + "/")) return info.results_url;
  auto scheme = info.results_url.find("://");
  auto path = scheme == std::string::npos ? std::string::npos : info.results_url.find('/', scheme + 3);
  if (path == std::string::npos) return config_.base_url + "/v1/messages/batches/" + info.id + "/results";
  return mine + info.results_url.substr(path);
}

Status AnthropicApi::results_lines(const BatchInfo& info,
                                   const std::function<Status(std::string_view)>& on_line) {
  HttpRequest request = make_request("GET", results_url_of(info));
  request.headers[2].value = "application/binary";  // Accept, as the official client asks for results
  request.retry = repeatable();
  request.on_response_line = on_line;
  request.resume_lines = true;
  HttpResponse response;
  Status sent = http_->send(request, response);
  host_.progress("bytes_downloaded", static_cast<std::int64_t>(response.body_bytes));
  const std::string what = "downloading the results of " + info.id;
  if (!sent.is_ok()) return sent.with_context(what);
  if (!success(response.status)) return api_status(response, what);
  return Status::ok();
}

Status AnthropicApi::create_message(const std::string& body, HttpResponse& response) {
  HttpRequest request = make_request("POST", config_.base_url + "/v1/messages");
  request.body = body;
  request.retry = repeatable();
  Status sent = http_->send(request, response);
  return sent.is_ok() ? sent : sent.with_context("creating a message");
}

}  // namespace pipehost::anthropic
