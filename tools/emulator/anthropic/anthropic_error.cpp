#include "emulator/anthropic/anthropic_error.hpp"

#include <boost/json.hpp>

namespace pipehost::emulator::anthropic {

const char* error_type_for_status(unsigned status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

boost::json::object error_body(unsigned status, std::string_view message, std::string_view request_id) {
  return {{"type", "error"},
          {"error", boost::json::object{{"type", error_type_for_status(status)}, {"message", message}}},
          {"request_id", request_id}};
}

Response anthropic_error(unsigned status, std::string_view message, std::string_view request_id) {
  Response response = Response::json(status, boost::json::serialize(error_body(status, message, request_id)));
  response.with_header("request-id", std::string(request_id));
  return response;
}

HttpError invalid_request(std::string message) {
  return HttpError(400, "invalid_request_error", std::move(message));
}

}  // namespace pipehost::emulator::anthropic
