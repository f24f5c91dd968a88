#include "emulator/openai/batch.hpp"

#include <algorithm>

#include "emulator/openai/ids.hpp"

namespace pipehost::emulator::openai {

namespace json = boost::json;

namespace {

constexpr auto kCompletionWindow = std::chrono::hours(24);
constexpr auto kMaxCancelDelay = std::chrono::milliseconds(1000);

json::value seconds_or_null(const std::optional<WallClock::time_point>& when) {
  return when ? json::value(unix_seconds(*when)) : json::value(nullptr);
}

template <class T>
json::value or_null(const std::optional<T>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace

const char* status_name(Status status) {
  switch (status) {
    case Status::validating:
      return "validating";
    case Status::failed:
      return "failed";
    case Status::in_progress:
      return "in_progress";
    case Status::finalizing:
      return "finalizing";
    case Status::completed:
      return "completed";
    case Status::expired:
      return "expired";
    case Status::cancelling:
      return "cancelling";
    case Status::cancelled:
      return "cancelled";
  }
  return "failed";
}

bool is_terminal(Status status) {
  return status == Status::failed || status == Status::completed || status == Status::expired ||
         status == Status::cancelled;
}

WallClock::time_point Batch::at_fraction(int quarters) const {
  return created + std::chrono::duration_cast<WallClock::duration>(duration * quarters / 4);
}

std::chrono::milliseconds Batch::cancel_delay() const {
  return std::min<std::chrono::milliseconds>(duration / 4, kMaxCancelDelay);
}

WallClock::time_point Batch::line_due(std::int64_t index, std::int64_t count) const {
  auto span = std::chrono::duration_cast<WallClock::duration>(duration / 2);
  return at_fraction(1) + span * (index + 1) / std::max<std::int64_t>(count, 1);
}

Status Batch::status_at(WallClock::time_point now) const {
  std::lock_guard lock(mutex);
  return status_locked(now);
}

std::optional<Status> Batch::request_cancel(WallClock::time_point now) {
  std::lock_guard lock(mutex);
  Status status = status_locked(now);
  if (cancel_requested_at) return status == Status::cancelled ? std::optional(status) : std::nullopt;
  if (is_terminal(status)) return status;
  cancel_requested_at = now;
  stop = true;
  wake.notify_all();
  return std::nullopt;
}

Status Batch::status_locked(WallClock::time_point now) const {
  if (cancel_requested_at) {
    bool stopped = worker_done_at.has_value();
    return stopped && now > *cancel_requested_at + cancel_delay() ? Status::cancelled : Status::cancelling;
  }
  if (now < at_fraction(1) || !validated_at) return Status::validating;
  if (!errors.empty()) return Status::failed;
  bool done = worker_done_at.has_value();
  if (fate == Fate::expire) return done && now >= at_fraction(4) ? Status::expired : Status::in_progress;
  if (!answering_done_at || now < at_fraction(3)) return Status::in_progress;
  if (!done || now < at_fraction(4)) return Status::finalizing;
  return Status::completed;
}

json::object Batch::to_json(WallClock::time_point now) const {
  std::lock_guard lock(mutex);
  Status status = status_locked(now);
  auto later = [](WallClock::time_point a, const std::optional<WallClock::time_point>& b) {
    return b ? std::max(a, *b) : a;
  };
  std::optional<WallClock::time_point> in_progress_at, finalizing_at, completed_at, failed_at, expired_at,
      cancelled_at;
  bool ran =
      validated_at && errors.empty() && (!cancel_requested_at || *cancel_requested_at >= at_fraction(1));
  if (status != Status::validating && status != Status::failed && ran) in_progress_at = at_fraction(1);
  if (status == Status::finalizing || status == Status::completed)
    finalizing_at = later(at_fraction(3), answering_done_at);
  if (status == Status::completed) completed_at = later(at_fraction(4), worker_done_at);
  if (status == Status::failed) failed_at = later(at_fraction(1), validated_at);
  if (status == Status::expired) expired_at = later(at_fraction(4), worker_done_at);
  if (status == Status::cancelled)
    cancelled_at = later(*cancel_requested_at + cancel_delay(), worker_done_at);
  bool results = status == Status::completed || status == Status::expired || status == Status::cancelled;

  json::object out;
  out["id"] = id;
  out["object"] = "batch";
  out["endpoint"] = endpoint;
  out["model"] = model.empty() ? json::value(nullptr) : json::value(model);
  if (status == Status::failed) {
    json::array data;
    for (const auto& error : errors) {
      data.push_back(json::object{{"code", error.code},
                                  {"line", or_null(error.line)},
                                  {"message", error.message},
                                  {"param", or_null(error.param)}});
    }
    out["errors"] = json::object{{"object", "list"}, {"data", std::move(data)}};
  } else {
    out["errors"] = nullptr;
  }
  out["input_file_id"] = input_file_id;
  out["completion_window"] = completion_window;
  out["status"] = status_name(status);
  out["output_file_id"] =
      results && !output_file_id.empty() ? json::value(output_file_id) : json::value(nullptr);
  out["error_file_id"] =
      results && !error_file_id.empty() ? json::value(error_file_id) : json::value(nullptr);
  out["created_at"] = unix_seconds(created);
  out["in_progress_at"] = seconds_or_null(in_progress_at);
  out["expires_at"] = unix_seconds(created + kCompletionWindow);
  out["finalizing_at"] = seconds_or_null(finalizing_at);
  out["completed_at"] = seconds_or_null(completed_at);
  out["failed_at"] = seconds_or_null(failed_at);
  out["expired_at"] = seconds_or_null(expired_at);
  out["cancelling_at"] = seconds_or_null(cancel_requested_at);
  out["cancelled_at"] = seconds_or_null(cancelled_at);
  bool counted = status != Status::validating && validated_at && errors.empty();
  out["request_counts"] = json::object{{"total", counted ? total : 0},
                                       {"completed", counted ? completed : 0},
                                       {"failed", counted ? failed : 0}};
  out["usage"] = json::object{{"input_tokens", input_tokens},
                              {"input_tokens_details", json::object{{"cached_tokens", cached_tokens}}},
                              {"output_tokens", output_tokens},
                              {"output_tokens_details", json::object{{"reasoning_tokens", 0}}},
                              {"total_tokens", input_tokens + output_tokens}};
  out["metadata"] = metadata;
  return out;
}

}  // namespace pipehost::emulator::openai
