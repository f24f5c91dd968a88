#include "emulator/openai/prompt_cache.hpp"

#include <vector>

#include "emulator/util/hash.hpp"

namespace pipehost::emulator::openai {

std::int64_t token_count(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + kBytesPerToken - 1) / kBytesPerToken);
}

std::int64_t PromptCache::lookup_and_remember(std::string_view model, std::string_view prompt) {
  constexpr std::size_t kBlockBytes = kCacheBlockTokens * kBytesPerToken;
  constexpr std::size_t kMinBlocks = kMinCachedTokens / kCacheBlockTokens;
  std::size_t blocks = prompt.size() / kBlockBytes;
  if (blocks < kMinBlocks) return 0;
  // Hashes of the prefixes of 8, 9, ... blocks, streamed block by block: the hash of a prefix
  // depends on nothing after it.
  std::vector<std::uint64_t> prefixes;
  prefixes.reserve(blocks - kMinBlocks + 1);
  ContentHash hash;
  hash.update(model);
  hash.separator();
  for (std::size_t block = 0; block < blocks; ++block) {
    hash.update(prompt.substr(block * kBlockBytes, kBlockBytes));
    if (block + 1 >= kMinBlocks) prefixes.push_back(hash.value());
  }
  std::lock_guard lock(mutex_);
  // Every prefix of a remembered prefix is remembered too, so the hits are a leading run.
  std::size_t hits = 0;
  while (hits < prefixes.size() && prefixes_.count(prefixes[hits])) ++hits;
  prefixes_.insert(prefixes.begin(), prefixes.end());
  return hits == 0 ? 0 : static_cast<std::int64_t>((kMinBlocks + hits - 1) * kCacheBlockTokens);
}

}  // namespace pipehost::emulator::openai
