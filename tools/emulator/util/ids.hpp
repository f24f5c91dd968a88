// Resource ids in the style of the real services (lowercase base36 for Gemini, UUID-shaped for
// BrainTrust), derived from a counter so a run always hands out the same ids in the same order.
#pragma once

#include <cstdint>
#include <string>

namespace pipehost::emulator {

/// 13 lowercase base-36 characters, distinct for distinct (salt, n).
std::string base36_id(std::uint64_t salt, std::uint64_t n);
/// A UUID-shaped string (8-4-4-4-12 hex), distinct for distinct (salt, n).
std::string uuid_like_id(std::uint64_t salt, std::uint64_t n);
/// 16 lowercase hex characters.
std::string hex16(std::uint64_t value);

}  // namespace pipehost::emulator
