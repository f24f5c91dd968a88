#include "emulator/anthropic/anthropic_api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <strings.h>

#include <boost/json.hpp>

#include "emulator/anthropic/anthropic_error.hpp"
#include "emulator/anthropic/message_answer.hpp"
#include "emulator/util/ids.hpp"

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

std::string trim(std::string text) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

/// The key from `x-api-key` (SDK 0.x, curl) or `Authorization: Bearer` (SDK 1.x).
std::string presented_key(const Request& request) {
  std::string key = trim(request.header("x-api-key"));
  if (!key.empty()) return key;
  std::string authorization = trim(request.header("Authorization"));
  if (authorization.size() > 7 && strncasecmp(authorization.c_str(), "Bearer ", 7) == 0)
    return trim(authorization.substr(7));
  return {};
}

}  // namespace

AnthropicApi::AnthropicApi(EmulatorContext& context, std::optional<std::string> key)
    : context_(context), key_(std::move(key)), batches_(context, cache_, stats_) {}

std::string AnthropicApi::next_request_id() {
  return "req_01" + base36_id(0x4E9, next_request_++);
}

Response AnthropicApi::handle(const RouteMatch& route, Request& request) {
  std::string request_id = next_request_id();
  if (context_.faults.draw_http_5xx()) {
    return context_.faults.next_choice() % 2 == 0 ? anthropic_error(529, "Overloaded", request_id)
                                                  : anthropic_error(500, "Internal server error", request_id);
  }
  std::string key = presented_key(request);
  if (key.empty() || (key_ && key != *key_)) {
    context_.stats.add("auth_failures");
    return anthropic_error(401, key.empty() ? "x-api-key header is required" : "invalid x-api-key",
                           request_id);
  }
  if (trim(request.header("anthropic-version")).empty())
    return anthropic_error(400, "anthropic-version: header is required", request_id);
  Response response;
  try {
    response = dispatch(route, request);
    response.with_header("request-id", request_id);
  } catch (const HttpError& error) {
    response = anthropic_error(error.status, error.message, request_id);
    if (error.status == 429) {
      auto seconds = static_cast<long long>(std::ceil(context_.faults.config().retry_delay_s));
      response.with_header("retry-after", std::to_string(std::max(seconds, 0LL)));
    }
  }
  return response;
}

Response AnthropicApi::dispatch(const RouteMatch& route, Request& request) {
  switch (route.endpoint) {
    case Endpoint::anthropic_batch_create:
      return batches_.create(request);
    case Endpoint::anthropic_batch_list:
      return batches_.list(request);
    case Endpoint::anthropic_batch_get:
      return batches_.get(route.id);
    case Endpoint::anthropic_batch_cancel:
      return batches_.cancel(route.id);
    case Endpoint::anthropic_batch_delete:
      return batches_.remove(route.id);
    case Endpoint::anthropic_batch_results:
      return batches_.results(route.id);
    case Endpoint::anthropic_messages:
      return create_message(request);
    default:
      throw HttpError(404, "not_found_error", "Not found: " + request.method + " " + request.path);
  }
}

Response AnthropicApi::create_message(Request& request) {
  std::string body = request.body->read_all(32u << 20);
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object())
    throw invalid_request("There was an error parsing the body: not a JSON object");
  AnswerForm form;
  form.fenced = context_.faults.draw_fenced();
  form.prose = context_.faults.draw_prose();
  MessageOutcome outcome =
      answer_message(parsed.get_object(), "", form, cache_, WallClock::now(), "standard");
  stats_.cache_used(outcome.cache);
  return Response::json(200, json::serialize(outcome.message));
}

}  // namespace pipehost::emulator::anthropic
