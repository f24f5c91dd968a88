#include "gemini_api.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

#include <boost/json.hpp>

namespace pipehost::gemini {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

std::string quote(std::string_view text) {
  return json::serialize(json::string(text));
}

bool success(int status) {
  return status >= 200 && status < 300;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// The file name inside an upload's final answer {"file": File}.
Status file_name_from(std::string_view body, std::string& file_name) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (!ec && value.is_object()) {
    const json::object& object = value.get_object();
    const json::value* file = object.if_contains("file");
    const json::object& resource = file && file->is_object() ? file->get_object() : object;
    if (auto* name = resource.if_contains("name"); name && name->is_string()) {
      file_name = std::string(name->get_string());
      return check_resource_name(file_name, "files");
    }
  }
  return Status::retry("the upload finished but the answer names no file: " +
                       std::string(body.substr(0, 200)));
}

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

Status check_resource_name(std::string_view name, std::string_view collection) {
  std::string prefix = std::string(collection) + "/";
  if (!name.starts_with(prefix) || name.size() == prefix.size()) {
    return Status::fatal("'" + std::string(name) + "' is not a Gemini " + std::string(collection) +
                         "/<id> name");
  }
  for (char c : name.substr(prefix.size())) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return Status::fatal("'" + std::string(name) + "' is not a Gemini " + std::string(collection) +
                           "/<id> name");
    }
  }
  return Status::ok();
}

GeminiApi::GeminiApi(const GeminiConfig& config, HostServices& host, std::shared_ptr<HttpClient> http,
                     std::string api_key)
    : config_(config), host_(host), http_(std::move(http)), api_key_(std::move(api_key)) {}

std::string GeminiApi::api_url(std::string_view path) const {
  return config_.base_url + "/" + config_.api_version + "/" + std::string(path);
}

std::string GeminiApi::origin() const {
  auto scheme = config_.base_url.find("://");
  auto path = config_.base_url.find('/', scheme + 3);
  return config_.base_url.substr(0, path);
}

HttpRequest GeminiApi::make_request(std::string method, std::string url) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"x-goog-api-key", api_key_}, {"Content-Type", "application/json"}};
  request.connect_timeout = config_.connect_timeout();
  request.io_timeout = config_.io_timeout();
  return request;
}

RetryPolicy GeminiApi::retrying() const {
  RetryPolicy policy;
  policy.max_attempts = config_.http_attempts;
  policy.initial_backoff = config_.retry_backoff();
  policy.max_backoff = milliseconds(30000);
  policy.max_total = milliseconds(10 * 60 * 1000);
  return policy;
}

Status GeminiApi::send_repeatable(HttpRequest request, HttpResponse& response, const std::string& what,
                                  int also_fine) {
  request.retry = retrying();
  Status sent = http_->send(request, response);
  if (!sent.is_ok()) return sent.with_context(what);
  if (!success(response.status) && response.status != also_fine)
    return api_error(what, response.status, response.body, response.header("retry-after"));
  return Status::ok();
}

Status GeminiApi::upload_file(const std::string& path, const std::string& display_name,
                              std::string& file_name) {
  std::error_code ec;
  std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::fatal("cannot read " + path + ": " + ec.message());

  HttpRequest start = make_request("POST", config_.base_url + "/upload/" + config_.api_version + "/files");
  start.headers.push_back({"X-Goog-Upload-Protocol", "resumable"});
  start.headers.push_back({"X-Goog-Upload-Command", "start"});
  start.headers.push_back({"X-Goog-Upload-Header-Content-Length", std::to_string(size)});
  start.headers.push_back({"X-Goog-Upload-Header-Content-Type", "application/jsonl"});
  start.body = R"({"file":{"displayName":)" + quote(display_name) +
               R"(,"mimeType":"application/jsonl","sizeBytes":")" + std::to_string(size) + R"("}})";
  HttpResponse response;
  // Repeatable: a repeated start only opens another upload session.
  Status started = send_repeatable(std::move(start), response, "starting the upload of " + display_name);
  if (!started.is_ok()) return started;
  std::string upload_url = response.header("x-goog-upload-url");
  if (upload_url.empty())
    return Status::retry("starting the upload: the answer has no x-goog-upload-url header");
  // Like the official client: keep the path and query, but talk to the configured origin, so the key
  // is never sent anywhere else.
  auto scheme = upload_url.find("://");
  auto path_start = scheme == std::string::npos ? std::string::npos : upload_url.find('/', scheme + 3);
  if (path_start == std::string::npos) return Status::fatal("unexpected upload URL from the server");
  upload_url = origin() + upload_url.substr(path_start);
  std::uint64_t granularity = parse_u64(response.header("x-goog-upload-chunk-granularity")).value_or(1);
  host_.log(LogLevel::info, "uploading " + megabytes(size) + " for " + display_name);
  return upload_chunks(path, size, upload_url, std::max<std::uint64_t>(granularity, 1), file_name);
}

