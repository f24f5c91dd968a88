#include "emulator/gemini/google_error.hpp"

#include <cstdio>

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

Response google_error(const boost::json::object& status) {
  auto code = static_cast<unsigned>(status.at("code").to_number<std::int64_t>());
  return Response::json(code, boost::json::serialize(boost::json::object{{"error", status}}));
}

boost::json::array quota_failure_details(std::string_view quota_metric, std::string_view quota_id,
                                         double retry_delay_s, boost::json::object dimensions,
                                         std::string_view quota_value) {
  char delay[32];
  std::snprintf(delay, sizeof delay, "%gs", retry_delay_s);
  boost::json::object violation{{"quotaMetric", quota_metric}, {"quotaId", quota_id}};
  if (!dimensions.empty()) violation["quotaDimensions"] = std::move(dimensions);
  if (!quota_value.empty()) violation["quotaValue"] = quota_value;
  return boost::json::array{
      boost::json::object{{"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
                          {"violations", boost::json::array{std::move(violation)}}},
      boost::json::object{{"@type", "type.googleapis.com/google.rpc.Help"},
                          {"links", boost::json::array{boost::json::object{
                                        {"description", "Learn more about Gemini API quotas"},
                                        {"url", "https://ai.google.dev/gemini-api/docs/rate-limits"}}}}},
      boost::json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", delay}}};
}

}  // namespace pipehost::emulator
