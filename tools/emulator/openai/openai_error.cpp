#include "emulator/openai/openai_error.hpp"

#include <boost/json.hpp>

namespace pipehost::emulator::openai {

namespace json = boost::json;

Response openai_error(const OpenAiError& error) {
  auto or_null = [](const std::optional<std::string>& value) {
    return value ? json::value(*value) : json::value(nullptr);
  };
  json::object body{{"message", error.message},
                    {"type", error.type},
                    {"param", or_null(error.param)},
                    {"code", or_null(error.code)}};
  return Response::json(error.status, json::serialize(json::object{{"error", std::move(body)}}));
}

OpenAiError not_found(const std::string& object_kind, const std::string& id, const std::string& param) {
  return OpenAiError(404, "No such " + object_kind + " object: " + id, "invalid_request_error", param);
}

}  // namespace pipehost::emulator::openai
