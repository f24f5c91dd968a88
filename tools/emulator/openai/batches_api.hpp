// OpenAI Batch API: create (POST /v1/batches), retrieve, list (newest first; after/limit,
// first_id/last_id/has_more) and cancel. Each batch runs on its own worker thread
// (batch_processor.hpp). Creates are not idempotent, as on the real service.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/app/emulator_context.hpp"
#include "emulator/openai/batch.hpp"
#include "emulator/openai/batch_processor.hpp"
#include "emulator/openai/file_store.hpp"
#include "emulator/openai/openai_stats.hpp"
#include "emulator/openai/prompt_cache.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::openai {

class BatchesApi {
 public:
  BatchesApi(EmulatorContext& context, FileStore& files, PromptCache& cache, OpenAiStats& stats);
  ~BatchesApi();  // stops and joins the workers

  Response create(Request& request);
  Response get(const std::string& id);
  Response list(const Request& request);
  Response cancel(const std::string& id);

  /// Number of batches per current status (for stats).
  std::map<std::string, std::int64_t> count_by_status() const;
  void shutdown();

 private:
  std::shared_ptr<Batch> find(const std::string& id) const;

  EmulatorContext& context_;
  FileStore& files_;
  OpenAiStats& stats_;
  BatchProcessor processor_;
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::string, std::shared_ptr<Batch>> batches_;
  std::vector<std::string> order_;  // creation order
  std::vector<std::thread> workers_;
};

}  // namespace pipehost::emulator::openai
