// Gemini Batch API: models/{m}:batchGenerateContent (file or inlined requests), get, list
// (pageSize/pageToken; no nextPageToken on the last page), cancel, delete. Each batch is
// processed on its own worker thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/app/emulator_context.hpp"
#include "emulator/gemini/batch.hpp"
#include "emulator/gemini/batch_processor.hpp"
#include "emulator/gemini/file_store.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator {

class BatchesApi {
 public:
  BatchesApi(EmulatorContext& context, FileStore& files, ContentGenerator& generator);
  ~BatchesApi();  // stops and joins the workers

  Response create(Request& request, const std::string& model);
  Response get(const std::string& id);
  Response list(const Request& request);
  Response cancel(const std::string& id);
  Response remove(const std::string& id);

  /// Number of batches per current state name (for stats).
  std::map<std::string, std::int64_t> count_by_state() const;
  void shutdown();

 private:
  std::shared_ptr<Batch> find(const std::string& id) const;

  EmulatorContext& context_;
  FileStore& files_;
  BatchProcessor processor_;
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::string, std::shared_ptr<Batch>> batches_;
  std::vector<std::string> order_;  // creation order
  std::vector<std::thread> workers_;
};

}  // namespace pipehost::emulator
