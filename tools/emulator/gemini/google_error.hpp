// Gemini (google.rpc.Status) error bodies: {"error":{"code","message","status"[,"details"]}}.
#pragma once

#include <string_view>

#include <boost/json/array.hpp>

#include "emulator/server/http_message.hpp"

namespace pipehost::emulator {

Response google_error(unsigned http_status, std::string_view status, std::string_view message,
                      boost::json::array details = {});
inline Response google_error(const HttpError& error) {
  return google_error(error.status, error.status_name, error.message);
}

}  // namespace pipehost::emulator
