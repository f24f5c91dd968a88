#pragma once

#include <chrono>
#include <string>

namespace pipehost::emulator {

using WallClock = std::chrono::system_clock;

/// RFC 3339 UTC with microseconds, as Google APIs print it: "2025-07-09T10:00:00.123456Z".
std::string rfc3339(WallClock::time_point when);
/// Milliseconds precision ("2026-01-01T00:00:00.000Z"), as BrainTrust prints `created`.
std::string iso8601_millis(WallClock::time_point when);

}  // namespace pipehost::emulator
