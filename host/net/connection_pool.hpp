// Idle keep-alive connections per origin ("scheme://host:port"), shared by every thread of a client.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connection.hpp"

namespace pipehost::net {

class ConnectionPool {
 public:
  ConnectionPool(std::size_t max_idle_per_origin, std::chrono::milliseconds max_idle_time)
      : max_idle_per_origin_(max_idle_per_origin), max_idle_time_(max_idle_time) {}

  /// A live idle connection to `origin`, or null. Dead and expired ones are dropped on the way.
  std::unique_ptr<Connection> take(const std::string& origin);
  /// Keeps `connection` for reuse unless the origin already has enough idle ones.
  void give_back(const std::string& origin, std::unique_ptr<Connection> connection);

 private:
  std::size_t max_idle_per_origin_;
  std::chrono::milliseconds max_idle_time_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>, std::less<>> idle_;
};

}  // namespace pipehost::net
