#include "emulator/app/routes.hpp"

#include <string_view>
#include <vector>

namespace pipehost::emulator {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

bool is_gemini_version(const std::string& segment) {
  return segment == "v1" || segment == "v1beta" || segment == "v1alpha";
}

/// "abc:download" → {"abc", "download"}; "abc" → {"abc", ""}.
std::pair<std::string, std::string> split_verb(const std::string& segment) {
  auto colon = segment.rfind(':');
  if (colon == std::string::npos) return {segment, ""};
  return {segment.substr(0, colon), segment.substr(colon + 1)};
}

RouteMatch make(Api api, Endpoint endpoint, std::string name) {
  RouteMatch match;
  match.api = api;
  match.endpoint = endpoint;
  match.name = std::move(name);
  return match;
}

RouteMatch match_braintrust(const std::string& method, const std::vector<std::string>& p) {
  const bool get = method == "GET", post = method == "POST";
  auto bt = [&](Endpoint endpoint, const std::string& name) {
    return make(Api::braintrust, endpoint, method + " " + name);
  };
  if (p.size() == 3 && p[0] == "api" && p[1] == "apikey" && p[2] == "login" && post)
    return bt(Endpoint::bt_login, "/api/apikey/login");
  if (p.size() == 3 && p[0] == "api" && p[1] == "project" && p[2] == "register" && post)
    return bt(Endpoint::bt_register_project, "/api/project/register");
  if (p.size() == 2 && p[0] == "api" && p[1] == "project" && get)
    return bt(Endpoint::bt_project_by_query, "/api/project");
  if (p.size() == 1 && p[0] == "version" && get) return bt(Endpoint::bt_version, "/version");
  if (p.size() == 1 && p[0] == "logs3" && post) return bt(Endpoint::bt_logs3, "/logs3");
  if (p.size() >= 2 && p[0] == "v1" && p[1] == "project") {
    if (p.size() == 2 && post) return bt(Endpoint::bt_create_project, "/v1/project");
    if (p.size() == 2 && get) return bt(Endpoint::bt_list_projects, "/v1/project");
    if (p.size() == 3 && get) {
      RouteMatch match = bt(Endpoint::bt_get_project, "/v1/project/{id}");
      match.id = p[2];
      return match;
    }
  }
  if (p.size() == 4 && p[0] == "v1" && p[1] == "project_logs") {
    RouteMatch match;
    if (p[3] == "insert" && post) match = bt(Endpoint::bt_insert, "/v1/project_logs/{id}/insert");
    if (p[3] == "fetch" && (get || post)) match = bt(Endpoint::bt_fetch, "/v1/project_logs/{id}/fetch");
    match.id = p[2];
    return match;
  }
  return {};
}

/// /v1/messages[/batches[/{id}[/cancel|/results]]]: every path under /v1/messages is Anthropic's
/// (an unknown one answers 404 in Anthropic's shape); no other emulated API uses it.
RouteMatch match_anthropic(const std::string& method, const std::vector<std::string>& p) {
  if (p.size() < 2 || p[0] != "v1" || p[1] != "messages") return {};
  const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
  auto an = [&](Endpoint endpoint, const std::string& name, std::string id = {}) {
    RouteMatch match = make(Api::anthropic, endpoint, method + " " + name);
    match.id = std::move(id);
    return match;
  };
  if (p.size() == 2 && post) return an(Endpoint::anthropic_messages, "/v1/messages");
  if (p.size() >= 3 && p[2] == "batches") {
    if (p.size() == 3 && post) return an(Endpoint::anthropic_batch_create, "/v1/messages/batches");
    if (p.size() == 3 && get) return an(Endpoint::anthropic_batch_list, "/v1/messages/batches");
    if (p.size() == 4 && get) return an(Endpoint::anthropic_batch_get, "/v1/messages/batches/{id}", p[3]);
    if (p.size() == 4 && del) return an(Endpoint::anthropic_batch_delete, "/v1/messages/batches/{id}", p[3]);
    if (p.size() == 5 && p[4] == "cancel" && post)
      return an(Endpoint::anthropic_batch_cancel, "/v1/messages/batches/{id}/cancel", p[3]);
    if (p.size() == 5 && p[4] == "results" && get)
      return an(Endpoint::anthropic_batch_results, "/v1/messages/batches/{id}/results", p[3]);
  }
  return an(Endpoint::none, "/v1/messages/(unknown)");
}

RouteMatch match_gemini(const std::string& method, const std::vector<std::string>& p, bool has_upload_id) {
  const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
  RouteMatch match;
  auto gm = [&](Endpoint endpoint, const std::string& version, const std::string& name) {
    RouteMatch m = make(Api::gemini, endpoint, method + " " + name);
    m.version = version;
    return m;
  };
  // /upload/{v}/files[?upload_id=]
  if (p.size() == 3 && p[0] == "upload" && is_gemini_version(p[1]) && p[2] == "files" &&
      (post || method == "PUT")) {
    if (has_upload_id) return gm(Endpoint::upload_chunk, p[1], "/upload/" + p[1] + "/files?upload_id");
    return gm(Endpoint::upload_start, p[1], "/upload/" + p[1] + "/files");
  }
  // /download/{v}/files/{id}:download
  if (p.size() == 4 && p[0] == "download" && is_gemini_version(p[1]) && p[2] == "files" && get) {
    auto [id, verb] = split_verb(p[3]);
    if (verb != "download") return {};
    match = gm(Endpoint::file_download, p[1], "/download/" + p[1] + "/files/{id}:download");
    match.id = id;
    return match;
  }
  if (p.empty() || !is_gemini_version(p[0])) return {};
  const std::string& v = p[0];
  if (p.size() >= 2 && p[1] == "files") {
    if (p.size() == 2 && get) return gm(Endpoint::file_list, v, "/" + v + "/files");
    if (p.size() == 3) {
      auto [id, verb] = split_verb(p[2]);
      if (verb == "download" && get)
        match = gm(Endpoint::file_download, v, "/" + v + "/files/{id}:download");
      else if (verb.empty() && get)
        match = gm(Endpoint::file_get, v, "/" + v + "/files/{id}");
      else if (verb.empty() && del)
        match = gm(Endpoint::file_delete, v, "/" + v + "/files/{id}");
      else
        return {};
      match.id = id;
      return match;
    }
  }
  if (p.size() >= 2 && p[1] == "batches") {
    if (p.size() == 2 && get) return gm(Endpoint::batch_list, v, "/" + v + "/batches");
    if (p.size() == 3) {
      auto [id, verb] = split_verb(p[2]);
      if (verb.empty() && get)
        match = gm(Endpoint::batch_get, v, "/" + v + "/batches/{id}");
      else if (verb.empty() && del)
        match = gm(Endpoint::batch_delete, v, "/" + v + "/batches/{id}");
      else if (verb == "cancel" && post)
        match = gm(Endpoint::batch_cancel, v, "/" + v + "/batches/{id}:cancel");
      else if (verb == "delete" && post)
        match = gm(Endpoint::batch_delete, v, "/" + v + "/batches/{id}:delete");
      else
        return {};
      match.id = id;
      return match;
    }
  }
  if (p.size() == 3 && p[1] == "models" && post) {
    auto [model, verb] = split_verb(p[2]);
    if (verb == "batchGenerateContent") {
      match = gm(Endpoint::batch_create, v, "/" + v + "/models/{model}:batchGenerateContent");
    } else if (verb == "generateContent") {
      match = gm(Endpoint::generate_content, v, "/" + v + "/models/{model}:generateContent");
    } else {
      return {};
    }
    match.model = model;
    return match;
  }
  return {};
}

}  // namespace

