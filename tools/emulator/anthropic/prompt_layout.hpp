// The prompt of a Messages request in the order Anthropic caches it — tools, then system, then
// messages — flattened into blocks, with the cache breakpoints (`cache_control`) it carries.
//
// Token rule (emulator tokens, documented in README.md): a text block counts its text bytes, a
// string `system` or message `content` counts as one text block, a tool definition and any other
// block (image, tool_use, tool_result, ...) count the bytes of their compact JSON without
// `cache_control`; a prefix of N bytes is ceil(N / 4) tokens, and the whole prompt likewise.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/json/object.hpp>

namespace pipehost::emulator::anthropic {

enum class CacheTtl { five_minutes, one_hour };

struct CacheBreakpoint {
  std::int64_t prefix_tokens = 0;  // tokens of every block up to and including the marked one
  std::uint64_t prefix_hash = 0;   // model + those blocks (without cache_control)
  CacheTtl ttl = CacheTtl::five_minutes;
};

struct PromptLayout {
  std::int64_t total_tokens = 0;
  std::vector<CacheBreakpoint> breakpoints;  // in prompt order
};

/// Emulator tokens for `bytes` of prompt or answer: ceil(bytes / 4).
std::int64_t emulator_tokens(std::size_t bytes);

/// Lays out `params` (a Messages create body). A top-level `cache_control` (automatic caching)
/// adds a breakpoint on the last block. Throws HttpError 400 (invalid_request_error) for a bad
/// `cache_control`: not {"type":"ephemeral"[, "ttl":"5m"|"1h"]}, more than 4 breakpoints, or a
/// 1h breakpoint after a 5m one.
PromptLayout layout_prompt(const boost::json::object& params);

}  // namespace pipehost::emulator::anthropic
