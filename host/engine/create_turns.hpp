// The order in which batch jobs of a provider without job names get created.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace pipehost::engine {

/// Jobs of a JobLookup::by_listing provider are created one at a time, in the order they were
/// planned. A create whose answer was lost is then the only one in doubt, and every job planned
/// earlier already has its handle recorded: the earliest unclaimed job of the same size in the
/// provider's listing is this job's, never a sibling's whose create is in doubt at the same moment.
class CreateTurns {
 public:
  /// Queues a job; call in planning order.
  void enqueue(std::int64_t job_id) {
    std::lock_guard lock(mutex_);
    queue_.push_back(job_id);
  }
  /// Blocks until every job queued before `job_id` is done; false if `stopping` turned true first.
  bool wait_turn(std::int64_t job_id, const std::function<bool()>& stopping) {
    std::unique_lock lock(mutex_);
    while (queue_.empty() || queue_.front() != job_id) {
      if (stopping()) return false;
      turn_.wait_for(lock, std::chrono::milliseconds(100));
    }
    return true;
  }
  /// The job's create is settled (made, found, given up, or abandoned): the next job may go.
  void done(std::int64_t job_id) {
    {
      std::lock_guard lock(mutex_);
      queue_.erase(std::remove(queue_.begin(), queue_.end(), job_id), queue_.end());
    }
    turn_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  std::deque<std::int64_t> queue_;
};

}  // namespace pipehost::engine
