// OpenAI's automatic prompt caching, modelled on the emulator's own token count.
//
// A prompt's tokens are its bytes in groups of 4 (token i = bytes [4i, 4i+4)), and the cache works
// on blocks of 128 tokens (512 bytes). A request reports as cached the longest prefix of whole
// blocks that an earlier request to the same model already had, but only once that prefix reaches
// 1,024 tokens (8 blocks): so cached_tokens is 0 or 1024, 1152, 1280, ... Every request's block
// prefixes are remembered (for the emulator's lifetime), whichever route carried it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace pipehost::emulator::openai {

inline constexpr std::size_t kBytesPerToken = 4;
inline constexpr std::size_t kCacheBlockTokens = 128;
inline constexpr std::size_t kMinCachedTokens = 1024;

/// ceil(bytes / 4): the emulator's token count.
std::int64_t token_count(std::size_t bytes);

class PromptCache {
 public:
  /// The cached tokens of this prompt, and remembers its prefixes for the requests that follow.
  std::int64_t lookup_and_remember(std::string_view model, std::string_view prompt);

 private:
  std::mutex mutex_;
  std::unordered_set<std::uint64_t> prefixes_;  // hash of (model, first k blocks), k >= 8
};

}  // namespace pipehost::emulator::openai
