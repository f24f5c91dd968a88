// OpenAI error bodies: {"error":{"message","type","param","code"}} (all four keys always present,
// param and code null when they do not apply), as the official clients parse them.
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::openai {

/// Thrown by the OpenAI handlers; the pipeline turns it into the error body.
struct OpenAiError : std::exception {
  OpenAiError(unsigned status, std::string message, std::string type = "invalid_request_error",
              std::optional<std::string> param = std::nullopt, std::optional<std::string> code = std::nullopt)
      : status(status),
        message(std::move(message)),
        type(std::move(type)),
        param(std::move(param)),
        code(std::move(code)) {}
  const char* what() const noexcept override { return message.c_str(); }

  unsigned status;
  std::string message;
  std::string type;  // e.g. "invalid_request_error", "server_error", "requests"
  std::optional<std::string> param;
  std::optional<std::string> code;  // e.g. "invalid_api_key", "rate_limit_exceeded"
};

Response openai_error(const OpenAiError& error);
/// A 404 for an unknown object, worded like the real API ("No such File object: file-...").
OpenAiError not_found(const std::string& object_kind, const std::string& id, const std::string& param = "id");

}  // namespace pipehost::emulator::openai
