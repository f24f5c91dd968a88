// One OpenAI batch and its status, derived from the clock and from how far its worker got:
//
//   validating   the first quarter of batch_ms (and until the input file is validated)
//   failed       after validating, when the input file is invalid (errors.data) or batch_fail hit
//   in_progress  from 1/4 of batch_ms until the lines are answered (paced over 1/4..3/4)
//   finalizing   from then until batch_ms has passed and the output files are written
//   completed    afterwards; output_file_id / error_file_id appear here (null when empty)
//   expired      batch_expire: at batch_ms, half the lines answered, the rest batch_expired
//   cancelling   from the cancel request until the worker has stopped and min(batch_ms/4, 1 s)
//                has passed, then cancelled (with the partial output written so far)
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "emulator/openai/prompt.hpp"
#include "emulator/util/time_format.hpp"

namespace pipehost::emulator::openai {

enum class Status { validating, failed, in_progress, finalizing, completed, expired, cancelling, cancelled };

const char* status_name(Status status);  // "in_progress", ...
bool is_terminal(Status status);

/// How the batch will end, drawn when it is created (batch_fail / batch_expire faults).
enum class Fate { complete, fail, expire };

/// Per-line faults, fixed at create time so the batch is reproducible.
struct LineFaults {
  double line_error = 0;
  double fenced = 0;
  double prose = 0;
};

/// An entry of the batch's errors.data (why the input file failed validation).
struct BatchError {
  std::string code;
  std::optional<std::int64_t> line;  // 1-based line of the input file
  std::string message;
  std::optional<std::string> param;
};

struct Batch {
  // Fixed at create.
  std::string id;  // "batch_..."
  std::string endpoint;
  ModelEndpoint model_endpoint = ModelEndpoint::chat_completions;
  std::string input_file_id;
  std::filesystem::path input_path;  // read even if the file is deleted meanwhile
  std::string completion_window;
  boost::json::value metadata;  // object or null, echoed
  std::string name;             // metadata.name, "" without it (stats)
  WallClock::time_point created;
  std::chrono::milliseconds duration{0};
  Fate fate = Fate::complete;
  std::uint64_t seed = 0;
  LineFaults line_faults;

  // Guarded by mutex.
  mutable std::mutex mutex;
  std::condition_variable wake;  // notified on cancel and shutdown
  bool stop = false;             // the worker stops answering (cancel, shutdown)
  std::optional<WallClock::time_point> cancel_requested_at;
  std::optional<WallClock::time_point> validated_at;
  std::vector<BatchError> errors;  // non-empty: the batch ends failed
  std::string model;               // of the input lines, once validated
  std::optional<WallClock::time_point> answering_started_at;
  std::optional<WallClock::time_point> answering_done_at;
  std::optional<WallClock::time_point> worker_done_at;  // output files written (or nothing to write)
  std::int64_t total = 0;
  std::int64_t completed = 0;
  std::int64_t failed = 0;
  std::int64_t input_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t output_tokens = 0;
  std::string output_file_id;  // empty: none
  std::string error_file_id;   // empty: none

  /// The start of line `index` of `count` on the in_progress schedule.
  WallClock::time_point line_due(std::int64_t index, std::int64_t count) const;

  Status status_at(WallClock::time_point now) const;
  /// Starts cancelling (stops the worker); returns the terminal status that prevents it, or
  /// nullopt (also while an earlier cancel is still under way).
  std::optional<Status> request_cancel(WallClock::time_point now);
  /// The Batch object the REST API returns (every field, null where unset).
  boost::json::object to_json(WallClock::time_point now) const;

 private:
  Status status_locked(WallClock::time_point now) const;
  WallClock::time_point at_fraction(int quarters) const;
  std::chrono::milliseconds cancel_delay() const;
};

}  // namespace pipehost::emulator::openai
