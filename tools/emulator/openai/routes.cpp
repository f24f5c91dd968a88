#include "emulator/openai/routes.hpp"

#include <string_view>
#include <strings.h>
#include <vector>

namespace pipehost::emulator::openai {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

Route make(Endpoint endpoint, const std::string& method, const std::string& pattern,
           std::string_view id = {}) {
  return Route{endpoint, "openai " + method + " " + pattern, std::string(id)};
}

}  // namespace

bool sent_by_openai_client(const Request& request) {
  if (request.has_header("x-goog-api-key") || request.has_query("key")) return false;
  std::string authorization = request.header("Authorization");
  return authorization.size() > 7 && strncasecmp(authorization.c_str(), "Bearer ", 7) == 0;
}

std::optional<Route> match_route(const std::string& method, const std::string& path) {
  auto p = split_path(path);
  if (p.size() < 2 || p[0] != "v1") return std::nullopt;
  const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
  if (p[1] == "files") {
    if (p.size() == 2 && post) return make(Endpoint::file_upload, method, "/v1/files");
    if (p.size() == 2 && get) return make(Endpoint::file_list, method, "/v1/files");
    if (p.size() == 3 && get) return make(Endpoint::file_get, method, "/v1/files/{id}", p[2]);
    if (p.size() == 3 && del) return make(Endpoint::file_delete, method, "/v1/files/{id}", p[2]);
    if (p.size() == 4 && get && p[3] == "content")
      return make(Endpoint::file_content, method, "/v1/files/{id}/content", p[2]);
  }
  if (p[1] == "batches") {
    if (p.size() == 2 && post) return make(Endpoint::batch_create, method, "/v1/batches");
    if (p.size() == 2 && get) return make(Endpoint::batch_list, method, "/v1/batches");
    if (p.size() == 3 && get) return make(Endpoint::batch_get, method, "/v1/batches/{id}", p[2]);
    if (p.size() == 4 && post && p[3] == "cancel")
      return make(Endpoint::batch_cancel, method, "/v1/batches/{id}/cancel", p[2]);
  }
  if (p.size() == 3 && p[1] == "chat" && p[2] == "completions" && post)
    return make(Endpoint::chat_completions, method, "/v1/chat/completions");
  if (p.size() == 2 && p[1] == "responses" && post) return make(Endpoint::responses, method, "/v1/responses");
  return std::nullopt;
}

std::optional<Route> match_route(const Request& request, bool gemini_serves_path) {
  auto route = match_route(request.method, request.path);
  if (route && gemini_serves_path && !sent_by_openai_client(request)) return std::nullopt;
  return route;
}

}  // namespace pipehost::emulator::openai
