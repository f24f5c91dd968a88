#include "connection_pool.hpp"

namespace pipehost::net {

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin) {
  std::vector<std::unique_ptr<Connection>> dead;  // closed outside the lock
  std::unique_ptr<Connection> found;
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    auto now = Connection::Clock::now();
    while (!list.empty() && !found) {
      // Most recently used first: it is the least likely to have been closed by the server.
      auto candidate = std::move(list.back());
      list.pop_back();
      if (now - candidate->idle_since > max_idle_time_ || candidate->stale()) {
        dead.push_back(std::move(candidate));
      } else {
        found = std::move(candidate);
      }
    }
  }
  return found;
}

void ConnectionPool::give_back(const std::string& origin, std::unique_ptr<Connection> connection) {
  if (max_idle_per_origin_ == 0) return;
  connection->idle_since = Connection::Clock::now();
  std::unique_ptr<Connection> evicted;
  std::lock_guard lock(mutex_);
  auto& list = idle_[origin];
  if (list.size() >= max_idle_per_origin_) {
    evicted = std::move(list.front());
    list.erase(list.begin());
  }
  list.push_back(std::move(connection));
}

}  // namespace pipehost::net
