// One Gemini batch job and its state machine: PENDING → RUNNING → SUCCEEDED | FAILED | EXPIRED,
// or CANCELLED on request. The state is derived from the clock (batch_ms) and from whether the
// background processing has finished.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <boost/json.hpp>

#include "emulator/util/time_format.hpp"

namespace pipehost::emulator {

enum class BatchState { pending, running, succeeded, failed, cancelled, expired };

const char* batch_state_name(BatchState state);  // "BATCH_STATE_SUCCEEDED", ...
bool is_terminal(BatchState state);

/// How the batch will end, drawn when it is created (batch_fail / batch_expire faults).
enum class BatchFate { succeed, fail, expire };

/// Per-line faults, fixed at create time so the batch is reproducible.
struct LineFaults {
  double line_error = 0;
  double fenced = 0;
  double prose = 0;
};

struct Batch {
  // Fixed at create.
  std::string id;  // without "batches/"
  std::string display_name;
  std::string model;                   // bare id, e.g. "gemini-2.5-flash"
  boost::json::object input_config;    // as echoed back (fileName or requests)
  std::string input_file_id;           // file mode
  boost::json::array inline_requests;  // inline mode
  bool inline_mode = false;
  WallClock::time_point created;
  std::chrono::milliseconds duration{0};
  BatchFate fate = BatchFate::succeed;
  std::uint64_t seed = 0;
  LineFaults line_faults;

  std::atomic<bool> stop{false};  // cancel / delete / shutdown

  // Guarded by mutex.
  mutable std::mutex mutex;
  bool processing_done = false;
  bool cancelled = false;
  std::string processing_error;  // non-empty: the batch ends FAILED with this message
  WallClock::time_point processed_at;
  WallClock::time_point cancelled_at;
  std::int64_t request_count = 0;
  std::int64_t succeeded_count = 0;
  std::int64_t failed_count = 0;
  std::string output_file_id;
  boost::json::array inlined_responses;

  BatchState state_at(WallClock::time_point now) const;
  /// The Operation JSON the REST API returns for this batch.
  boost::json::object operation(WallClock::time_point now) const;
};

}  // namespace pipehost::emulator
