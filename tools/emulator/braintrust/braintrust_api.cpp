#include "emulator/braintrust/braintrust_api.hpp"

#include <charconv>

#include "emulator/util/json_util.hpp"

namespace pipehost::emulator {

namespace {

json::object parse_body(Request& request, bool allow_empty = false) {
  std::string body = request.body->read_all();
  if (body.empty() && allow_empty) return {};
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object())
    throw HttpError(400, "INVALID_ARGUMENT", "request body is not a JSON object");
  return std::move(parsed.get_object());
}

Response ok(const json::value& value) {
  return Response::json(200, json::serialize(value));
}

}  // namespace

Response braintrust_error(unsigned status, const std::string& message) {
  return Response::json(status, json::serialize(json::object{{"error", json::object{{"message", message}}}}));
}

Response BraintrustApi::login() {
  json::object org{{"id", LogStore::kOrgId},       {"name", LogStore::kOrgName},
                   {"api_url", context_.base_url}, {"proxy_url", context_.base_url},
                   {"realtime_url", nullptr},      {"git_metadata", nullptr}};
  return ok(json::object{{"org_info", json::array{org}}});
}

Response BraintrustApi::register_project(Request& request) {
  json::object body = parse_body(request, true);
  std::string name = string_or(body, {"project_name"}, "Global");
  return ok(json::object{{"project", store_.register_project(name).to_json(LogStore::kOrgId)}});
}

Response BraintrustApi::get_project_by_query(const Request& request) {
  return get_project(request.query_value("id"));
}

Response BraintrustApi::get_project(const std::string& id) {
  auto project = store_.project_by_id(id);
  if (!project) throw HttpError(404, "NOT_FOUND", "project " + id + " not found");
  return ok(project->to_json(LogStore::kOrgId));
}

Response BraintrustApi::version() {
  // No logs3_payload_max_bytes: the SDK then never uses the overflow upload path.
  return ok(json::object{{"version", "pipehost-emulator"}});
}

Response BraintrustApi::logs3(Request& request) {
  context_.stats.add("braintrust_logs3_calls");
  json::object body = parse_body(request);
  const json::value* rows = find_any(body, {"rows"});
  if (!rows || !rows->is_array()) {
    throw HttpError(400, "INVALID_ARGUMENT",
                    "logs3: \"rows\" must be an array (overflow uploads are not emulated)");
  }
  json::array ids;
  for (const auto& row : rows->get_array()) {
    const json::object* event = row.if_object();
    if (!event) throw HttpError(400, "INVALID_ARGUMENT", "logs3: every row must be an object");
    std::string project_id = string_or(*event, {"project_id"});
    if (project_id.empty()) {
      throw HttpError(400, "INVALID_ARGUMENT",
                      "logs3: only project logs are emulated (row has no project_id)");
    }
    ids.push_back(json::value(store_.write(project_id, *event)));
    context_.stats.add("braintrust_rows_written");
  }
  return ok(json::object{{"ids", std::move(ids)}});
}

Response BraintrustApi::create_project(Request& request) {
  json::object body = parse_body(request);
  std::string name = string_or(body, {"name"});
  if (name.empty()) throw HttpError(400, "INVALID_ARGUMENT", "project name is required");
  return ok(store_.register_project(name).to_json(LogStore::kOrgId));
}

Response BraintrustApi::list_projects(const Request& request) {
  json::array objects;
  std::string name = request.query_value("project_name");
  if (name.empty()) name = request.query_value("name");
  if (!name.empty()) {
    if (auto project = store_.project_by_name(name)) objects.push_back(project->to_json(LogStore::kOrgId));
  }
  return ok(json::object{{"objects", std::move(objects)}});
}

Response BraintrustApi::insert(Request& request, const std::string& project_id) {
  context_.stats.add("braintrust_insert_calls");
  json::object body = parse_body(request);
  const json::value* events = find_any(body, {"events"});
  if (!events || !events->is_array()) throw HttpError(400, "INVALID_ARGUMENT", "\"events\" must be an array");
  if (!store_.project_by_id(project_id))
    throw HttpError(404, "NOT_FOUND", "project " + project_id + " not found");
  json::array row_ids;
  for (const auto& item : events->get_array()) {
    const json::object* event = item.if_object();
    if (!event) throw HttpError(400, "INVALID_ARGUMENT", "every event must be an object");
    row_ids.push_back(json::value(store_.write(project_id, *event)));
    context_.stats.add("braintrust_rows_written");
  }
  return ok(json::object{{"row_ids", std::move(row_ids)}});
}

Response BraintrustApi::fetch(Request& request, const std::string& project_id) {
  std::optional<std::size_t> limit;
  std::optional<std::string> cursor;
  auto parse_limit = [&](const std::string& text) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      throw HttpError(400, "INVALID_ARGUMENT", "invalid limit");
    limit = value;
  };
  if (request.method == "POST") {
    json::object body = parse_body(request, true);
    if (auto it = body.find("limit"); it != body.end() && !it->value().is_null()) {
      if (!it->value().is_number()) throw HttpError(400, "INVALID_ARGUMENT", "invalid limit");
      limit = static_cast<std::size_t>(it->value().to_number<std::int64_t>());
    }
    if (auto it = body.find("cursor"); it != body.end() && it->value().is_string()) {
      cursor = std::string(it->value().get_string());
    }
  } else {
    if (request.has_query("limit")) parse_limit(request.query_value("limit"));
    if (request.has_query("cursor")) cursor = request.query_value("cursor");
  }
  FetchPage page = store_.fetch(project_id, limit, cursor);
  json::object out{{"events", std::move(page.events)}};
  out["cursor"] = page.cursor ? json::value(*page.cursor) : json::value(nullptr);
  return ok(out);
}

}  // namespace pipehost::emulator
