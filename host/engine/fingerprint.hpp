// Fingerprints: what makes two answers comparable.
//
// The request fingerprint covers what the model saw besides the row: the request builder's config
// section (validated, with paths resolved), the content of every file it names (prompt, template,
// schema), and the model. Rows and jobs remember the fingerprint they were answered under, so a
// changed prompt is never silently mixed with old answers.
//
// The parser fingerprint covers the parser's section and files. A changed parser costs nothing: the
// raw answers are kept and parsed again.
//
// The request content hash covers what was sent for one row (its user parts), so an edited or shifted
// input row is never exported next to an answer made for other content.
#pragma once

#include <string>
#include <vector>

#include "engine/pipeline.hpp"

namespace pipehost::engine {

std::string request_fingerprint(const Pipeline& pipeline, const std::string& model);
std::string parser_fingerprint(const Pipeline& pipeline);
/// The fingerprint ledgers of schema version 1 recorded (request and parser together).
std::string legacy_config_fingerprint(const Pipeline& pipeline, const std::string& model);

std::string request_content_hash(const std::vector<std::string>& user_parts);

/// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace pipehost::engine
