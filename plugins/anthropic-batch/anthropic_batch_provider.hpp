// AnthropicBatchProvider: the Anthropic Message Batches and Messages APIs as a pipehost Provider.
//
// Batch mode: the requests go inline in one POST /v1/messages/batches (no upload step), each as
// {custom_id, params}; poll processing_status; stream results_url line by line; cancel. A batch
// carries no name or metadata, so a create whose answer was lost (or a kill right after it) is found
// again by listing (JobLookup::by_listing, list_jobs): the host adopts an unclaimed batch of the same
// size created since it planned the job, and checks it by the row keys its results name.
// Online mode: one POST /v1/messages per request, safe from several threads.
#pragma once

#include <memory>
#include <string>

#include "anthropic_api.hpp"
#include "config.hpp"
#include "custom_id_book.hpp"
#include "pipehost/sdk.hpp"
#include "request_encoder.hpp"

namespace pipehost::anthropic {

/// The API's limits per batch: 100,000 requests or 256 MB.
inline constexpr std::uint64_t kMaxRequestsPerBatch = 100000;
/// 256 MB less the `{"requests":[` ... `]}` envelope and a margin.
inline constexpr std::uint64_t kMaxBytesPerBatch = 256'000'000 - 1024;

class AnthropicBatchProvider final : public Provider {
 public:
  /// Checks the config (no network, no secrets); throws std::invalid_argument on a bad one.
  AnthropicBatchProvider(const StageContext& context, AnthropicConfig config);

  Status capabilities(ProviderCapabilities& capabilities) override;
  Status model(ModelInfo& info) override;
  /// Reads the API key (missing = fatal before anything is sent), makes the HTTP clients, opens the
  /// record of hashed custom_ids.
  Status start() override;
  /// The exact bytes this request adds to a create body (its item and a comma).
  Status encoded_size(const Request& request, std::uint64_t& bytes) override;

  Status submit(const std::string& display_name, const std::vector<Request>& requests,
                std::string& handle) override;
  Status poll(const std::string& handle, JobStatus& status) override;
  /// Streams the results: succeeded → the answer; errored / expired → a ResponseError (retryable
  /// when sending it again may work); canceled → nothing (the host gives those rows back).
  Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) override;
  Status cancel(const std::string& handle) override;
  /// The batches created at or after `created_since`, newest first, with their request counts.
  Status list_jobs(double created_since, std::vector<JobSummary>& jobs) override;
  Status call(const Request& request, Response& response) override;

  const AnthropicConfig& config() const { return config_; }

 private:
  Status require_started() const;

  HostServices& host_;
  AnthropicConfig config_;
  RequestEncoder encoder_;
  CustomIdBook book_;
  std::unique_ptr<AnthropicApi> api_;
};

}  // namespace pipehost::anthropic
