// The host's logger: spdlog to stderr, every line passed through the secret registry first.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "services/secret_registry.hpp"

namespace pipehost::services {

/// Parses "trace|debug|info|warn|error|off"; throws std::invalid_argument otherwise.
spdlog::level::level_enum parse_log_level(const std::string& name);

/// Makes the default spdlog logger write redacted lines to stderr at `level`.
void setup_logging(spdlog::level::level_enum level, std::shared_ptr<const SecretRegistry> secrets);

}  // namespace pipehost::services
