// Anthropic prompt caching, emulated. A breakpoint's prefix is cacheable when it reaches
// kMinimumCacheableTokens (1,024 emulator tokens, for every model). For each request:
// - the longest cached prefix among its cacheable breakpoints (still within its TTL) is read:
//   cache_read_input_tokens, and that entry's TTL starts over (a hit refreshes it);
// - every cacheable breakpoint beyond it is written: cache_creation_input_tokens is the prefix of
//   the last one minus what was read, split into ephemeral_5m/1h by the TTL of the breakpoint that
//   ends each written segment;
// - input_tokens is the rest: total - read - written.
// Entries live 5 minutes, or 1 hour with ttl "1h". Shared by batches and /v1/messages.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "emulator/anthropic/prompt_layout.hpp"
#include "emulator/util/time_format.hpp"

namespace pipehost::emulator::anthropic {

inline constexpr std::int64_t kMinimumCacheableTokens = 1024;

struct CacheUsage {
  std::int64_t input_tokens = 0;  // the uncached rest
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_5m_tokens = 0;
  std::int64_t cache_write_1h_tokens = 0;
  std::int64_t cache_write_tokens() const { return cache_write_5m_tokens + cache_write_1h_tokens; }
};

class PromptCache {
 public:
  /// Reads and writes the cache for one request at time `now`.
  CacheUsage account(const PromptLayout& layout, WallClock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    WallClock::time_point expires;
    WallClock::duration ttl;
  };
  void prune(WallClock::time_point now);

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t accounts_ = 0;
};

}  // namespace pipehost::emulator::anthropic
