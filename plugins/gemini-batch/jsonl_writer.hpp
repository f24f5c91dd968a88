// Writes a batch's requests as JSONL to a file, streaming through a fixed buffer (memory stays flat
// whatever the batch size).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipehost/sdk.hpp"
#include "request_encoder.hpp"

namespace pipehost::gemini {

/// Writes one line per request to `path` (created or truncated); sets `bytes` to the file size.
Status write_jsonl(RequestEncoder& encoder, const std::vector<Request>& requests, const std::string& path,
                   std::uint64_t& bytes);

}  // namespace pipehost::gemini
