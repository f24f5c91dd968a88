#include "braintrust_events/event_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include <boost/json.hpp>
#include <openssl/evp.h>

namespace pipehost::braintrust {

namespace json = boost::json;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// "parse_status" in metadata: whether an answer came back and whether it could be used.
const char* parse_status(const CallEvent& event) {
  if (event.ok) return "ok";
  if (event.response.error) return "no_answer";  // the call failed; there was nothing to parse
  return "failed";
}

/// A typed cell as JSON, as it was (numbers, arrays and null stay what they are).
json::value to_json_value(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::null:
      return nullptr;
    case Value::Kind::boolean:
      return value.as_bool();
    case Value::Kind::integer:
      return value.fits_int64() ? json::value(value.as_int()) : json::value(value.as_string());
    case Value::Kind::number:
      return value.as_double();
    case Value::Kind::string:
      return json::value(value.as_string());
    case Value::Kind::array: {
      json::array out;
      for (const auto& item : value.items()) out.push_back(to_json_value(item));
      return out;
    }
    case Value::Kind::object: {
      json::object out;
      for (std::size_t i = 0; i < value.size(); ++i) out[value.key(i)] = to_json_value(value[i]);
      return out;
    }
  }
  return nullptr;
}

json::value user_content(const std::vector<std::string>& parts) {
  if (parts.size() == 1) return json::value(parts.front());
  json::array content;
  for (const auto& part : parts) content.push_back(json::object{{"type", "text"}, {"text", part}});
  return content;
}

json::object input_row(const CallEvent& event, const EventOptions& options) {
  json::object row;
  std::size_t count = std::min(event.input_columns.size(), event.input_values.size());
  if (!options.input_columns) {
    for (std::size_t i = 0; i < count; ++i)
      row[event.input_columns[i]] = to_json_value(event.input_values[i]);
    return row;
  }
  for (const auto& wanted : *options.input_columns) {
    for (std::size_t i = 0; i < count; ++i) {
      if (event.input_columns[i] == wanted) {
        row[wanted] = to_json_value(event.input_values[i]);
        break;
      }
    }
  }
  return row;
}

json::object metrics(const CallEvent& event) {
  const Usage& usage = event.response.usage;
  json::object out;
  if (event.start_time > 0) out["start"] = event.start_time;
  if (event.end_time > 0) out["end"] = event.end_time;
  out["prompt_tokens"] = usage.input_tokens;
  out["completion_tokens"] = usage.output_tokens;
  out["tokens"] = usage.input_tokens + usage.output_tokens + usage.thinking_tokens;
  // BrainTrust's names for cached prompt tokens, cache writes and thinking tokens.
  out["prompt_cached_tokens"] = usage.cached_input_tokens;
  out["prompt_cache_creation_tokens"] = usage.cache_write_tokens;
  out["completion_reasoning_tokens"] = usage.thinking_tokens;
  return out;
}

}  // namespace

EventBuilder::EventBuilder(EventOptions options) : options_(std::move(options)) {}

std::string EventBuilder::system_content(const std::shared_ptr<const std::string>& instruction) {
  if (!instruction || instruction->empty()) return {};
  switch (options_.system_instruction) {
    case SystemInstructionMode::omit:
      return {};
    case SystemInstructionMode::full:
      return *instruction;
    case SystemInstructionMode::hash:
      if (instruction != hashed_instruction_) {
        hashed_value_ = "sha256:" + sha256_hex(*instruction);
        hashed_instruction_ = instruction;  // keeps the object alive, so the pointer stays unique
      }
      return hashed_value_;
  }
  return {};
}

json::object EventBuilder::build(const CallEvent& event) {
  json::object out;
  out["id"] = event.event_id;
  // Each call is its own trace; deterministic span ids keep a re-sent event identical.
  out["span_id"] = event.event_id;
  out["root_span_id"] = event.event_id;
  double created = event.start_time > 0 ? event.start_time
                   : event.end_time > 0 ? event.end_time
                                        : now_seconds();
  out["created"] = iso8601_utc(created);

  json::array messages;
  if (std::string system = system_content(event.request.system_instruction); !system.empty()) {
    messages.push_back(json::object{{"role", "system"}, {"content", std::move(system)}});
  }
  if (options_.user_message && !event.request.user_parts.empty()) {
    messages.push_back(json::object{{"role", "user"}, {"content", user_content(event.request.user_parts)}});
  }
  if (!messages.empty()) out["input"] = json::object{{"messages", std::move(messages)}};

  if (event.ok && options_.parsed_fields) {
    json::object fields;
    std::size_t count = std::min(event.output_columns.size(), event.output_values.size());
    for (std::size_t i = 0; i < count; ++i)
      fields[event.output_columns[i]] = to_json_value(event.output_values[i]);
    out["output"] = std::move(fields);
  } else if (options_.raw_answer && !event.response.text.empty()) {
    out["output"] = event.response.text;
  }

  if (!event.ok) {
    std::string error = event.error;
    if (error.empty() && event.response.error) error = event.response.error->message;
    out["error"] = error.empty() ? std::string("the call failed") : error;
  }

  json::object metadata;
  metadata["run_id"] = event.run_id;
  metadata["row_key"] = event.key;
  metadata["model"] = event.model;
  if (!event.response.model_version.empty()) metadata["model_version"] = event.response.model_version;
  if (!event.job_name.empty()) metadata["job_name"] = event.job_name;
  metadata["attempt"] = event.attempt;
  metadata["parse_status"] = parse_status(event);
  if (!event.response.finish_reason.empty()) metadata["finish_reason"] = event.response.finish_reason;
  if (event.response.error) {
    metadata["error_code"] = event.response.error->code;
    metadata["retryable"] = event.response.error->retryable;
  }
  if (json::object row = input_row(event, options_); !row.empty()) metadata["input_row"] = std::move(row);
  out["metadata"] = std::move(metadata);

  out["metrics"] = metrics(event);
  if (!options_.tags.empty()) {
    json::array tags;
    for (const auto& tag : options_.tags) tags.push_back(json::value(tag));
    out["tags"] = std::move(tags);
  }
  out["span_attributes"] = json::object{{"name", "pipehost"}, {"type", "llm"}};
  return out;
}

std::string EventBuilder::build_line(const CallEvent& event) {
  return json::serialize(build(event));
}

std::vector<std::string> EventBuilder::unknown_input_columns(const CallEvent& event) const {
  std::vector<std::string> unknown;
  if (!options_.input_columns) return unknown;
  for (const auto& wanted : *options_.input_columns) {
    if (std::find(event.input_columns.begin(), event.input_columns.end(), wanted) ==
        event.input_columns.end())
      unknown.push_back(wanted);
  }
  return unknown;
}

std::string iso8601_utc(double unix_seconds) {
  auto millis = static_cast<long long>(std::llround(unix_seconds * 1000.0));
  long long seconds = millis / 1000;
  long long rest = millis % 1000;
  if (rest < 0) {  // before 1970: floor, not truncate
    rest += 1000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[96];  // room for any int the format could print
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rest);
  return text;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace pipehost::braintrust
