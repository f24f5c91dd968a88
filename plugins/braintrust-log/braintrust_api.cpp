#include "braintrust_api.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace pipehost::braintrust {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxMessageChars = 300;

bool is_unavailable_status(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/// The error text inside a BrainTrust error body ({"error":{"message":..}}, {"error":"..."},
/// {"message":..}) or the body itself when it is not JSON.
std::string error_text(const std::string& body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const json::object& object = parsed.get_object();
    if (const json::value* error = object.if_contains("error")) {
      if (error->is_string()) return std::string(error->get_string());
      if (const json::object* inner = error->if_object()) {
        if (const json::value* message = inner->if_contains("message"); message && message->is_string())
          return std::string(message->get_string());
      }
    }
    if (const json::value* message = object.if_contains("message"); message && message->is_string())
      return std::string(message->get_string());
  }
  return body;
}

}  // namespace

BraintrustApi::BraintrustApi(std::shared_ptr<HttpClient> http, Endpoints endpoints, std::string api_key,
                             std::string api_key_env)
    : http_(std::move(http)),
      endpoints_(std::move(endpoints)),
      api_key_(std::move(api_key)),
      api_key_env_(std::move(api_key_env)) {}

std::string BraintrustApi::redact(std::string text) const {
  if (api_key_.empty()) return text;
  for (auto at = text.find(api_key_); at != std::string::npos; at = text.find(api_key_, at)) {
    text.replace(at, api_key_.size(), "[REDACTED]");
  }
  return text;
}

HttpRequest BraintrustApi::request(std::string method, std::string url, std::string body,
                                   const RetryPolicy& retry) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + api_key_}, {"Accept", "application/json"}};
  if (request.method != "GET") request.headers.push_back({"Content-Type", "application/json"});
  request.body = std::move(body);
  request.connect_timeout = endpoints_.connect_timeout;
  request.io_timeout = endpoints_.io_timeout;
  request.retry = retry;
  return request;
}

std::string BraintrustApi::describe(const HttpResponse& response) const {
  std::string text = error_text(response.body);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > kMaxMessageChars) text = text.substr(0, kMaxMessageChars) + "...";
  return redact("HTTP " + std::to_string(response.status) + (text.empty() ? "" : ": " + text));
}

Status BraintrustApi::resolve_project(const std::string& name, const std::string& id,
                                      const RetryPolicy& retry, Project& project) {
  HttpResponse response;
  HttpRequest call = id.empty()
                         ? request("POST", endpoints_.api_url + "/v1/project",
                                   json::serialize(json::object{{"name", name}}), retry)
                         : request("GET", endpoints_.api_url + "/v1/project/" + url_encode(id), "", retry);
  std::string what =
      id.empty() ? "resolving BrainTrust project \"" + name + "\"" : "looking up BrainTrust project id " + id;
  Status sent = http_->send(call, response);
  // An unreachable or failing service may be back later (retry); a refusal will not change (fatal).
  if (!sent) {
    std::string message = redact(what + ": cannot reach " + endpoints_.api_url + ": " + sent.message());
    return sent.is_retry() ? Status::retry(message) : Status::fatal(message);
  }
  if (is_unavailable_status(response.status))
    return Status::retry(what + ": " + endpoints_.api_url + " is unavailable (" + describe(response) + ")");
  if (response.status == 401 || response.status == 403) {
    return Status::fatal(what + ": BrainTrust refused the API key from " + api_key_env_ + " (" +
                         describe(response) + ")");
  }
  if (response.status == 404 && !id.empty()) {
    return Status::fatal(what + ": no such project (" + describe(response) + ")");
  }
  if (response.status < 200 || response.status >= 300) return Status::fatal(what + ": " + describe(response));
  boost::system::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* project_id = object ? object->if_contains("id") : nullptr;
  if (!project_id || !project_id->is_string() || project_id->get_string().empty()) {
    return Status::fatal(what + ": unexpected answer from " + endpoints_.api_url + " (no project id in it)");
  }
  project.id = std::string(project_id->get_string());
  const json::value* project_name = object->if_contains("name");
  project.name = project_name && project_name->is_string() ? std::string(project_name->get_string()) : name;
  const json::value* org_id = object->if_contains("org_id");
  project.org_id = org_id && org_id->is_string() ? std::string(org_id->get_string()) : "";
  if (object->if_contains("deleted_at") && !object->at("deleted_at").is_null()) {
    return Status::fatal(what + ": the project was deleted");
  }
  return Status::ok();
}

