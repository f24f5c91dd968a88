#include "emulator/braintrust/log_store.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "emulator/braintrust/merge.hpp"
#include "emulator/server/http_message.hpp"
#include "emulator/util/ids.hpp"
#include "emulator/util/time_format.hpp"

namespace pipehost::emulator {

namespace json = boost::json;

json::object Project::to_json(const std::string& org_id) const {
  return {{"id", id},
          {"org_id", org_id},
          {"name", name},
          {"description", nullptr},
          {"created", created},
          {"deleted_at", nullptr},
          {"user_id", "00000000-0000-4000-8000-0000000000e1"},
          {"settings", nullptr}};
}

Project LogStore::register_project(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, project] : projects_) {
    if (project.name == name) return project;
  }
  Project project{uuid_like_id(0x9209EC7, next_project_++), name, iso8601_millis(WallClock::now())};
  projects_[project.id] = project;
  return project;
}

std::optional<Project> LogStore::project_by_id(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(id);
  if (it == projects_.end()) return std::nullopt;
  return it->second;
}

std::optional<Project> LogStore::project_by_name(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, project] : projects_) {
    if (project.name == name) return project;
  }
  return std::nullopt;
}

std::string LogStore::write(const std::string& project_id, const json::object& event) {
  std::lock_guard lock(mutex_);
  if (!projects_.count(project_id)) throw HttpError(404, "NOT_FOUND", "project " + project_id + " not found");
  std::string id;
  if (auto it = event.find("id");
      it != event.end() && it->value().is_string() && !it->value().get_string().empty()) {
    id = std::string(it->value().get_string());
  } else {
    id = uuid_like_id(0x80E, next_row_++);
  }
  auto flag = [&](const char* name) {
    auto it = event.find(name);
    return it != event.end() && it->value().is_bool() && it->value().get_bool();
  };
  bool is_merge = flag("_is_merge");
  bool object_delete = flag("_object_delete");
  std::vector<MergePath> merge_paths;
  if (auto it = event.find("_merge_paths"); it != event.end() && it->value().is_array()) {
    for (const auto& path : it->value().get_array()) {
      MergePath parts;
      if (const json::array* items = path.if_array()) {
        for (const auto& part : *items) {
          if (part.is_string()) parts.emplace_back(part.get_string());
        }
      }
      merge_paths.push_back(std::move(parts));
    }
  }
  json::object data;
  for (const auto& member : event) {
    std::string_view key = member.key();
    if (key == "_is_merge" || key == "_merge_paths" || key == "_array_delete" || key == "_object_delete" ||
        key == "log_id" || key == "project_id" || key == "_xact_id")
      continue;
    data[key] = member.value();
  }
  data["id"] = id;

  Row& row = rows_[{project_id, id}];
  bool existed = row.xact_id != 0 && !row.deleted;
  if (object_delete) {
    row.deleted = true;
  } else if (is_merge && existed) {
    merge_row(row.data, data, merge_paths);
  } else {
    std::string created;
    if (existed) {
      if (auto it = row.data.find("created"); it != row.data.end() && it->value().is_string()) {
        created = std::string(it->value().get_string());
      }
    }
    row.data = std::move(data);
    row.deleted = false;
    if (!row.data.contains("created")) {
      row.data["created"] = created.empty() ? iso8601_millis(WallClock::now()) : created;
    }
  }
  if (auto it = event.find("_array_delete"); it != event.end() && it->value().is_array()) {
    apply_array_delete(row.data, it->value().get_array());
  }
  row.xact_id = next_xact_++;
  ++writes_;
  return id;
}

FetchPage LogStore::fetch(const std::string& project_id, std::optional<std::size_t> limit,
                          const std::optional<std::string>& cursor) const {
  std::lock_guard lock(mutex_);
  if (!projects_.count(project_id)) throw HttpError(404, "NOT_FOUND", "project " + project_id + " not found");
  std::uint64_t below = UINT64_MAX;
  if (cursor && !cursor->empty()) {
    auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), below);
    if (ec != std::errc() || end != cursor->data() + cursor->size()) {
      throw HttpError(400, "INVALID_ARGUMENT", "invalid cursor");
    }
  }
  std::vector<const Row*> selected;
  for (const auto& [key, row] : rows_) {
    if (key.first == project_id && !row.deleted && row.xact_id < below) selected.push_back(&row);
  }
  std::sort(selected.begin(), selected.end(),
            [](const Row* a, const Row* b) { return a->xact_id > b->xact_id; });

  FetchPage page;
  std::set<std::string> traces;
  std::uint64_t last_xact = 0;
  for (const Row* row : selected) {
    std::string id = std::string(row->data.at("id").get_string());
    std::string span_id = id, root_span_id;
    if (auto it = row->data.find("span_id"); it != row->data.end() && it->value().is_string()) {
      span_id = std::string(it->value().get_string());
    }
    root_span_id = span_id;
    if (auto it = row->data.find("root_span_id"); it != row->data.end() && it->value().is_string()) {
      root_span_id = std::string(it->value().get_string());
    }
    if (limit && !traces.count(root_span_id) && traces.size() >= *limit) break;
    traces.insert(root_span_id);
    json::object event = row->data;
    event["_xact_id"] = std::to_string(row->xact_id);
    event["org_id"] = kOrgId;
    event["project_id"] = project_id;
    event["log_id"] = "g";
    event["span_id"] = span_id;
    event["root_span_id"] = root_span_id;
    auto parents = row->data.find("span_parents");
    event["is_root"] =
        parents == row->data.end() || !parents->value().is_array() || parents->value().get_array().empty();
    page.events.push_back(std::move(event));
    last_xact = row->xact_id;
  }
  if (!page.events.empty()) page.cursor = std::to_string(last_xact);
  return page;
}

std::int64_t LogStore::distinct_rows() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(rows_.size());
}

std::int64_t LogStore::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

}  // namespace pipehost::emulator
