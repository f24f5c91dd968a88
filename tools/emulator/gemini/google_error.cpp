#include "emulator/gemini/google_error.hpp"

#include <boost/json.hpp>

namespace pipehost::emulator {

Response google_error(unsigned http_status, std::string_view status, std::string_view message,
                      boost::json::array details) {
  boost::json::object error;
  error["code"] = http_status;
  error["message"] = message;
  error["status"] = status;
  if (!details.empty()) error["details"] = std::move(details);
  return Response::json(http_status,
                        boost::json::serialize(boost::json::object{{"error", std::move(error)}}));
}

}  // namespace pipehost::emulator
