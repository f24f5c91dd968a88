// Anthropic's API on the emulator: the Message Batches routes and POST /v1/messages. Every request
// goes through: http_5xx fault (529 overloaded_error or 500 api_error) → auth (`x-api-key: K` or
// `Authorization: Bearer K`; missing or wrong → 401 authentication_error) → `anthropic-version`
// header required (400 invalid_request_error without it) → handler. Every answer carries a
// `request-id` header; errors use Anthropic's body shape (anthropic_error.hpp).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "emulator/anthropic/anthropic_stats.hpp"
#include "emulator/anthropic/message_batches_api.hpp"
#include "emulator/anthropic/prompt_cache.hpp"
#include "emulator/app/emulator_context.hpp"
#include "emulator/app/routes.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::anthropic {

class AnthropicApi {
 public:
  /// `key`: the key to require; none = any non-empty key.
  AnthropicApi(EmulatorContext& context, std::optional<std::string> key);

  Response handle(const RouteMatch& route, Request& request);
  /// The "anthropic" member of GET /_emulator/stats.
  boost::json::object stats_json() const { return stats_.to_json(); }
  void reset_stats() { stats_.reset(); }
  void shutdown() { batches_.shutdown(); }

 private:
  Response dispatch(const RouteMatch& route, Request& request);
  Response create_message(Request& request);
  std::string next_request_id();

  EmulatorContext& context_;
  std::optional<std::string> key_;
  PromptCache cache_;
  AnthropicStats stats_;
  MessageBatchesApi batches_;
  std::atomic<std::uint64_t> next_request_ = 1;
};

}  // namespace pipehost::emulator::anthropic
