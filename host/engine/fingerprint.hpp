// The config fingerprint: what makes two runs' answers comparable. It covers the request builder's
// and the parser's config sections (validated, with paths resolved), the content of every file they
// name (prompt, template, schema), and the provider's model. Rows remember the fingerprint they were
// done under, so a changed prompt is never silently mixed with old answers.
#pragma once

#include <string>

#include "engine/pipeline.hpp"

namespace pipehost::engine {

std::string config_fingerprint(const Pipeline& pipeline, const std::string& model);

/// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace pipehost::engine
