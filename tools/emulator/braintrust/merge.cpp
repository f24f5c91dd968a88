#include "emulator/braintrust/merge.hpp"

#include <algorithm>

namespace pipehost::emulator {

namespace json = boost::json;

namespace {

bool stops_here(const std::vector<MergePath>& merge_paths, const MergePath& path) {
  return std::find(merge_paths.begin(), merge_paths.end(), path) != merge_paths.end();
}

void merge_objects(json::object& target, const json::object& update,
                   const std::vector<MergePath>& merge_paths, MergePath& path) {
  for (const auto& member : update) {
    path.emplace_back(member.key());
    auto existing = target.find(member.key());
    bool both_objects =
        existing != target.end() && existing->value().is_object() && member.value().is_object();
    if (path.size() == 1 && member.key() == "tags" && existing != target.end() &&
        existing->value().is_array() && member.value().is_array()) {
      json::array& tags = existing->value().get_array();
      for (const auto& tag : member.value().get_array()) {
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
      }
    } else if (both_objects && !stops_here(merge_paths, path)) {
      merge_objects(existing->value().get_object(), member.value().get_object(), merge_paths, path);
    } else {
      target[member.key()] = member.value();
    }
    path.pop_back();
  }
}

}  // namespace

void merge_row(json::object& row, const json::object& update, const std::vector<MergePath>& merge_paths) {
  MergePath path;
  merge_objects(row, update, merge_paths, path);
}

void apply_array_delete(json::object& row, const json::array& deletions) {
  for (const auto& deletion : deletions) {
    const json::object* spec = deletion.if_object();
    if (!spec) continue;
    auto path_it = spec->find("path");
    auto delete_it = spec->find("delete");
    if (path_it == spec->end() || delete_it == spec->end() || !path_it->value().is_array() ||
        !delete_it->value().is_array())
      continue;
    json::value* node = nullptr;
    json::object* current = &row;
    const auto& path = path_it->value().get_array();
    for (std::size_t i = 0; i < path.size() && current; ++i) {
      if (!path[i].is_string()) {
        current = nullptr;
        break;
      }
      auto it = current->find(path[i].get_string());
      if (it == current->end()) {
        current = nullptr;
        break;
      }
      node = &it->value();
      current = i + 1 < path.size() ? node->if_object() : current;
    }
    if (!current || !node || !node->is_array()) continue;
    json::array& values = node->get_array();
    const json::array& remove = delete_it->value().get_array();
    json::array kept;
    for (const auto& value : values) {
      if (std::find(remove.begin(), remove.end(), value) == remove.end()) kept.push_back(value);
    }
    values = std::move(kept);
  }
}

}  // namespace pipehost::emulator
