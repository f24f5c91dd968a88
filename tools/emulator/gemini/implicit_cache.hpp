// Gemini's implicit caching, modelled on the emulator's own token count.
//
// A request's *prefix* is the part of the prompt that repeats across the rows of a job: the text
// of systemInstruction, then the response schema and then `tools` as compact JSON (see
// RequestDigest). Its size is ceil(prefix bytes / 4) tokens, the same rule as promptTokenCount,
// which counts the prefix too (so the cached tokens never exceed it).
//
// The cache remembers, per model, every prefix of at least 2,048 tokens that an answered request
// had (for the emulator's lifetime; reset-stats does not forget them). A later request to the same
// model with a byte-identical prefix reports the whole prefix as cached; the first one reports
// nothing. Only whole prefixes hit: there is no partial match.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace pipehost::emulator {

/// The smallest prefix the implicit cache keeps (Gemini 2.5 Flash/Pro, shared/research/gemini-caching.md).
inline constexpr std::int64_t kMinImplicitCacheTokens = 2048;

class ImplicitCache {
 public:
  /// The cached tokens for this request's prefix (0 on a miss or a short prefix), and remembers
  /// the prefix for the requests that follow.
  std::int64_t lookup_and_remember(std::string_view model, std::uint64_t prefix_hash,
                                   std::size_t prefix_bytes);

 private:
  std::mutex mutex_;
  std::unordered_set<std::uint64_t> seen_;  // hash of (model, prefix hash)
};

}  // namespace pipehost::emulator
