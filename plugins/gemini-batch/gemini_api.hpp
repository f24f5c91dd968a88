// The Gemini REST calls the provider needs, over the host's HTTP client: resumable Files upload,
// batch create / get / list / cancel, file download line by line, file delete, generateContent.
// The API key travels in the x-goog-api-key header only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "pipehost/sdk.hpp"
#include "response_decoder.hpp"

namespace pipehost::gemini {

class GeminiApi {
 public:
  GeminiApi(const GeminiConfig& config, HostServices& host, std::shared_ptr<HttpClient> http,
            std::string api_key);

  /// Uploads `path` with the resumable protocol. After a broken connection or a 5xx it asks the server
  /// how many bytes arrived and continues from there. Reports "bytes_uploaded". Sets `file_name`
  /// ("files/...").
  Status upload_file(const std::string& path, const std::string& display_name, std::string& file_name);

  /// Creates a batch reading `file_name`. Not retried here (creation is not idempotent): the caller
  /// decides, with `ambiguous` set when the batch may have been created despite the error.
  Status create_batch(const std::string& display_name, const std::string& file_name, BatchInfo& info,
                      bool& ambiguous);
  Status get_batch(const std::string& name, BatchInfo& info, std::string* body = nullptr);
  /// Visits every batch, page by page, until `visit` returns false.
  Status list_batches(const std::function<bool(const BatchInfo&)>& visit);
  Status cancel_batch(const std::string& name);
  Status delete_file(const std::string& name);
  /// Streams a file's content line by line. A broken transfer is resumed where it broke (Range
  /// request, verified), so no line is delivered twice. Reports "bytes_downloaded".
  Status download_lines(const std::string& file_name, const std::function<Status(std::string_view)>& on_line);
  /// POST models/{model}:generateContent with `body`; the HTTP status and body come back as they are.
  Status generate_content(const std::string& body, HttpResponse& response);

 private:
  HttpRequest make_request(std::string method, std::string url) const;
  RetryPolicy retrying() const;
  /// Sends a call that is safe to repeat, with the client's retries. A transport error or an
  /// unsuccessful HTTP status (other than `also_fine`, e.g. 404 for a delete) becomes a Status
  /// naming `what`.
  Status send_repeatable(HttpRequest request, HttpResponse& response, const std::string& what,
                         int also_fine = 0);
  std::string api_url(std::string_view path) const;
  std::string origin() const;
  Status upload_chunks(const std::string& path, std::uint64_t size, const std::string& upload_url,
                       std::uint64_t granularity, std::string& file_name);
  Status query_upload(const std::string& upload_url, std::uint64_t& received, std::string& final_body);

  const GeminiConfig& config_;
  HostServices& host_;
  std::shared_ptr<HttpClient> http_;
  std::string api_key_;
};

/// Rejects names that are not "batches/<id>" / "files/<id>" with URL-safe ids.
Status check_resource_name(std::string_view name, std::string_view collection);

}  // namespace pipehost::gemini
