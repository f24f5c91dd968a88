// The "openai" object of GET /_emulator/stats:
//   batch_create_attempts     POST /v1/batches received (refused ones included)
//   batch_creates             batches created
//   batch_creates_by_name     {metadata.name: count} of created batches ("" without a name)
//   answered_more_than_once   custom_ids answered successfully in more than one batch: rows paid twice
//   batch_lines_answered      output-file lines written
//   online_answers            answers from /v1/chat/completions and /v1/responses
// (batches_by_status, the current status of every batch, is added by the batches API.)
// POST /_emulator/reset-stats zeroes all of them, the memory of answered custom_ids included.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/json/object.hpp>

namespace pipehost::emulator::openai {

class OpenAiStats {
 public:
  void add(const std::string& counter, std::int64_t delta = 1);
  void batch_created(const std::string& name);
  /// A successful answer for `custom_id` in batch `batch_id`.
  void answered(const std::string& custom_id, const std::string& batch_id);
  boost::json::object to_json() const;
  void reset();

 private:
  struct Answered {
    std::string first_batch;
    bool more_than_once = false;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> counters_;
  std::map<std::string, std::int64_t> creates_by_name_;
  std::unordered_map<std::string, Answered> answered_;
  std::int64_t answered_more_than_once_ = 0;
};

}  // namespace pipehost::emulator::openai
