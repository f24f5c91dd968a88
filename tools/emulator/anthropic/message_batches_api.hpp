// The Message Batches routes: POST /v1/messages/batches (inline requests, validated here: 1 to
// 100,000 requests, custom_id ^[a-zA-Z0-9_-]{1,64}$ and unique, params an object; the body at
// most 256 MB), GET /v1/messages/batches/{id}, GET /v1/messages/batches (after_id / before_id /
// limit, newest first), POST .../{id}/cancel, DELETE .../{id} (only once ended) and
// GET .../{id}/results (the batch's results_url). Each batch runs on its own worker thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/anthropic/anthropic_stats.hpp"
#include "emulator/anthropic/batch_results.hpp"
#include "emulator/anthropic/message_batch.hpp"
#include "emulator/app/emulator_context.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::anthropic {

inline constexpr std::size_t kMaxBatchRequests = 100000;
inline constexpr std::size_t kMaxBatchBytes = 256u << 20;

class MessageBatchesApi {
 public:
  MessageBatchesApi(EmulatorContext& context, PromptCache& cache, AnthropicStats& stats);
  ~MessageBatchesApi();  // stops and joins the workers

  Response create(Request& request);
  Response get(const std::string& id);
  Response list(const Request& request);
  Response cancel(const std::string& id);
  Response remove(const std::string& id);
  Response results(const std::string& id);
  void shutdown();

 private:
  std::shared_ptr<MessageBatch> find(const std::string& id) const;

  EmulatorContext& context_;
  AnthropicStats& stats_;
  BatchRunner runner_;
  std::filesystem::path dir_;  // STATE/anthropic
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::string, std::shared_ptr<MessageBatch>> batches_;
  std::vector<std::string> order_;  // creation order
  std::vector<std::thread> workers_;
};

}  // namespace pipehost::emulator::anthropic
