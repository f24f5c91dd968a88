#include "openai_api.hpp"

#include <filesystem>
#include <set>

namespace pipehost::openai {

using std::chrono::milliseconds;

Status check_id(std::string_view id, std::string_view what) {
  bool valid = !id.empty() && id.size() <= 256;
  for (char c : id) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!valid)
    return Status::fatal("'" + std::string(id.substr(0, 80)) + "' is not an OpenAI " + std::string(what) +
                         " id");
  return Status::ok();
}

OpenAIApi::OpenAIApi(const OpenAIConfig& config, HostServices& host, std::shared_ptr<HttpClient> http,
                     std::string key)
    : config_(config), host_(host), http_(std::move(http)), key_(std::move(key)) {}

HttpRequest OpenAIApi::make_request(std::string method, std::string path) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = config_.base_url + path;
  request.headers = {{"Authorization", "Bearer " + key_}, {"Accept", "application/json"}};
  request.connect_timeout = config_.connect_timeout();
  request.io_timeout = config_.io_timeout();
  return request;
}

RetryPolicy OpenAIApi::repeatable() const {
  RetryPolicy policy;
  policy.max_attempts = config_.http_attempts;
  policy.initial_backoff = config_.retry_backoff();
  policy.max_backoff = milliseconds(30000);
  policy.max_total = milliseconds(10 * 60 * 1000);
  return policy;
}

Status OpenAIApi::send(HttpRequest request, HttpResponse& response, const std::string& what) {
  Status sent = http_->send(request, response);
  if (!sent) return sent.with_context(what);
  return status_of(response, what);
}

Status OpenAIApi::upload_file(const std::string& path, const std::string& filename, std::string& file_id) {
  HttpRequest request = make_request("POST", "/files");
  request.multipart = {{"purpose", "", "", "batch", ""}, {"file", filename, "application/jsonl", "", path}};
  // Repeated on failure: a second upload can at worst leave an unused file behind (files cost nothing
  // until a batch uses them, and batch input files expire after 30 days), while giving up would send
  // the whole job back through the engine's slower retry.
  request.retry = repeatable();
  HttpResponse response;
  Status sent = send(std::move(request), response, "uploading " + filename);
  if (!sent) return sent;
  std::error_code ignored;
  auto bytes = std::filesystem::file_size(path, ignored);
  if (!ignored) host_.progress("bytes_uploaded", static_cast<std::int64_t>(bytes));
  Value file;
  std::string error;
  if (!parse_json(response.body, file, error) || !file.is_object() || !file.find("id") ||
      !file.find("id")->is_string())
    return Status::retry("uploading " + filename +
                         ": the answer names no file: " + response.body.substr(0, 200));
  file_id = file.find("id")->as_string();
  return check_id(file_id, "file");
}

Status OpenAIApi::create_batch(const std::string& name, const std::string& file_id, BatchInfo& info,
                               bool& ambiguous) {
  ambiguous = false;
  HttpRequest request = make_request("POST", "/batches");
  request.headers.push_back({"Content-Type", "application/json"});
  std::string body = "{\"input_file_id\":";
  append_json_string(body, file_id);
  body += ",\"endpoint\":";
  append_json_string(body, config_.endpoint);
  body += ",\"completion_window\":\"24h\",\"metadata\":{\"name\":";
  append_json_string(body, name);
  body += "}}";
  request.body = std::move(body);
  // Never repeated here: a create whose answer was lost may have made the batch. The engine looks it up
  // by name (find) before it asks for another.
  request.retry.max_attempts = 1;
  HttpResponse response;
  std::string what = "creating batch " + name;
  Status sent = http_->send(request, response);
  if (!sent) {
    ambiguous = true;
    return sent.with_context(what);
  }
  if (Status status = status_of(response, what); !status) {
    ambiguous = response.status >= 500;
    return status;
  }
  Status decoded = decode_batch(response.body, info);
  if (!decoded) {
    ambiguous = true;
    return Status::retry(what + ": " + decoded.message());
  }
  return check_id(info.id, "batch");
}

