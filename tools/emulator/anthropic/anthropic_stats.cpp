#include "emulator/anthropic/anthropic_stats.hpp"

namespace pipehost::emulator::anthropic {

void AnthropicStats::batch_created() {
  std::lock_guard lock(mutex_);
  ++batch_creates_;
}

void AnthropicStats::answered(const std::string& custom_id) {
  std::lock_guard lock(mutex_);
  if (++batches_answering_[custom_id] == 2) ++answered_more_than_once_;
}

void AnthropicStats::cache_used(const CacheUsage& usage) {
  std::lock_guard lock(mutex_);
  cache_read_tokens_ += usage.cache_read_tokens;
  cache_write_tokens_ += usage.cache_write_tokens();
}

boost::json::object AnthropicStats::to_json() const {
  std::lock_guard lock(mutex_);
  return {{"batch_creates", batch_creates_},
          {"answered_more_than_once", answered_more_than_once_},
          {"cache_read_tokens", cache_read_tokens_},
          {"cache_write_tokens", cache_write_tokens_}};
}

void AnthropicStats::reset() {
  std::lock_guard lock(mutex_);
  batch_creates_ = answered_more_than_once_ = cache_read_tokens_ = cache_write_tokens_ = 0;
  batches_answering_.clear();
}

}  // namespace pipehost::emulator::anthropic
