// Stage wrappers that pass every text a provider or parser hands the engine through the secret
// registry: status messages, call errors, job messages, raw answers. Those texts end up in the
// ledger, the `_error` column, failures.csv, summary.json, log events and on stderr; a server that
// quotes the API key in an error (or a base_url with the key in its path) must not put it there.
#pragma once

#include <memory>

#include "pipehost/stages.hpp"
#include "services/secret_registry.hpp"

namespace pipehost::engine {

/// `status` with its message redacted (outcome and retry hint kept).
Status redacted(const Status& status, const services::SecretRegistry& secrets);

/// `provider` seen through the registry: the engine only ever gets redacted text from it.
std::shared_ptr<Provider> redacting_provider(std::shared_ptr<Provider> provider,
                                             std::shared_ptr<const services::SecretRegistry> secrets);

/// `parser` whose failure messages (row errors) are redacted.
std::shared_ptr<Parser> redacting_parser(std::shared_ptr<Parser> parser,
                                         std::shared_ptr<const services::SecretRegistry> secrets);

}  // namespace pipehost::engine
