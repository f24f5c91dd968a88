#include "emulator/stats/stats.hpp"

namespace pipehost::emulator {

namespace {
// Present even when zero, so tests can rely on them.
const char* const kCounters[] = {
    "uploaded_bytes",          "key_in_query",           "downloads",
    "downloaded_bytes",        "batch_create_attempts",  "batches_created",
    "batch_lines_processed",   "generate_content_calls", "auth_failures",
    "braintrust_insert_calls", "braintrust_logs3_calls", "braintrust_rows_written",
    "upload_sessions",         "files_finalized"};
const char* const kGroups[] = {"batch_creates_by_display_name", "requests_by_route"};
}  // namespace

void Stats::add(const std::string& counter, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  counters_[counter] += delta;
}

void Stats::add_keyed(const std::string& group, const std::string& key, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  groups_[group][key] += delta;
}

std::int64_t Stats::counter(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

boost::json::object Stats::to_json() const {
  std::lock_guard lock(mutex_);
  boost::json::object out;
  for (const char* name : kCounters) out[name] = 0;
  for (const auto& [name, value] : counters_) out[name] = value;
  for (const char* name : kGroups) out[name] = boost::json::object();
  for (const auto& [group, members] : groups_) {
    boost::json::object object;
    for (const auto& [key, value] : members) object[key] = value;
    out[group] = std::move(object);
  }
  return out;
}

void Stats::reset() {
  std::lock_guard lock(mutex_);
  counters_.clear();
  groups_.clear();
}

}  // namespace pipehost::emulator
