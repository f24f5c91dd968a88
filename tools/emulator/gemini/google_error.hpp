// Gemini (google.rpc.Status) error bodies: {"error":{"code","message","status"[,"details"]}}.
#pragma once

#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "emulator/server/http_message.hpp"

namespace pipehost::emulator {

Response google_error(unsigned http_status, std::string_view status, std::string_view message,
                      boost::json::array details = {});
inline Response google_error(const HttpError& error) {
  return google_error(error.status, error.status_name, error.message);
}
/// A google.rpc.Status object ({"code","message","status","details"}) as the body of a response.
Response google_error(const boost::json::object& status);

/// The details of a quota 429: QuotaFailure (one violation naming the quota; `dimensions` and
/// `quota_value` only when given), Help (the rate-limits page) and RetryInfo (retryDelay "<S>s").
boost::json::array quota_failure_details(std::string_view quota_metric, std::string_view quota_id,
                                         double retry_delay_s, boost::json::object dimensions = {},
                                         std::string_view quota_value = {});

}  // namespace pipehost::emulator
