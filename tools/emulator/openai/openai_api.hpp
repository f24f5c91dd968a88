// The OpenAI API family of the emulator: files, batches and the online model endpoints, behind
// one request pipeline (5xx fault → auth → handler; every error in OpenAI's shape and every
// answer with an x-request-id header). The Emulator hands it the requests routes.hpp assigns to
// OpenAI. State: STATE/openai/files/.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "emulator/app/emulator_context.hpp"
#include "emulator/openai/batches_api.hpp"
#include "emulator/openai/file_store.hpp"
#include "emulator/openai/files_api.hpp"
#include "emulator/openai/online_api.hpp"
#include "emulator/openai/openai_stats.hpp"
#include "emulator/openai/prompt_cache.hpp"
#include "emulator/openai/routes.hpp"

namespace pipehost::emulator::openai {

class OpenAiApi {
 public:
  /// `key`: the API key to require; none = any non-empty bearer key.
  OpenAiApi(EmulatorContext& context, std::optional<std::string> key);

  /// The OpenAI route of the request, or nullopt when it is not OpenAI's (see routes.hpp).
  std::optional<Route> route(const Request& request, bool gemini_serves_path) const {
    return match_route(request, gemini_serves_path);
  }
  Response handle(const Route& route, Request& request);

  /// The "openai" object of GET /_emulator/stats.
  boost::json::object stats_json() const;
  void reset_stats() { stats_.reset(); }
  void shutdown() { batches_api_.shutdown(); }

 private:
  Response dispatch(const Route& route, Request& request);
  std::optional<Response> refuse_key(const Request& request);

  EmulatorContext& context_;
  std::optional<std::string> key_;
  OpenAiStats stats_;
  PromptCache cache_;
  FileStore files_;
  FilesApi files_api_;
  BatchesApi batches_api_;
  OnlineApi online_api_;
};

}  // namespace pipehost::emulator::openai
