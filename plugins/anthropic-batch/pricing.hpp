// What Anthropic charges: list prices per model (US$ per million tokens, standard tier), prompt-cache
// writes and reads as multiples of the input price, and the Batch API's 50% discount, which applies
// to every kind of token, cache writes and reads included.
#pragma once

#include <string>

#include "pipehost/types.hpp"

namespace pipehost::anthropic {

/// Cache writes cost 1.25x the input price with the 5-minute TTL and 2x with the 1-hour TTL; reads
/// 0.1x (the prompt-caching guide's price table).
inline constexpr double kCacheWrite5mFactor = 1.25;
inline constexpr double kCacheWrite1hFactor = 2.0;
inline constexpr double kCacheReadFactor = 0.1;
inline constexpr double kBatchFactor = 0.5;

/// The model's prices with cache writes priced for `cache_ttl` ("5m" or "1h"); prices unset for a
/// model this table does not know. A snapshot id ("claude-sonnet-4-5-20250929") is priced as its alias.
ModelInfo model_info(const std::string& model, const std::string& cache_ttl);

}  // namespace pipehost::anthropic
