#include "response_decoder.hpp"

#include <algorithm>
#include <cmath>

namespace pipehost::openai {
namespace {

const Value* member(const Value* object, std::string_view key) {
  return object && object->is_object() ? object->find(key) : nullptr;
}

std::string text_of(const Value* value) {
  return value && value->is_string() ? value->as_string() : std::string();
}

std::int64_t int_of(const Value* value) {
  if (!value) return 0;
  if (value->fits_int64()) return value->as_int();
  if (value->kind() == Value::Kind::number)
    return static_cast<std::int64_t>(std::llround(value->as_double()));
  return 0;
}

double number_of(const Value* value) {
  if (!value) return 0;
  if (value->kind() == Value::Kind::integer || value->kind() == Value::Kind::number)
    return value->as_double();
  return 0;
}

Status parse_object(std::string_view text, Value& value, std::string_view what) {
  std::string error;
  if (!parse_json(text, value, error))
    return Status::fatal(std::string(what) + " is not valid JSON: " + error);
  if (!value.is_object()) return Status::fatal(std::string(what) + " is not a JSON object");
  return Status::ok();
}

FinishStatus finish_status(std::string_view reason) {
  if (reason == "stop" || reason == "completed") return FinishStatus::complete;
  if (reason == "length" || reason == "max_output_tokens") return FinishStatus::truncated;
  if (reason == "content_filter" || reason == "refusal") return FinishStatus::refused;
  return FinishStatus::error;
}

/// Usage: input counts the cached tokens too (as the host's Usage wants); OpenAI's output counts the
/// reasoning tokens, which the host keeps apart.
void read_usage(const Value* usage, bool responses, Usage& out) {
  if (!usage || !usage->is_object()) return;
  out.input_tokens = int_of(member(usage, responses ? "input_tokens" : "prompt_tokens"));
  out.cached_input_tokens = int_of(
      member(member(usage, responses ? "input_tokens_details" : "prompt_tokens_details"), "cached_tokens"));
  out.cache_write_tokens = int_of(member(
      member(usage, responses ? "input_tokens_details" : "prompt_tokens_details"), "cache_write_tokens"));
  std::int64_t output = int_of(member(usage, responses ? "output_tokens" : "completion_tokens"));
  std::int64_t reasoning = int_of(member(
      member(usage, responses ? "output_tokens_details" : "completion_tokens_details"), "reasoning_tokens"));
  reasoning = std::clamp<std::int64_t>(reasoning, 0, output);
  out.thinking_tokens = reasoning;
  out.output_tokens = output - reasoning;
}

Status decode_chat(const Value& body, Response& out) {
  const Value* choices = body.find("choices");
  if (!choices || !choices->is_array() || choices->size() == 0)
    return Status::fatal("the chat completion has no choices");
  const Value& choice = (*choices)[0];
  const Value* message = member(&choice, "message");
  out.text = text_of(member(message, "content"));
  out.finish_reason = text_of(member(&choice, "finish_reason"));
  out.finish = finish_status(out.finish_reason);
  std::string refusal = text_of(member(message, "refusal"));
  if (!refusal.empty()) {
    out.finish = FinishStatus::refused;
    if (out.text.empty()) out.text = refusal;
  }
  read_usage(body.find("usage"), false, out.usage);
  return Status::ok();
}

Status decode_responses(const Value& body, Response& out) {
  const Value* output = body.find("output");
  if (!output || !output->is_array()) return Status::fatal("the response has no output");
  bool refused = false;
  for (const auto& item : output->items()) {
    if (text_of(member(&item, "type")) != "message") continue;  // reasoning items and tool calls
    const Value* content = member(&item, "content");
    if (!content || !content->is_array()) continue;
    for (const auto& part : content->items()) {
      std::string type = text_of(member(&part, "type"));
      if (type == "output_text") {
        out.text += text_of(member(&part, "text"));
      } else if (type == "refusal") {
        refused = true;
        if (out.text.empty()) out.text = text_of(member(&part, "refusal"));
      }
    }
  }
  std::string status = text_of(body.find("status"));
  std::string incomplete = text_of(member(body.find("incomplete_details"), "reason"));
  out.finish_reason = !incomplete.empty() ? incomplete : status.empty() ? "completed" : status;
  out.finish = refused ? FinishStatus::refused : finish_status(out.finish_reason);
  if (refused) out.finish_reason = "refusal";
  read_usage(body.find("usage"), true, out.usage);
  return Status::ok();
}

bool retryable_http(std::int64_t status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

}  // namespace

JobState job_state(std::string_view status) {
  if (status == "validating") return JobState::pending;
  if (status == "in_progress" || status == "finalizing" || status == "cancelling") return JobState::running;
  if (status == "completed") return JobState::succeeded;
  if (status == "failed") return JobState::failed;
  if (status == "expired") return JobState::expired;
  if (status == "cancelled") return JobState::cancelled;
  return JobState::running;
}

Status decode_body(const Value& body, Response& out) {
  if (!body.is_object()) return Status::fatal("the answer is not a JSON object");
  out.model_version = text_of(body.find("model"));
  std::string object = text_of(body.find("object"));
  if (object == "response" || (!body.find("choices") && body.find("output")))
    return decode_responses(body, out);
  return decode_chat(body, out);
}

ResponseError error_of(int http_status, const Value* body) {
  ResponseError error;
  const Value* detail = member(body, "error");
  std::string code = text_of(member(detail, "code"));
  if (code.empty()) code = text_of(member(detail, "type"));
  error.code = code.empty() ? std::to_string(http_status) : code;
  error.message = text_of(member(detail, "message"));
  if (error.message.empty()) error.message = "HTTP " + std::to_string(http_status);
  error.retryable = retryable_http(http_status);
  return error;
}

Status decode_result_line(std::string_view line, Response& out) {
  Value value;
  if (Status parsed = parse_object(line, value, "a batch result line"); !parsed) return parsed;
  const Value* custom_id = value.find("custom_id");
  if (!custom_id || !custom_id->is_string()) return Status::fatal("a batch result line has no custom_id");
  out = Response{};
  out.key = custom_id->as_string();
  out.raw_json = std::string(line);
  const Value* response = value.find("response");
  const Value* error = value.find("error");
  if (response && response->is_object()) {
    std::int64_t status = int_of(response->find("status_code"));
    const Value* body = response->find("body");
    if (status >= 200 && status < 300 && body && body->is_object()) {
      Status decoded = decode_body(*body, out);
      if (!decoded) out.error = ResponseError{"unreadable_answer", decoded.message(), true};
      return Status::ok();
    }
    out.error = error_of(static_cast<int>(status), body);
    return Status::ok();
  }
  if (error && error->is_object()) {
    ResponseError e;
    e.code = text_of(error->find("code"));
    e.message = text_of(error->find("message"));
    if (e.code.empty()) e.code = "error";
    // An expired request never ran; any other batch-level failure of one line may pass next time.
    e.retryable = true;
    out.error = std::move(e);
    return Status::ok();
  }
  return Status::fatal("a batch result line for '" + out.key + "' has neither a response nor an error");
}

namespace {

void read_batch(const Value& batch, BatchInfo& out) {
  out.id = text_of(batch.find("id"));
  out.status = text_of(batch.find("status"));
  out.input_file_id = text_of(batch.find("input_file_id"));
  out.output_file_id = text_of(batch.find("output_file_id"));
  out.error_file_id = text_of(batch.find("error_file_id"));
  out.name = text_of(member(batch.find("metadata"), "name"));
  out.created_at = number_of(batch.find("created_at"));
  out.job = JobStatus{};
  out.job.state = job_state(out.status);
  const Value* counts = batch.find("request_counts");
  auto total = int_of(member(counts, "total")), completed = int_of(member(counts, "completed")),
       failed = int_of(member(counts, "failed"));
  out.job.total = static_cast<std::uint64_t>(std::max<std::int64_t>(total, 0));
  out.job.succeeded = static_cast<std::uint64_t>(std::max<std::int64_t>(completed, 0));
  out.job.failed = static_cast<std::uint64_t>(std::max<std::int64_t>(failed, 0));
  out.job.pending = out.job.total > out.job.succeeded + out.job.failed
                        ? out.job.total - out.job.succeeded - out.job.failed
                        : 0;
  std::string message;
  const Value* errors = member(batch.find("errors"), "data");
  if (errors && errors->is_array()) {
    for (std::size_t i = 0; i < errors->size() && i < 3; ++i) {
      const Value& e = (*errors)[i];
      if (!message.empty()) message += "; ";
      message += text_of(e.find("code"));
      std::string text = text_of(e.find("message"));
      if (!text.empty()) message += ": " + text;
      if (std::int64_t line = int_of(e.find("line")); line > 0)
        message += " (line " + std::to_string(line) + ")";
    }
    if (errors->size() > 3) message += "; and " + std::to_string(errors->size() - 3) + " more";
  }
  out.job.message = message.empty() ? out.status : out.status + ": " + message;
}

}  // namespace

Status decode_batch(std::string_view text, BatchInfo& out) {
  Value value;
  if (Status parsed = parse_object(text, value, "the batch"); !parsed) return parsed;
  read_batch(value, out);
  if (out.id.empty()) return Status::fatal("the batch has no id");
  return Status::ok();
}

Status decode_batch_list(std::string_view text, std::vector<BatchInfo>& out, bool& has_more) {
  Value value;
  if (Status parsed = parse_object(text, value, "the batch list"); !parsed) return parsed;
  const Value* data = value.find("data");
  if (!data || !data->is_array()) return Status::fatal("the batch list has no data");
  out.clear();
  for (const auto& item : data->items()) {
    if (!item.is_object()) continue;
    BatchInfo info;
    read_batch(item, info);
    out.push_back(std::move(info));
  }
  const Value* more = value.find("has_more");
  has_more = more && more->kind() == Value::Kind::boolean && more->as_bool();
  return Status::ok();
}

}  // namespace pipehost::openai
