// One Anthropic Message Batch and its state: in_progress → (canceling →) ended. The batch ends
// `batch_ms` after creation (or shortly after a cancel: min(batch_ms / 4, 200 ms)), once its
// results file is written. Request counts stay in `processing` until the batch has ended.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "emulator/util/time_format.hpp"

namespace pipehost::emulator::anthropic {

/// How the requests that get processed end, drawn at create (batch_fail / batch_expire faults).
enum class BatchFate { answer, error, expire };

/// Per-request faults, fixed at create so a batch is reproducible.
struct ResultFaults {
  double line_error = 0;
  double fenced = 0;
  double prose = 0;
};

struct RequestCounts {
  std::int64_t processing = 0;
  std::int64_t succeeded = 0;
  std::int64_t errored = 0;
  std::int64_t canceled = 0;
  std::int64_t expired = 0;
};

struct MessageBatch {
  // Fixed at create.
  std::string id;  // "msgbatch_01..."
  WallClock::time_point created;
  std::chrono::milliseconds duration{0};
  BatchFate fate = BatchFate::answer;
  std::uint64_t seed = 0;
  ResultFaults faults;
  std::int64_t request_count = 0;
  std::filesystem::path requests_path;  // JSONL {"custom_id","params"}, input order
  std::filesystem::path results_path;   // JSONL results, written when the batch ends

  // Set (under mutex, then `changed` notified) at emulator shutdown; also read while writing results.
  std::atomic<bool> stop{false};

  // Guarded by mutex; `changed` is notified on cancel and stop.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::optional<WallClock::time_point> cancel_initiated;
  std::optional<WallClock::time_point> ended;  // results written
  RequestCounts final_counts;
  bool results_available = false;

  /// When processing should stop: created + duration, or sooner after a cancel. Lock held.
  WallClock::time_point end_target_locked() const;
  /// How many requests (in input order) were processed before the cancel; all without one.
  std::int64_t processed_before_cancel() const;
  bool is_ended() const;
  /// The MessageBatch object; `base_url` makes results_url absolute.
  boost::json::object to_json(const std::string& base_url) const;
};

}  // namespace pipehost::emulator::anthropic
