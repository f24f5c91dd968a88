// The OpenAI HTTP calls the provider makes, through the host's HTTP client. The key travels only in
// the Authorization header (never in a URL, a log line or a file). Calls that are safe to repeat
// (reads, the upload, online calls) carry a retry policy; the batch create never does.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "pipehost/host_services.hpp"
#include "response_decoder.hpp"

namespace pipehost::openai {

/// Fatal unless `id` looks like an OpenAI object id (letters, digits, '-', '_'): ids go into URLs.
Status check_id(std::string_view id, std::string_view what);

class OpenAIApi {
 public:
  OpenAIApi(const OpenAIConfig& config, HostServices& host, std::shared_ptr<HttpClient> http,
            std::string key);

  /// POST /files (multipart: purpose=batch, file streamed from `path` as `filename`).
  Status upload_file(const std::string& path, const std::string& filename, std::string& file_id);
  /// POST /batches with metadata.name = `name`; sent once. `ambiguous` is set when the batch may
  /// exist although the call failed (no answer, or a 5xx after the request went out).
  Status create_batch(const std::string& name, const std::string& file_id, BatchInfo& info, bool& ambiguous);
  Status get_batch(const std::string& id, BatchInfo& info);
  /// Every batch, newest first, page by page (`after` = the last id seen) while `visit` returns true.
  Status list_batches(const std::function<bool(const BatchInfo&)>& visit);
  Status cancel_batch(const std::string& id);
  Status delete_file(const std::string& id);
  /// GET /files/{id}/content, line by line; a broken transfer resumes where it stopped.
  Status download_lines(const std::string& file_id, const std::function<Status(std::string_view)>& on_line);
  /// POST of one online request body to the endpoint; any HTTP status is a successful send.
  Status post_online(const std::string& body, HttpResponse& response);

 private:
  HttpRequest make_request(std::string method, std::string path) const;
  RetryPolicy repeatable() const;
  Status send(HttpRequest request, HttpResponse& response, const std::string& what);

  const OpenAIConfig& config_;
  HostServices& host_;
  std::shared_ptr<HttpClient> http_;
  std::string key_;
};

}  // namespace pipehost::openai
