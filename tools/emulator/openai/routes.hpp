// The OpenAI routes and how they are told apart from Gemini's on the same /v1/... paths.
//
// Gemini serves GET /v1/files[/{id}], DELETE /v1/files/{id} and GET /v1/batches[/{id}] too. The
// official clients authenticate differently, so the auth header decides: a request with
// `Authorization: Bearer ...` and no Gemini key (`x-goog-api-key` header or `?key=` query) is
// OpenAI's; anything else on those paths stays Gemini's. Paths only OpenAI has (POST /v1/files,
// POST /v1/batches, .../content, .../cancel, /v1/chat/completions, /v1/responses) are always
// OpenAI's, so a request without any key gets OpenAI's 401 there.
#pragma once

#include <optional>
#include <string>

#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::openai {

enum class Endpoint {
  file_upload,
  file_list,
  file_get,
  file_delete,
  file_content,
  batch_create,
  batch_list,
  batch_get,
  batch_cancel,
  chat_completions,
  responses,
};

struct Route {
  Endpoint endpoint;
  std::string name;  // for requests_by_route, e.g. "openai GET /v1/batches/{id}"
  std::string id;    // file or batch id
};

/// True when the request authenticates the way the official OpenAI client does (see above).
bool sent_by_openai_client(const Request& request);

/// The OpenAI route for the request, or nullopt. `gemini_serves_path`: the Gemini router matched
/// the same method and path, so only an OpenAI-authenticated request is taken.
std::optional<Route> match_route(const Request& request, bool gemini_serves_path);
std::optional<Route> match_route(const std::string& method, const std::string& path);

}  // namespace pipehost::emulator::openai