Status GeminiApi::query_upload(const std::string& upload_url, std::uint64_t& received,
                               std::string& final_body) {
  HttpRequest query = make_request("POST", upload_url);
  query.headers.push_back({"X-Goog-Upload-Command", "query"});
  HttpResponse response;
  Status asked = send_repeatable(std::move(query), response, "asking how much of the upload arrived");
  if (!asked.is_ok()) return asked;
  final_body.clear();
  if (lower(response.header("x-goog-upload-status")) == "final") final_body = response.body;
  auto size = parse_u64(response.header("x-goog-upload-size-received"));
  if (!size && final_body.empty()) {
    return Status::retry("the upload status answer has no x-goog-upload-size-received header");
  }
  received = size.value_or(0);
  return Status::ok();
}

Status GeminiApi::upload_chunks(const std::string& path, std::uint64_t size, const std::string& upload_url,
                                std::uint64_t granularity, std::string& file_name) {
  std::uint64_t chunk = std::max<std::uint64_t>(config_.upload_chunk_bytes() / granularity, 1) * granularity;
  std::uint64_t offset = 0;
  std::uint64_t reported = 0;  // bytes the server confirmed and we counted in "bytes_uploaded"
  auto report = [&](std::uint64_t confirmed) {
    if (confirmed > reported)
      host_.progress("bytes_uploaded", static_cast<std::int64_t>(confirmed - reported));
    reported = std::max(reported, confirmed);
  };
  int failures = 0;
  int resumes = 0;
  while (true) {
    std::uint64_t length = std::min(chunk, size - offset);
    bool last = offset + length == size;
    HttpRequest piece = make_request("POST", upload_url);
    piece.headers.push_back({"X-Goog-Upload-Command", last ? "upload, finalize" : "upload"});
    piece.headers.push_back({"X-Goog-Upload-Offset", std::to_string(offset)});
    piece.body_file = path;
    piece.body_file_offset = offset;
    piece.body_file_length = length;
    // No blind retry: after a failure the server may hold part of the chunk; we ask it instead.
    piece.retry.max_attempts = 1;
    HttpResponse response;
    Status sent = http_->send(piece, response);
    std::string problem;
    if (sent.is_ok() && success(response.status)) {
      std::string upload_status = lower(response.header("x-goog-upload-status"));
      if (last && upload_status == "final") {
        Status named = file_name_from(response.body, file_name);
        if (!named.is_ok()) return named;
        report(size);
        if (resumes > 0)
          host_.log(LogLevel::info, "upload complete after " + std::to_string(resumes) + " resume(s)");
        return Status::ok();
      }
      if (!last && upload_status == "active") {
        offset += length;
        report(offset);
        failures = 0;
        continue;
      }
      problem = "unexpected upload status '" + upload_status + "'";
    } else if (sent.is_ok()) {
      Status error = api_error("uploading", response.status, response.body, response.header("retry-after"));
      if (error.is_fatal()) return error;
      problem = error.message();
    } else if (sent.is_fatal()) {
      return sent.with_context("uploading");
    } else {
      problem = sent.message();
    }

    // Not a retry loop on top of the host's: the resumable upload protocol itself says to ask the
    // server how much arrived and to continue from there, which a blind repeat cannot do.
    if (++failures > config_.http_attempts) {
      return Status::retry("upload failed " + std::to_string(failures) + " times in a row at offset " +
                           std::to_string(offset) + ": " + problem);
    }
    host_.log(LogLevel::warn, "upload interrupted at byte " + std::to_string(offset) + " of " +
                                  std::to_string(size) + " (" + problem +
                                  "); resuming from what the server received");
    auto wait = std::min<milliseconds>(config_.retry_backoff() * (1LL << std::min(failures - 1, 6)),
                                       milliseconds(30000));
    if (!host_.sleep_for(wait)) return Status::retry("cancelled during the upload");
    std::uint64_t received = 0;
    std::string final_body;
    Status queried = query_upload(upload_url, received, final_body);
    if (!queried.is_ok()) return queried;
    if (!final_body.empty()) {  // the finalize went through; only its answer was lost
      Status named = file_name_from(final_body, file_name);
      if (!named.is_ok()) return named;
      report(size);
      return Status::ok();
    }
    if (received > size) return Status::fatal("the server reports more upload bytes than the file has");
    offset = received;
    report(received);
    ++resumes;
  }
}

