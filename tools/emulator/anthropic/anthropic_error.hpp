// Anthropic error bodies: {"type":"error","error":{"type","message"},"request_id"} with the same
// id in the `request-id` header, as the official clients read it. The error type follows the
// HTTP status (400 invalid_request_error, 401 authentication_error, 404 not_found_error,
// 413 request_too_large, 429 rate_limit_error, 500 api_error, 529 overloaded_error, ...).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::anthropic {

/// The `error.type` Anthropic uses for an HTTP status.
const char* error_type_for_status(unsigned status);

/// The error object as it appears in a response body and in an `errored` batch result.
boost::json::object error_body(unsigned status, std::string_view message, std::string_view request_id);

Response anthropic_error(unsigned status, std::string_view message, std::string_view request_id);

/// An HttpError carrying the Anthropic type (status_name) for `status`.
HttpError invalid_request(std::string message);

}  // namespace pipehost::emulator::anthropic
