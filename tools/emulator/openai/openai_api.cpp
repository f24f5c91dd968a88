#include "emulator/openai/openai_api.hpp"

#include <atomic>
#include <strings.h>

#include "emulator/openai/ids.hpp"
#include "emulator/openai/openai_error.hpp"

namespace pipehost::emulator::openai {

namespace {

std::string bearer_key(const Request& request) {
  std::string authorization = request.header("Authorization");
  if (authorization.size() <= 7 || strncasecmp(authorization.c_str(), "Bearer ", 7) != 0) return {};
  std::string key = authorization.substr(7);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.erase(0, 1);
  return key;
}

std::string next_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  return "req_" + hex32(mix64(++counter ^ 0x2E9));
}

}  // namespace

OpenAiApi::OpenAiApi(EmulatorContext& context, std::optional<std::string> key)
    : context_(context),
      key_(std::move(key)),
      files_(context.state_dir / "openai" / "files"),
      files_api_(context, files_),
      batches_api_(context, files_, cache_, stats_),
      online_api_(context, cache_, stats_) {}

std::optional<Response> OpenAiApi::refuse_key(const Request& request) {
  std::string key = bearer_key(request);
  if (request.has_query("key")) {
    context_.stats.add("key_in_query");
    if (key.empty()) key = request.query_value("key");
  }
  if (key.empty()) {
    context_.stats.add("auth_failures");
    return openai_error(
        OpenAiError(401,
                    "You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer "
                    "auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from "
                    "https://platform.openai.com/account/api-keys."));
  }
  if (key_ && key != *key_) {
    context_.stats.add("auth_failures");
    // The real message shows a masked key; the emulator never echoes any part of it.
    return openai_error(OpenAiError(401,
                                    "Incorrect API key provided. You can find your API key at "
                                    "https://platform.openai.com/account/api-keys.",
                                    "invalid_request_error", std::nullopt, "invalid_api_key"));
  }
  return std::nullopt;
}

Response OpenAiApi::handle(const Route& route, Request& request) {
  Response response;
  if (context_.faults.draw_http_5xx()) {
    response =
        context_.faults.next_choice() % 2 == 0
            ? openai_error(OpenAiError(503, "The server is overloaded or not ready yet.", "server_error"))
            : openai_error(OpenAiError(500,
                                       "The server had an error while processing your request. Sorry "
                                       "about that!",
                                       "server_error"));
  } else if (auto refused = refuse_key(request)) {
    response = std::move(*refused);
  } else {
    try {
      response = dispatch(route, request);
    } catch (const OpenAiError& error) {
      response = openai_error(error);
    } catch (const HttpError& error) {  // e.g. a body larger than read_all allows
      response = openai_error(OpenAiError(error.status, error.message));
    }
  }
  response.with_header("x-request-id", next_request_id());
  return response;
}

Response OpenAiApi::dispatch(const Route& route, Request& request) {
  switch (route.endpoint) {
    case Endpoint::file_upload:
      return files_api_.upload(request);
    case Endpoint::file_list:
      return files_api_.list(request);
    case Endpoint::file_get:
      return files_api_.get(route.id);
    case Endpoint::file_delete:
      return files_api_.remove(route.id);
    case Endpoint::file_content:
      return files_api_.content(route.id);
    case Endpoint::batch_create:
      return batches_api_.create(request);
    case Endpoint::batch_list:
      return batches_api_.list(request);
    case Endpoint::batch_get:
      return batches_api_.get(route.id);
    case Endpoint::batch_cancel:
      return batches_api_.cancel(route.id);
    case Endpoint::chat_completions:
      return online_api_.answer(ModelEndpoint::chat_completions, request);
    case Endpoint::responses:
      return online_api_.answer(ModelEndpoint::responses, request);
  }
  throw OpenAiError(404, "Invalid URL (" + request.method + " " + request.path + ")");
}

boost::json::object OpenAiApi::stats_json() const {
  boost::json::object out = stats_.to_json();
  boost::json::object by_status;
  for (const auto& [status, count] : batches_api_.count_by_status()) by_status[status] = count;
  out["batches_by_status"] = std::move(by_status);
  return out;
}

}  // namespace pipehost::emulator::openai
