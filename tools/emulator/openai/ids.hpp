// Ids and timestamps in the shape of the real OpenAI API: "file-" + 22 base-62 characters,
// "batch_" + 32 hex digits, unix seconds. Derived from counters and hashes, so a run hands out
// the same ids in the same order.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/util/time_format.hpp"

namespace pipehost::emulator::openai {

/// `length` base-62 characters (0-9, A-Z, a-z), distinct for distinct (salt, n).
std::string base62_id(std::uint64_t salt, std::uint64_t n, std::size_t length);
/// 32 lowercase hex digits from a 64-bit value (OpenAI's batch, request and response ids).
std::string hex32(std::uint64_t value);
std::int64_t unix_seconds(WallClock::time_point when);

}  // namespace pipehost::emulator::openai
