// BrainTrust projects and project-log rows, in memory so tests can read them back. Rows are
// upserted by (project_id, id): a replace unless `_is_merge`, each write gets a new increasing
// `_xact_id`; fetch returns the merged current rows newest first with cursor paging.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace pipehost::emulator {

struct Project {
  std::string id;
  std::string name;
  std::string created;
  boost::json::object to_json(const std::string& org_id) const;
};

struct FetchPage {
  boost::json::array events;
  std::optional<std::string> cursor;
};

class LogStore {
 public:
  static constexpr const char* kOrgId = "5d8c4b3a-0e1f-4a2b-9c3d-6e7f8a9b0c1d";
  static constexpr const char* kOrgName = "pipehost-emulator";

  /// Get-or-create by name.
  Project register_project(const std::string& name);
  std::optional<Project> project_by_id(const std::string& id) const;
  std::optional<Project> project_by_name(const std::string& name) const;

  /// Upserts one event (fields per the BrainTrust row format); returns its row id.
  std::string write(const std::string& project_id, const boost::json::object& event);
  /// Rows newest first by _xact_id; `limit` counts traces (root_span_id); cursor = exclusive bound.
  FetchPage fetch(const std::string& project_id, std::optional<std::size_t> limit,
                  const std::optional<std::string>& cursor) const;

  std::int64_t distinct_rows() const;
  std::int64_t writes() const;

 private:
  struct Row {
    boost::json::object data;  // without control fields
    std::uint64_t xact_id = 0;
    bool deleted = false;
  };

  mutable std::mutex mutex_;
  std::uint64_t next_project_ = 1;
  std::uint64_t next_row_ = 1;
  std::uint64_t next_xact_ = 1000;
  std::int64_t writes_ = 0;
  std::map<std::string, Project> projects_;                  // by id
  std::map<std::pair<std::string, std::string>, Row> rows_;  // (project_id, id)
};

}  // namespace pipehost::emulator
