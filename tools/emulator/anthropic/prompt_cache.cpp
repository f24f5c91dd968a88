#include "emulator/anthropic/prompt_cache.hpp"

#include <algorithm>
#include <chrono>

namespace pipehost::emulator::anthropic {

namespace {

WallClock::duration ttl_of(CacheTtl ttl) {
  return ttl == CacheTtl::one_hour ? WallClock::duration(std::chrono::hours(1))
                                   : WallClock::duration(std::chrono::minutes(5));
}

}  // namespace

CacheUsage PromptCache::account(const PromptLayout& layout, WallClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (++accounts_ % 1024 == 0) prune(now);
  CacheUsage usage;
  std::size_t first_unread = 0;
  for (std::size_t i = layout.breakpoints.size(); i-- > 0;) {
    const CacheBreakpoint& breakpoint = layout.breakpoints[i];
    if (breakpoint.prefix_tokens < kMinimumCacheableTokens) continue;
    auto it = entries_.find(breakpoint.prefix_hash);
    if (it == entries_.end() || it->second.expires <= now) continue;
    it->second.ttl = std::max(it->second.ttl, ttl_of(breakpoint.ttl));
    it->second.expires = now + it->second.ttl;
    usage.cache_read_tokens = breakpoint.prefix_tokens;
    first_unread = i + 1;
    break;
  }
  std::int64_t covered = usage.cache_read_tokens;
  for (std::size_t i = first_unread; i < layout.breakpoints.size(); ++i) {
    const CacheBreakpoint& breakpoint = layout.breakpoints[i];
    if (breakpoint.prefix_tokens < kMinimumCacheableTokens || breakpoint.prefix_tokens <= covered) continue;
    std::int64_t segment = breakpoint.prefix_tokens - covered;
    (breakpoint.ttl == CacheTtl::one_hour ? usage.cache_write_1h_tokens : usage.cache_write_5m_tokens) +=
        segment;
    covered = breakpoint.prefix_tokens;
    entries_[breakpoint.prefix_hash] = Entry{now + ttl_of(breakpoint.ttl), ttl_of(breakpoint.ttl)};
  }
  usage.input_tokens = layout.total_tokens - covered;
  return usage;
}

std::size_t PromptCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void PromptCache::prune(WallClock::time_point now) {
  std::erase_if(entries_, [now](const auto& entry) { return entry.second.expires <= now; });
}

}  // namespace pipehost::emulator::anthropic
