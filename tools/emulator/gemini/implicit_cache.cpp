#include "emulator/gemini/implicit_cache.hpp"

#include <string>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/util/hash.hpp"

namespace pipehost::emulator {

std::int64_t ImplicitCache::lookup_and_remember(std::string_view model, std::uint64_t prefix_hash,
                                                std::size_t prefix_bytes) {
  std::int64_t tokens = tokens_for(prefix_bytes);
  if (tokens < kMinImplicitCacheTokens) return 0;
  ContentHash key;
  key.update(model);
  key.separator();
  key.update(std::string_view(reinterpret_cast<const char*>(&prefix_hash), sizeof prefix_hash));
  std::lock_guard lock(mutex_);
  bool seen_before = !seen_.insert(key.value()).second;
  return seen_before ? tokens : 0;
}

}  // namespace pipehost::emulator
