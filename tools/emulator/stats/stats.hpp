// Accounting that tests read through GET /_emulator/stats.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <boost/json/object.hpp>

namespace pipehost::emulator {

class Stats {
 public:
  /// Adds `delta` to a named counter (e.g. "uploaded_bytes").
  void add(const std::string& counter, std::int64_t delta = 1);
  /// Adds one to `group`[`key`] (e.g. "requests_by_route"["GET /v1beta/batches/{id}"]).
  void add_keyed(const std::string& group, const std::string& key, std::int64_t delta = 1);
  std::int64_t counter(const std::string& name) const;
  /// Every counter and group as JSON members (the always-present ones default to 0 / {}).
  boost::json::object to_json() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> counters_;
  std::map<std::string, std::map<std::string, std::int64_t>> groups_;
};

}  // namespace pipehost::emulator