Status GeminiApi::create_batch(const std::string& display_name, const std::string& file_name, BatchInfo& info,
                               bool& ambiguous) {
  ambiguous = false;
  HttpRequest request = make_request("POST", api_url("models/" + config_.model + ":batchGenerateContent"));
  request.body = R"({"batch":{"displayName":)" + quote(display_name) + R"(,"inputConfig":{"fileName":)" +
                 quote(file_name) + "}}}";
  request.retry.max_attempts = 1;
  HttpResponse response;
  Status sent = http_->send(request, response);
  std::string call = "creating batch " + display_name;
  if (!sent.is_ok()) {
    ambiguous = true;  // the request may have reached the server
    return sent.with_context(call);
  }
  if (!success(response.status)) {
    ambiguous = response.status >= 500;
    return api_error(call, response.status, response.body, response.header("retry-after"));
  }
  Status decoded = decode_batch(response.body, info);
  if (!decoded.is_ok()) {
    ambiguous = true;
    return Status::retry(call + ": " + decoded.message());
  }
  return check_resource_name(info.name, "batches");
}

Status GeminiApi::get_batch(const std::string& name, BatchInfo& info, std::string* body) {
  Status valid = check_resource_name(name, "batches");
  if (!valid.is_ok()) return valid;
  HttpResponse response;
  Status got = send_repeatable(make_request("GET", api_url(name)), response, "getting " + name);
  if (!got.is_ok()) return got;
  Status decoded = decode_batch(response.body, info);
  if (!decoded.is_ok()) return Status::retry("getting " + name + ": " + decoded.message());
  if (body) *body = std::move(response.body);
  return Status::ok();
}

Status GeminiApi::list_batches(const std::function<bool(const BatchInfo&)>& visit) {
  std::string token;
  std::set<std::string> seen_tokens;
  while (true) {
    std::string url = api_url("batches?pageSize=100");
    if (!token.empty()) url += "&pageToken=" + token;
    HttpResponse response;
    Status listed = send_repeatable(make_request("GET", url), response, "listing batches");
    if (!listed.is_ok()) return listed;
    std::vector<BatchInfo> page;
    Status decoded = decode_batch_list(response.body, page, token);
    if (!decoded.is_ok()) return Status::retry("listing batches: " + decoded.message());
    for (const auto& info : page) {
      if (!visit(info)) return Status::ok();
    }
    // An empty token ends the list; a repeated one would loop forever (a known pager pitfall).
    if (token.empty() || !seen_tokens.insert(token).second) return Status::ok();
    for (char c : token) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~')) {
        return Status::fatal("listing batches: unexpected page token from the server");
      }
    }
  }
}

Status GeminiApi::cancel_batch(const std::string& name) {
  Status valid = check_resource_name(name, "batches");
  if (!valid.is_ok()) return valid;
  HttpRequest request = make_request("POST", api_url(name + ":cancel"));
  request.body = "{}";
  HttpResponse response;
  return send_repeatable(std::move(request), response, "cancelling " + name);  // twice is harmless
}

Status GeminiApi::delete_file(const std::string& name) {
  Status valid = check_resource_name(name, "files");
  if (!valid.is_ok()) return valid;
  HttpResponse response;
  return send_repeatable(make_request("DELETE", api_url(name)), response, "deleting " + name,
                         /*also_fine=*/404);  // already gone
}

Status GeminiApi::download_lines(const std::string& file_name,
                                 const std::function<Status(std::string_view)>& on_line) {
  Status valid = check_resource_name(file_name, "files");
  if (!valid.is_ok()) return valid;
  HttpRequest request = make_request(
      "GET", config_.base_url + "/download/" + config_.api_version + "/" + file_name + ":download?alt=media");
  // The host retries and, after a broken connection, asks for the rest by Range (or skips what a
  // server ignoring Range sends again): every line reaches us once.
  request.retry = retrying();
  request.resume_lines = true;
  Status caller_status;  // a stop asked by the caller is returned as is
  request.on_response_line = [&](std::string_view line) {
    caller_status = on_line(line);
    return caller_status;
  };
  HttpResponse response;
  Status sent = http_->send(request, response);
  host_.progress("bytes_downloaded", static_cast<std::int64_t>(response.body_bytes));
  if (!caller_status.is_ok()) return caller_status;
  std::string call = "downloading " + file_name;
  if (!sent.is_ok()) return sent.with_context(call);
  if (!success(response.status))
    return api_error(call, response.status, response.body, response.header("retry-after"));
  return Status::ok();
}

Status GeminiApi::generate_content(const std::string& body, HttpResponse& response) {
  HttpRequest request = make_request("POST", api_url("models/" + config_.model + ":generateContent"));
  request.body = body;
  request.retry = retrying();
  Status sent = http_->send(request, response);
  if (!sent.is_ok()) return sent.with_context("generateContent");
  return Status::ok();
}

}  // namespace pipehost::gemini
