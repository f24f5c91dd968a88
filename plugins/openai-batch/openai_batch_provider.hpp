// OpenAIBatchProvider: the OpenAI API as a pipehost Provider.
//
// Batch mode: requests → one JSONL file per job in the scratch dir (written once) → multipart upload
// (purpose=batch) → POST /batches with metadata.name = the host's display name → poll → the output and
// error files, line by line → one Response per custom_id (= row key). A create whose answer was lost is
// found again by listing batches and matching metadata.name (JobLookup::by_name), never created twice.
// Online mode: one POST /chat/completions (or /responses) per request, from several host threads.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config.hpp"
#include "openai_api.hpp"
#include "pipehost/sdk.hpp"
#include "request_encoder.hpp"

namespace pipehost::openai {

class OpenAIBatchProvider final : public Provider {
 public:
  /// Checks the config only (no network, no secrets); throws std::invalid_argument on a bad one.
  OpenAIBatchProvider(const StageContext& context, OpenAIConfig config);

  Status capabilities(ProviderCapabilities& capabilities) override;
  /// The configured model and its list prices (pricing.hpp).
  Status model(ModelInfo& info) override;
  /// Reads the API key (missing = fatal, before anything is sent) and makes the HTTP client.
  Status start() override;
  /// The exact bytes of the request's JSONL line.
  Status encoded_size(const Request& request, std::uint64_t& bytes) override;

  Status submit(const std::string& display_name, const std::vector<Request>& requests,
                std::string& handle) override;
  Status poll(const std::string& handle, JobStatus& status) override;
  Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) override;
  Status cancel(const std::string& handle) override;
  Status find(const std::string& display_name, std::string& handle) override;
  Status call(const Request& request, Response& response) override;

  const OpenAIConfig& config() const { return config_; }

 private:
  /// A job's input on its way to a created batch: the JSONL written once, then the uploaded file,
  /// kept for a create that is tried again (after a 429) so nothing is written or uploaded twice.
  struct Input {
    std::string path;
    std::string file_id;
    std::size_t count = 0;
    std::string first_key;
    std::string last_key;
  };

  Status require_started() const;
  Status prepare_input(const std::string& display_name, const std::vector<Request>& requests, Input& input);
  Status write_input(const std::vector<Request>& requests, const std::string& path, std::uint64_t& bytes);
  void forget_input(const std::string& display_name);
  void remove_leftover_request_files();
  void warn_ignored_settings(const Request& request);
  std::string scratch_path(const std::string& display_name) const;

  HostServices& host_;
  OpenAIConfig config_;
  RequestEncoder encoder_;
  std::unique_ptr<OpenAIApi> api_;
  std::mutex mutex_;
  std::map<std::string, Input> inputs_;
  std::atomic<bool> warned_ignored_{false};
};

}  // namespace pipehost::openai
