#include "response_decoder.hpp"

#include <charconv>

#include "request_encoder.hpp"

namespace pipehost::anthropic {

namespace {

const Value* member(const Value& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const Value* value = object.find(name);
  return value && !value->is_null() ? value : nullptr;
}

std::string string_of(const Value& object, std::string_view name) {
  const Value* value = member(object, name);
  return value && value->is_string() ? value->as_string() : std::string();
}

std::int64_t int_of(const Value& object, std::string_view name) {
  const Value* value = member(object, name);
  if (!value) return 0;
  if (value->fits_int64()) return value->as_int();
  if (value->kind() == Value::Kind::number) return static_cast<std::int64_t>(value->as_double());
  return 0;
}

Status parse_object(std::string_view text, Value& value, std::string_view what) {
  std::string error;
  if (!parse_json(text, value, error)) return Status::retry(std::string(what) + " is not JSON: " + error);
  if (!value.is_object()) return Status::retry(std::string(what) + " is not a JSON object");
  return Status::ok();
}

void read_batch(const Value& object, BatchInfo& info) {
  info = BatchInfo{};
  info.id = string_of(object, "id");
  info.processing_status = string_of(object, "processing_status");
  parse_rfc3339(string_of(object, "created_at"), info.created_at);
  info.cancel_initiated = member(object, "cancel_initiated_at") != nullptr;
  info.results_url = string_of(object, "results_url");
  if (const Value* counts = member(object, "request_counts")) {
    info.processing = static_cast<std::uint64_t>(int_of(*counts, "processing"));
    info.succeeded = static_cast<std::uint64_t>(int_of(*counts, "succeeded"));
    info.errored = static_cast<std::uint64_t>(int_of(*counts, "errored"));
    info.canceled = static_cast<std::uint64_t>(int_of(*counts, "canceled"));
    info.expired = static_cast<std::uint64_t>(int_of(*counts, "expired"));
  }
}

bool two_digits(std::string_view text, std::size_t at, int& out) {
  if (at + 2 > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + 2, out);
  return ec == std::errc{} && end == text.data() + at + 2;
}

/// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

JobStatus BatchInfo::status() const {
  JobStatus status;
  status.total = total();
  status.succeeded = succeeded;
  status.failed = errored + canceled + expired;
  status.pending = processing;
  if (processing_status != "ended") {
    status.state = JobState::running;
    return status;
  }
  if (cancel_initiated) {
    status.state = JobState::cancelled;
    status.message = "the batch was cancelled (" + std::to_string(succeeded) + " of " +
                     std::to_string(total()) + " requests had succeeded)";
  } else if (expired > 0 && expired == total()) {
    status.state = JobState::expired;
    status.message = "every request expired: the batch did not finish within 24 hours";
  } else {
    status.state = JobState::succeeded;
  }
  return status;
}

JobSummary BatchInfo::summary() const {
  return JobSummary{id, created_at, total(), status().state};
}

Status decode_batch(std::string_view body, BatchInfo& info) {
  Value object;
  if (Status parsed = parse_object(body, object, "the message batch"); !parsed) return parsed;
  read_batch(object, info);
  if (info.id.empty())
    return Status::retry("a message batch without an id: " + std::string(body.substr(0, 200)));
  return Status::ok();
}

Status decode_batch_page(std::string_view body, std::vector<BatchInfo>& batches, bool& has_more,
                         std::string& last_id) {
  Value page;
  if (Status parsed = parse_object(body, page, "the list of message batches"); !parsed) return parsed;
  batches.clear();
  if (const Value* data = member(page, "data"); data && data->is_array()) {
    for (const Value& item : data->items()) {
      BatchInfo info;
      read_batch(item, info);
      if (!info.id.empty()) batches.push_back(std::move(info));
    }
  }
  const Value* more = member(page, "has_more");
  has_more = more && more->kind() == Value::Kind::boolean && more->as_bool();
  last_id = string_of(page, "last_id");
  return Status::ok();
}

FinishStatus finish_of(std::string_view stop_reason) {
  if (stop_reason.empty() || stop_reason == "end_turn" || stop_reason == "tool_use" ||
      stop_reason == "stop_sequence")
    return FinishStatus::complete;
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded")
    return FinishStatus::truncated;
  if (stop_reason == "refusal") return FinishStatus::refused;
  return FinishStatus::error;  // pause_turn (a server tool's turn left open) and anything new
}

void read_message(const Value& message, Response& response) {
  std::string text;
  const Value* tool_input = nullptr;
  if (const Value* content = member(message, "content"); content && content->is_array()) {
    for (const Value& block : content->items()) {
      std::string type = string_of(block, "type");
      if (type == "text") {
        text += string_of(block, "text");
      } else if (type == "tool_use" && string_of(block, "name") == kAnswerTool && !tool_input) {
        tool_input = member(block, "input");
      }
    }
  }
  // The forced tool's input is the structured answer; without one (a refusal, prose) the text is.
  response.text = tool_input ? to_json(*tool_input) : std::move(text);
  response.finish_reason = string_of(message, "stop_reason");
  response.finish = finish_of(response.finish_reason);
  response.model_version = string_of(message, "model");
  if (const Value* usage = member(message, "usage")) {
    // input_tokens is only the uncached rest: Usage counts every input token, of which cached ones.
    std::int64_t read = int_of(*usage, "cache_read_input_tokens");
    std::int64_t written = int_of(*usage, "cache_creation_input_tokens");
    response.usage.input_tokens = int_of(*usage, "input_tokens") + read + written;
    response.usage.cached_input_tokens = read;
    response.usage.cache_write_tokens = written;
    response.usage.output_tokens = int_of(*usage, "output_tokens");
  }
}

Status decode_message(std::string_view body, Response& response) {
  Value message;
  if (Status parsed = parse_object(body, message, "the message"); !parsed) return parsed;
  if (string_of(message, "type") != "message")
    return Status::retry("not a message: " + std::string(body.substr(0, 200)));
  read_message(message, response);
  response.raw_json = std::string(body);
  return Status::ok();
}

bool is_retryable_error_type(std::string_view type) {
  return type == "api_error" || type == "overloaded_error" || type == "rate_limit_error" ||
         type == "timeout_error";
}

Status decode_result_line(std::string_view line, std::string& custom_id, ResultType& type,
                          Response& response) {
  Value object;
  if (Status parsed = parse_object(line, object, "a results line"); !parsed) return parsed;
  custom_id = string_of(object, "custom_id");
  const Value* result = member(object, "result");
  if (custom_id.empty() || !result) return Status::retry("a results line without custom_id or result");
  response = Response{};
  response.raw_json = std::string(line);
  std::string kind = string_of(*result, "type");
  if (kind == "succeeded") {
    const Value* message = member(*result, "message");
    if (!message) return Status::retry("a succeeded result without a message");
    type = ResultType::succeeded;
    read_message(*message, response);
    return Status::ok();
  }
  if (kind == "errored") {
    type = ResultType::errored;
    const Value* outer = member(*result, "error");
    const Value* error = outer ? member(*outer, "error") : nullptr;
    if (!error) error = outer;  // tolerate the inner object alone
    std::string code = error ? string_of(*error, "type") : std::string();
    std::string message = error ? string_of(*error, "message") : std::string();
    if (code.empty()) code = "api_error";
    response.error =
        ResponseError{code, message.empty() ? "the request failed" : message, is_retryable_error_type(code)};
    response.finish = FinishStatus::error;
    return Status::ok();
  }
  if (kind == "expired") {
    type = ResultType::expired;
    response.error = ResponseError{"expired", "the batch ended before this request was processed", true};
    response.finish = FinishStatus::error;
    return Status::ok();
  }
  if (kind == "canceled") {
    type = ResultType::canceled;
    return Status::ok();
  }
  return Status::retry("a result of unknown type '" + kind + "'");
}

std::string error_text(std::string_view body) {
  Value object;
  std::string error;
  if (parse_json(body, object, error)) {
    if (const Value* inner = member(object, "error")) {
      std::string type = string_of(*inner, "type"), message = string_of(*inner, "message");
      if (!type.empty() || !message.empty()) return type + ": " + message;
    }
  }
  return std::string(body.substr(0, 300));
}

bool parse_rfc3339(std::string_view text, double& unix_seconds) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return false;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + 4, year);
  if (ec != std::errc{} || end != text.data() + 4) return false;
  if (!two_digits(text, 5, month) || !two_digits(text, 8, day) || !two_digits(text, 11, hour) ||
      !two_digits(text, 14, minute) || !two_digits(text, 17, second))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  std::size_t at = 19;
  double fraction = 0;
  if (at < text.size() && text[at] == '.') {
    double scale = 0.1;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10)
      fraction += (text[at] - '0') * scale;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int oh = 0, om = 0;
    if (at + 6 > text.size() || text[at + 3] != ':' || !two_digits(text, at + 1, oh) ||
        !two_digits(text, at + 4, om))
      return false;
    offset_minutes = (oh * 60 + om) * (text[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return false;
  }
  if (at != text.size()) return false;
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  unix_seconds = static_cast<double>(seconds) + fraction;
  return true;
}

}  // namespace pipehost::anthropic
