// The "anthropic" object of GET /_emulator/stats: batch_creates (successful creates),
// answered_more_than_once (custom_ids with a succeeded result in more than one batch: a row paid
// for twice), cache_read_tokens and cache_write_tokens (summed over batch results and
// /v1/messages answers). POST /_emulator/reset-stats zeroes it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/json/object.hpp>

#include "emulator/anthropic/prompt_cache.hpp"

namespace pipehost::emulator::anthropic {

class AnthropicStats {
 public:
  void batch_created();
  /// A succeeded result for `custom_id` (called once per batch and id: ids are unique per batch).
  void answered(const std::string& custom_id);
  void cache_used(const CacheUsage& usage);
  boost::json::object to_json() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::int64_t batch_creates_ = 0;
  std::int64_t answered_more_than_once_ = 0;
  std::int64_t cache_read_tokens_ = 0;
  std::int64_t cache_write_tokens_ = 0;
  std::unordered_map<std::string, std::int64_t> batches_answering_;  // custom_id → batches
};

}  // namespace pipehost::emulator::anthropic
