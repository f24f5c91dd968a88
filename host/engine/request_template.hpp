// What every request of one request config shares (system instruction, generation settings, tools,
// extra fields), as JSON: the ledger keeps it per config fingerprint, so a call answered after the
// config changed is logged with the request that was actually sent.
#pragma once

#include <string>
#include <string_view>

#include "pipehost/types.hpp"

namespace pipehost::engine {

/// The shared part of `request` (its key and user parts are left out).
std::string request_template_json(const Request& request);
/// The request request_template_json() wrote, without key and user parts; throws on malformed text.
Request request_template_from_json(std::string_view text);

}  // namespace pipehost::engine
