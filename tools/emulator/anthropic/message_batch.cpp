#include "emulator/anthropic/message_batch.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

constexpr auto kMaxCancelGrace = std::chrono::milliseconds(200);
constexpr auto kExpiry = std::chrono::hours(24);

json::value time_or_null(const std::optional<WallClock::time_point>& when) {
  return when ? json::value(rfc3339(*when)) : json::value(nullptr);
}

}  // namespace

WallClock::time_point MessageBatch::end_target_locked() const {
  auto natural = created + std::chrono::duration_cast<WallClock::duration>(duration);
  if (!cancel_initiated) return natural;
  auto grace = std::min<std::chrono::milliseconds>(duration / 4, kMaxCancelGrace);
  return std::min(natural, *cancel_initiated + std::chrono::duration_cast<WallClock::duration>(grace));
}

std::int64_t MessageBatch::processed_before_cancel() const {
  std::lock_guard lock(mutex);
  if (!cancel_initiated || duration.count() <= 0) return request_count;
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(*cancel_initiated - created).count();
  auto total = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  if (elapsed >= total) return request_count;
  // Requests finish evenly over `duration`, in input order.
  return elapsed <= 0 ? 0 : static_cast<std::int64_t>((static_cast<double>(elapsed) / total) * request_count);
}

bool MessageBatch::is_ended() const {
  std::lock_guard lock(mutex);
  return ended.has_value();
}

json::object MessageBatch::to_json(const std::string& base_url) const {
  std::lock_guard lock(mutex);
  RequestCounts counts = final_counts;
  const char* status = "in_progress";
  if (ended) {
    status = "ended";
  } else {
    counts = RequestCounts{};
    counts.processing = request_count;
    if (cancel_initiated) status = "canceling";
  }
  json::value results_url = nullptr;
  if (ended) results_url = base_url + "/v1/messages/batches/" + id + "/results";
  return {{"id", id},
          {"type", "message_batch"},
          {"processing_status", status},
          {"request_counts", json::object{{"processing", counts.processing},
                                          {"succeeded", counts.succeeded},
                                          {"errored", counts.errored},
                                          {"canceled", counts.canceled},
                                          {"expired", counts.expired}}},
          {"ended_at", time_or_null(ended)},
          {"created_at", rfc3339(created)},
          {"expires_at", rfc3339(created + std::chrono::duration_cast<WallClock::duration>(kExpiry))},
          {"archived_at", nullptr},
          {"cancel_initiated_at", time_or_null(cancel_initiated)},
          {"results_url", std::move(results_url)}};
}

}  // namespace pipehost::emulator::anthropic