Status OpenAIApi::get_batch(const std::string& id, BatchInfo& info) {
  if (Status valid = check_id(id, "batch"); !valid) return valid;
  HttpRequest request = make_request("GET", "/batches/" + id);
  request.retry = repeatable();
  HttpResponse response;
  if (Status got = send(std::move(request), response, "getting batch " + id); !got) return got;
  Status decoded = decode_batch(response.body, info);
  if (!decoded) return Status::retry("getting batch " + id + ": " + decoded.message());
  return Status::ok();
}

Status OpenAIApi::list_batches(const std::function<bool(const BatchInfo&)>& visit) {
  std::string after;
  std::set<std::string> seen;
  while (true) {
    HttpRequest request =
        make_request("GET", "/batches?limit=100" + (after.empty() ? "" : "&after=" + after));
    request.retry = repeatable();
    HttpResponse response;
    if (Status listed = send(std::move(request), response, "listing batches"); !listed) return listed;
    std::vector<BatchInfo> page;
    bool has_more = false;
    Status decoded = decode_batch_list(response.body, page, has_more);
    if (!decoded) return Status::retry("listing batches: " + decoded.message());
    for (const auto& info : page)
      if (!visit(info)) return Status::ok();
    // The official client pages by the id of the last item; a repeated id would loop forever.
    if (!has_more || page.empty()) return Status::ok();
    after = page.back().id;
    if (Status valid = check_id(after, "batch"); !valid) return valid.with_context("listing batches");
    if (!seen.insert(after).second) return Status::fatal("listing batches: the server repeats page " + after);
  }
}

Status OpenAIApi::cancel_batch(const std::string& id) {
  if (Status valid = check_id(id, "batch"); !valid) return valid;
  HttpRequest request = make_request("POST", "/batches/" + id + "/cancel");
  request.retry = repeatable();  // cancelling twice is harmless
  HttpResponse response;
  Status sent = http_->send(request, response);
  if (!sent) return sent.with_context("cancelling batch " + id);
  // A batch that already ended cannot be cancelled: nothing left to do.
  if (response.status == 400 && response.body.find("Cannot cancel") != std::string::npos) return Status::ok();
  return status_of(response, "cancelling batch " + id);
}

Status OpenAIApi::delete_file(const std::string& id) {
  if (Status valid = check_id(id, "file"); !valid) return valid;
  HttpRequest request = make_request("DELETE", "/files/" + id);
  request.retry = repeatable();
  HttpResponse response;
  Status sent = http_->send(request, response);
  if (!sent) return sent.with_context("deleting file " + id);
  if (response.status == 404) return Status::ok();  // already gone
  return status_of(response, "deleting file " + id);
}

Status OpenAIApi::download_lines(const std::string& file_id,
                                 const std::function<Status(std::string_view)>& on_line) {
  if (Status valid = check_id(file_id, "file"); !valid) return valid;
  HttpRequest request = make_request("GET", "/files/" + file_id + "/content");
  request.headers[1].value = "application/binary";  // what the official client asks for
  request.retry = repeatable();
  request.resume_lines = true;
  Status caller = Status::ok();
  request.on_response_line = [&](std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::ok();
    caller = on_line(line);
    return caller;
  };
  HttpResponse response;
  std::string what = "downloading file " + file_id;
  Status sent = http_->send(request, response);
  host_.progress("bytes_downloaded", static_cast<std::int64_t>(response.body_bytes));
  if (!caller) return caller;
  if (!sent) return sent.with_context(what);
  return status_of(response, what);
}

Status OpenAIApi::post_online(const std::string& body, HttpResponse& response) {
  HttpRequest request = make_request("POST", config_.endpoint_path());
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = body;
  request.retry = repeatable();
  Status sent = http_->send(request, response);
  if (!sent) return sent.with_context("POST " + config_.endpoint_path());
  return Status::ok();
}

}  // namespace pipehost::openai
