// GeminiBatchProvider: the Gemini API as a pipehost Provider.
//
// Batch mode: requests → JSONL in the scratch dir (streaming) → resumable upload → batchGenerateContent
// with the host's display name → poll → stream the responses file line by line → Response per key.
// Online mode: one generateContent call per request, safe from several threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "config.hpp"
#include "gemini_api.hpp"
#include "pipehost/sdk.hpp"
#include "request_encoder.hpp"

namespace pipehost::gemini {

class GeminiBatchProvider final : public Provider {
 public:
  /// Checks the config (check_config) only: no network, no secrets. Throws std::invalid_argument on a
  /// bad one.
  GeminiBatchProvider(const StageContext& context, GeminiConfig config);

  Status capabilities(ProviderCapabilities& capabilities) override;
  /// The configured model, its list prices and Google Search grounding's fee (pricing.hpp).
  Status model(ModelInfo& info) override;
  /// Reads the API key (missing key = fatal, before anything is sent) and makes the HTTP client.
  Status start() override;
  Status encoded_size(const Request& request, std::uint64_t& bytes) override;

  Status submit(const std::string& display_name, const std::vector<Request>& requests,
                std::string& handle) override;
  Status poll(const std::string& handle, JobStatus& status) override;
  Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) override;
  Status cancel(const std::string& handle) override;
  Status find(const std::string& display_name, std::string& handle) override;
  Status call(const Request& request, Response& response) override;

  const GeminiConfig& config() const { return config_; }

 private:
  /// An input file uploaded for a job whose create has not succeeded yet (reused on the retry).
  struct UploadedInput {
    std::string file_name;
    std::size_t count = 0;
    std::string first_key;
    std::string last_key;
  };

  Status require_started() const;
  /// Deletes request files a killed process left in the scratch dir.
  void remove_leftover_request_files();
  Status upload_input(const std::string& display_name, const std::vector<Request>& requests,
                      std::string& file_name);
  std::string scratch_path(const std::string& display_name) const;

  HostServices& host_;
  GeminiConfig config_;
  RequestEncoder encoder_;
  std::unique_ptr<GeminiApi> api_;
  std::mutex mutex_;
  std::map<std::string, UploadedInput> uploaded_;
  /// Display names whose create failed in a way that may still have created the batch.
  std::set<std::string> ambiguous_creates_;
};

}  // namespace pipehost::gemini
