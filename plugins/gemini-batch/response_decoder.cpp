#include "response_decoder.hpp"

#include <charconv>
#include <cmath>

#include <boost/json.hpp>

namespace pipehost::gemini {

namespace json = boost::json;

namespace {

const json::value* find(const json::object& object, std::string_view camel, std::string_view snake = {}) {
  if (auto* v = object.if_contains(camel)) return v;
  if (!snake.empty()) return object.if_contains(snake);
  return nullptr;
}

const json::object* find_object(const json::object& object, std::string_view camel,
                                std::string_view snake = {}) {
  auto* v = find(object, camel, snake);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string find_string(const json::object& object, std::string_view camel, std::string_view snake = {}) {
  auto* v = find(object, camel, snake);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// int64 fields arrive as strings (proto3 JSON), int32 as numbers; accept both.
std::int64_t find_int(const json::object& object, std::string_view camel, std::string_view snake = {}) {
  auto* v = find(object, camel, snake);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  if (v->is_string()) {
    std::int64_t out = 0;
    auto s = v->get_string();
    std::from_chars(s.data(), s.data() + s.size(), out);
    return out;
  }
  return 0;
}

Status parse_object(std::string_view text, json::value& value, std::string_view what) {
  boost::system::error_code ec;
  value = json::parse(text, ec);
  if (ec) return Status::fatal(std::string(what) + " is not valid JSON: " + ec.message());
  if (!value.is_object()) return Status::fatal(std::string(what) + " is not a JSON object");
  return Status::ok();
}

std::string key_text(const json::value& key) {
  if (key.is_string()) return std::string(key.get_string());
  return json::serialize(key);
}

ResponseError rpc_error(const json::object& error) {
  ResponseError out;
  std::int64_t code = find_int(error, "code");
  std::string status = find_string(error, "status");
  out.code = !status.empty() ? status : std::to_string(code);
  out.message = find_string(error, "message");
  if (out.message.empty())
    out.message = "error " + std::to_string(code) + (status.empty() ? "" : " " + status);
  out.retryable = is_retryable_rpc_error(code, status);
  return out;
}

/// Gemini's finish reasons in the host's words.
FinishStatus finish_status(std::string_view reason) {
  if (reason.empty() || reason == "STOP") return FinishStatus::complete;
  if (reason == "MAX_TOKENS") return FinishStatus::truncated;
  for (std::string_view refused :
       {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY"})
    if (reason == refused) return FinishStatus::refused;
  if (reason.rfind("BLOCKED", 0) == 0) return FinishStatus::refused;
  return FinishStatus::error;
}

/// Fills text, finish reason, usage, grounding and model version from a GenerateContentResponse object.
void read_generate_content(const json::object& body, Response& response) {
  if (auto* candidates = find(body, "candidates"); candidates && candidates->is_array() &&
                                                   !candidates->get_array().empty() &&
                                                   candidates->get_array()[0].is_object()) {
    const auto& candidate = candidates->get_array()[0].get_object();
    response.finish_reason = find_string(candidate, "finishReason", "finish_reason");
    // Google Search grounding: the provider prices it per grounded prompt or per search query.
    if (auto* grounding = find_object(candidate, "groundingMetadata", "grounding_metadata")) {
      std::int64_t queries = 0;
      if (auto* list = find(*grounding, "webSearchQueries", "web_search_queries"); list && list->is_array())
        queries = static_cast<std::int64_t>(list->get_array().size());
      response.tool_uses.push_back({"web_search", queries, "search query", 0});
    }
    if (auto* content = find_object(candidate, "content")) {
      if (auto* parts = find(*content, "parts"); parts && parts->is_array()) {
        for (const auto& part : parts->get_array()) {
          if (!part.is_object()) continue;
          const auto& p = part.get_object();
          if (auto* thought = p.if_contains("thought"); thought && thought->is_bool() && thought->get_bool())
            continue;
          if (auto* text = p.if_contains("text"); text && text->is_string())
            response.text += text->get_string();
        }
      }
    }
  } else if (auto* feedback = find_object(body, "promptFeedback", "prompt_feedback")) {
    std::string reason = find_string(*feedback, "blockReason", "block_reason");
    if (!reason.empty()) {
      response.finish_reason = reason;
      response.error = ResponseError{"BLOCKED_" + reason, "the prompt was blocked (" + reason + ")", false};
    }
  }
  response.finish = finish_status(response.finish_reason);
  if (auto* usage = find_object(body, "usageMetadata", "usage_metadata")) {
    // promptTokenCount includes the cached tokens, as Usage::input_tokens does.
    response.usage.input_tokens = find_int(*usage, "promptTokenCount", "prompt_token_count");
    response.usage.output_tokens = find_int(*usage, "candidatesTokenCount", "candidates_token_count");
    response.usage.cached_input_tokens =
        find_int(*usage, "cachedContentTokenCount", "cached_content_token_count");
    response.usage.thinking_tokens = find_int(*usage, "thoughtsTokenCount", "thoughts_token_count");
  }
  response.model_version = find_string(body, "modelVersion", "model_version");
}

JobState state_from(std::string_view text) {
  // The wire says BATCH_STATE_*; the SDKs and docs sometimes say JOB_STATE_*. Same suffixes.
  auto strip = [&](std::string_view prefix) {
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  };
  strip("BATCH_STATE_");
  strip("JOB_STATE_");
  if (text == "SUCCEEDED") return JobState::succeeded;
  if (text == "FAILED") return JobState::failed;
  if (text == "CANCELLED") return JobState::cancelled;
  if (text == "EXPIRED") return JobState::expired;
  if (text == "RUNNING") return JobState::running;
  return JobState::pending;  // PENDING, UNSPECIFIED, QUEUED, unknown: not done yet
}

Status read_batch(const json::object& operation, BatchInfo& info) {
  // The batch fields live in `metadata` (Operation); a bare GenerateContentBatch has them at the top.
  const json::object* metadata = find_object(operation, "metadata");
  const json::object& batch = metadata ? *metadata : operation;
  info.name = find_string(operation, "name");
  if (info.name.empty()) info.name = find_string(batch, "name");
  if (info.name.empty()) return Status::fatal("batch resource without a name");
  info.display_name = find_string(batch, "displayName", "display_name");
  info.create_time = find_string(batch, "createTime", "create_time");
  if (auto* input = find_object(batch, "inputConfig", "input_config")) {
    info.input_file = find_string(*input, "fileName", "file_name");
  }
  std::string state = find_string(batch, "state");
  info.status = JobStatus{};
  info.status.state = state_from(state);
  bool done = false;
  if (auto* d = operation.if_contains("done"); d && d->is_bool()) done = d->get_bool();
  if (auto* stats = find_object(batch, "batchStats", "batch_stats")) {
    info.status.total = static_cast<std::uint64_t>(find_int(*stats, "requestCount", "request_count"));
    info.status.succeeded =
        static_cast<std::uint64_t>(find_int(*stats, "successfulRequestCount", "successful_request_count"));
    info.status.failed =
        static_cast<std::uint64_t>(find_int(*stats, "failedRequestCount", "failed_request_count"));
    info.status.pending =
        static_cast<std::uint64_t>(find_int(*stats, "pendingRequestCount", "pending_request_count"));
  }
  if (auto* error = find_object(operation, "error")) {
    info.status.message = find_string(*error, "message");
    // A finished operation with an error is a failed batch whatever the state field says.
    if (done && !is_terminal(info.status.state)) info.status.state = JobState::failed;
  }
  if (info.status.state == JobState::expired && info.status.message.empty()) {
    info.status.message = "the batch expired (pending or running for more than 48 hours); it has no results";
  }
  const json::object* output = find_object(batch, "output");
  if (!output) output = find_object(operation, "response");
  if (output) {
    info.responses_file = find_string(*output, "responsesFile", "responses_file");
    info.has_inline_responses = find(*output, "inlinedResponses", "inlined_responses") != nullptr;
  }
  return Status::ok();
}

}  // namespace

bool is_retryable_rpc_error(std::int64_t code, std::string_view status) {
  if (code == 408 || code == 429 || code == 500 || code == 502 || code == 503 || code == 504) return true;
  return status == "RESOURCE_EXHAUSTED" || status == "UNAVAILABLE" || status == "INTERNAL" ||
         status == "DEADLINE_EXCEEDED" || status == "ABORTED";
}

Status decode_output_line(std::string_view line, Response& response) {
  json::value value;
  Status parsed = parse_object(line, value, "batch output line");
  if (!parsed.is_ok()) return parsed;
  const auto& object = value.get_object();
  response = Response{};
  auto* key = object.if_contains("key");
  if (!key) {
    // Some tools echo the key as metadata.key (the inline-batch convention).
    if (auto* metadata = find_object(object, "metadata")) key = metadata->if_contains("key");
  }
  if (!key) return Status::fatal("batch output line has no key");
  response.key = key_text(*key);
  if (auto* error = find_object(object, "error")) {
    response.error = rpc_error(*error);
  } else if (auto* body = find_object(object, "response")) {
    read_generate_content(*body, response);
  } else {
    response.error =
        ResponseError{"MISSING_RESPONSE", "the batch output line has neither response nor error", true};
  }
  response.raw_json = std::string(line);
  return Status::ok();
}

Status decode_generate_content(std::string_view body, Response& response) {
  json::value value;
  Status parsed = parse_object(body, value, "generateContent response");
  if (!parsed.is_ok()) return parsed;
  read_generate_content(value.get_object(), response);
  response.raw_json = std::string(body);
  return Status::ok();
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  if (!text.ends_with('s')) return std::nullopt;
  text.remove_suffix(1);
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0 || !std::isfinite(seconds)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
}

Status api_error(std::string_view call, int http_status, std::string_view body,
                 std::string_view retry_after) {
  std::string status_name;
  std::string message;
  std::int64_t retry_ms = -1;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (!ec && value.is_object()) {
    if (auto* error = find_object(value.get_object(), "error")) {
      status_name = find_string(*error, "status");
      message = find_string(*error, "message");
      if (auto* details = find(*error, "details"); details && details->is_array()) {
        for (const auto& detail : details->get_array()) {
          if (!detail.is_object()) continue;
          const auto& d = detail.get_object();
          if (find_string(d, "@type").ends_with("google.rpc.RetryInfo")) {
            if (auto ms = parse_duration_ms(find_string(d, "retryDelay", "retry_delay"))) retry_ms = *ms;
          }
        }
      }
    }
  }
  if (message.empty()) {
    // Not a Google error envelope (a proxy or load balancer page): quote a little of it.
    message = std::string(body.substr(0, 200));
  }
  if (retry_ms < 0 && !retry_after.empty()) {
    std::int64_t seconds = 0;
    auto [end, parse_ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (parse_ec == std::errc{} && end == retry_after.data() + retry_after.size()) retry_ms = seconds * 1000;
  }
  std::string text = std::string(call) + ": HTTP " + std::to_string(http_status) +
                     (status_name.empty() ? "" : " " + status_name) + (message.empty() ? "" : ": " + message);
  if (http_status == 429 || http_status == 408 || http_status >= 500) return Status::retry(text, retry_ms);
  return Status::fatal(text);
}

Status decode_batch(std::string_view body, BatchInfo& info) {
  json::value value;
  Status parsed = parse_object(body, value, "batch resource");
  if (!parsed.is_ok()) return parsed;
  return read_batch(value.get_object(), info);
}

Status decode_batch_list(std::string_view body, std::vector<BatchInfo>& batches,
                         std::string& next_page_token) {
  json::value value;
  Status parsed = parse_object(body, value, "batch list");
  if (!parsed.is_ok()) return parsed;
  const auto& object = value.get_object();
  batches.clear();
  // The REST list answers `operations`; some versions say `batches`.
  const json::value* list = find(object, "operations");
  if (!list) list = find(object, "batches");
  if (list && list->is_array()) {
    for (const auto& entry : list->get_array()) {
      if (!entry.is_object()) continue;
      BatchInfo info;
      if (read_batch(entry.get_object(), info).is_ok()) batches.push_back(std::move(info));
    }
  }
  next_page_token = find_string(object, "nextPageToken", "next_page_token");
  return Status::ok();
}

Status for_each_inline_response(std::string_view body, const std::function<Status(Response&&)>& on_response) {
  json::value value;
  Status parsed = parse_object(body, value, "batch resource");
  if (!parsed.is_ok()) return parsed;
  const auto& operation = value.get_object();
  const json::object* metadata = find_object(operation, "metadata");
  const json::object* output = metadata ? find_object(*metadata, "output") : nullptr;
  if (!output) output = find_object(operation, "response");
  if (!output) return Status::fatal("the batch has no output");
  const json::object* wrapper = find_object(*output, "inlinedResponses", "inlined_responses");
  const json::value* list = wrapper ? find(*wrapper, "inlinedResponses", "inlined_responses") : nullptr;
  if (!list || !list->is_array()) return Status::fatal("the batch has no inline responses");
  for (const auto& entry : list->get_array()) {
    if (!entry.is_object()) continue;
    const auto& item = entry.get_object();
    Response response;
    if (auto* metadata_object = find_object(item, "metadata")) {
      if (auto* key = metadata_object->if_contains("key")) response.key = key_text(*key);
    }
    if (response.key.empty()) continue;
    if (auto* error = find_object(item, "error")) {
      response.error = rpc_error(*error);
    } else if (auto* body_object = find_object(item, "response")) {
      read_generate_content(*body_object, response);
    }
    response.raw_json = json::serialize(item);
    Status status = on_response(std::move(response));
    if (!status.is_ok()) return status;
  }
  return Status::ok();
}

}  // namespace pipehost::gemini
