#include "emulator/gemini/batch.hpp"

namespace pipehost::emulator {

namespace json = boost::json;

const char* batch_state_name(BatchState state) {
  switch (state) {
    case BatchState::pending:
      return "BATCH_STATE_PENDING";
    case BatchState::running:
      return "BATCH_STATE_RUNNING";
    case BatchState::succeeded:
      return "BATCH_STATE_SUCCEEDED";
    case BatchState::failed:
      return "BATCH_STATE_FAILED";
    case BatchState::cancelled:
      return "BATCH_STATE_CANCELLED";
    case BatchState::expired:
      return "BATCH_STATE_EXPIRED";
  }
  return "BATCH_STATE_UNSPECIFIED";
}

bool is_terminal(BatchState state) {
  return state != BatchState::pending && state != BatchState::running;
}

BatchState Batch::state_at(WallClock::time_point now) const {
  std::lock_guard lock(mutex);
  if (cancelled) return BatchState::cancelled;
  auto elapsed = now - created;
  if (elapsed < duration / 3) return BatchState::pending;
  if (elapsed < duration || !processing_done) return BatchState::running;
  if (!processing_error.empty()) return BatchState::failed;
  switch (fate) {
    case BatchFate::succeed:
      return BatchState::succeeded;
    case BatchFate::fail:
      return BatchState::failed;
    case BatchFate::expire:
      return BatchState::expired;
  }
  return BatchState::failed;
}

json::object Batch::operation(WallClock::time_point now) const {
  BatchState state = state_at(now);
  std::lock_guard lock(mutex);
  auto running_since = created + std::chrono::duration_cast<WallClock::duration>(duration / 3);
  auto natural_end =
      std::max(created + std::chrono::duration_cast<WallClock::duration>(duration), processed_at);
  WallClock::time_point updated = created;
  if (state == BatchState::running) updated = running_since;
  if (state == BatchState::cancelled) updated = cancelled_at;
  if (is_terminal(state) && state != BatchState::cancelled) updated = natural_end;

  json::object stats;
  std::int64_t total = request_count;
  if (total > 0) stats["requestCount"] = std::to_string(total);
  if (state == BatchState::succeeded) {
    if (succeeded_count > 0) stats["successfulRequestCount"] = std::to_string(succeeded_count);
    if (failed_count > 0) stats["failedRequestCount"] = std::to_string(failed_count);
  } else if (!is_terminal(state) && total > 0) {
    stats["pendingRequestCount"] = std::to_string(total);
  } else if (is_terminal(state) && total > 0) {
    stats["failedRequestCount"] = std::to_string(total);
  }

  json::object metadata;
  metadata["@type"] = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
  metadata["model"] = "models/" + model;
  metadata["displayName"] = display_name;
  metadata["inputConfig"] = input_config;
  metadata["createTime"] = rfc3339(created);
  metadata["updateTime"] = rfc3339(updated);
  if (is_terminal(state)) metadata["endTime"] = rfc3339(updated);
  metadata["batchStats"] = std::move(stats);
  metadata["state"] = batch_state_name(state);
  metadata["name"] = "batches/" + id;

  json::object out;
  out["name"] = "batches/" + id;
  if (state == BatchState::succeeded) {
    json::object output;
    if (inline_mode) {
      output["inlinedResponses"] = json::object{{"inlinedResponses", inlined_responses}};
    } else {
      output["responsesFile"] = "files/" + output_file_id;
    }
    metadata["output"] = output;
    json::object response = output;
    response["@type"] = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";
    out["metadata"] = std::move(metadata);
    out["done"] = true;
    out["response"] = std::move(response);
    return out;
  }
  out["metadata"] = std::move(metadata);
  if (is_terminal(state)) {
    out["done"] = true;
    json::object error;
    if (state == BatchState::cancelled) {
      error = {{"code", 1}, {"message", "The batch was cancelled."}, {"status", "CANCELLED"}};
    } else if (state == BatchState::expired) {
      error = {{"code", 4},
               {"message", "The batch expired before it could be processed."},
               {"status", "DEADLINE_EXCEEDED"}};
    } else {
      std::string message =
          processing_error.empty() ? "The batch failed (emulated batch_fail fault)." : processing_error;
      error = {{"code", 13}, {"message", message}, {"status", "INTERNAL"}};
    }
    out["error"] = std::move(error);
  }
  return out;
}

}  // namespace pipehost::emulator