RouteMatch match_route(const std::string& method, const std::string& path, bool has_upload_id) {
  auto parts = split_path(path);
  if (!parts.empty() && parts[0] == "_emulator") {
    if (parts.size() == 2 && parts[1] == "stats" && method == "GET")
      return make(Api::control, Endpoint::control_stats, "GET /_emulator/stats");
    if (parts.size() == 2 && parts[1] == "faults" && method == "GET")
      return make(Api::control, Endpoint::control_get_faults, "GET /_emulator/faults");
    if (parts.size() == 2 && parts[1] == "faults" && method == "POST")
      return make(Api::control, Endpoint::control_set_faults, "POST /_emulator/faults");
    if (parts.size() == 2 && parts[1] == "reset-stats" && method == "POST")
      return make(Api::control, Endpoint::control_reset_stats, "POST /_emulator/reset-stats");
    return make(Api::control, Endpoint::none, method + " " + path);
  }
  RouteMatch match = match_braintrust(method, parts);
  if (match.endpoint != Endpoint::none) return match;
  match = match_anthropic(method, parts);
  if (match.api == Api::anthropic) return match;
  match = match_gemini(method, parts, has_upload_id);
  if (match.endpoint != Endpoint::none) return match;
  return make(Api::unknown, Endpoint::none, "unmatched");
}

}  // namespace pipehost::emulator
