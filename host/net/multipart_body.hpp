// A multipart/form-data request body (RFC 7578) streamed part by part: in-memory parts are sent as
// they are, file parts are read in pieces, and the total length is known before the first byte is
// sent, so the upload carries a Content-Length rather than chunked encoding.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "body_source.hpp"
#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// The body for `parts` with a fresh random boundary (its `content_type()` names it); fatal when a
/// part is malformed (empty name, a quote, line break or NUL in a name, both `body` and `body_file`,
/// an unreadable file).
Status multipart_body(const std::vector<MultipartPart>& parts, std::unique_ptr<BodySource>& out);

/// The first candidate from `candidate` that occurs in no in-memory text of `parts` (names, file
/// names, content types, in-memory bodies). File contents are not searched: a candidate carries
/// enough randomness that meeting it in a file is not a practical concern.
std::string pick_boundary(const std::vector<MultipartPart>& parts,
                          const std::function<std::string()>& candidate);

}  // namespace pipehost::net