InsertResult BraintrustApi::insert(const std::string& project_id, const std::vector<std::string_view>& events,
                                   const RetryPolicy& retry) {
  InsertResult result;
  HttpResponse response;
  Status sent = http_->send(
      request("POST", endpoints_.api_url + "/v1/project_logs/" + url_encode(project_id) + "/insert",
              insert_body(events), retry),
      response);
  if (!sent) {
    result.kind = InsertResult::Kind::failed;
    result.unavailable = true;
    result.message = redact(sent.message());
    return result;
  }
  result.http_status = response.status;
  if (response.status >= 200 && response.status < 300) {
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body, ec);
    const json::object* object = ec ? nullptr : parsed.if_object();
    const json::value* row_ids = object ? object->if_contains("row_ids") : nullptr;
    if (row_ids && row_ids->is_array() && row_ids->get_array().size() == events.size()) {
      result.kind = InsertResult::Kind::delivered;
      return result;
    }
    result.kind = InsertResult::Kind::failed;
    result.message = "unexpected answer to an insert of " + std::to_string(events.size()) +
                     " events (expected one row id per event): " + describe(response);
    return result;
  }
  result.unavailable = is_unavailable_status(response.status);
  result.kind = (response.status >= 400 && response.status < 500 && !result.unavailable)
                    ? InsertResult::Kind::rejected
                    : InsertResult::Kind::failed;
  result.message = describe(response);
  return result;
}

std::string BraintrustApi::logs_link(const Project& project) {
  RetryPolicy once;
  once.max_attempts = 1;
  HttpRequest login = request("POST", endpoints_.app_url + "/api/apikey/login", "", once);
  login.headers = {{"Authorization", "Bearer " + api_key_}, {"Accept", "*/*"}};
  login.connect_timeout = std::min(endpoints_.connect_timeout, std::chrono::milliseconds(5000));
  login.io_timeout = std::min(endpoints_.io_timeout, std::chrono::milliseconds(10000));
  HttpResponse response;
  if (!http_->send(login, response) || response.status != 200) return {};
  boost::system::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* orgs = object ? object->if_contains("org_info") : nullptr;
  if (!orgs || !orgs->is_array()) return {};
  const json::object* chosen = nullptr;
  for (const auto& org : orgs->get_array()) {
    const json::object* candidate = org.if_object();
    if (!candidate) continue;
    const json::value* org_id = candidate->if_contains("id");
    bool same = org_id && org_id->is_string() && org_id->get_string() == project.org_id;
    if (!chosen || same) chosen = candidate;
    if (same) break;
  }
  const json::value* org_name = chosen ? chosen->if_contains("name") : nullptr;
  if (!org_name || !org_name->is_string()) return {};
  return endpoints_.app_url + "/app/" + url_encode(org_name->get_string()) + "/p/" +
         url_encode(project.name) + "/logs";
}

std::size_t insert_body_size(std::size_t count, std::size_t event_bytes) {
  static constexpr std::size_t kFrame = sizeof(R"({"events":[]})") - 1;
  return kFrame + event_bytes + (count > 0 ? count - 1 : 0);
}

std::string insert_body(const std::vector<std::string_view>& events) {
  std::size_t bytes = 0;
  for (auto event : events) bytes += event.size();
  std::string body;
  body.reserve(insert_body_size(events.size(), bytes));
  body += R"({"events":[)";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i) body.push_back(',');
    body.append(events[i]);
  }
  body += "]}";
  return body;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace pipehost::braintrust
