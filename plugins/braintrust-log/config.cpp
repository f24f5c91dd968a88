#include "config.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <boost/json.hpp>

namespace pipehost::braintrust {

namespace json = boost::json;

namespace {

constexpr const char* kSection = "braintrust-log";

const char* const kOwnProperties = R"json(
    "project": {"type": "string",
      "description": "Project name; created if it does not exist. Give this or project_id."},
    "project_id": {"type": "string",
      "description": "Id of an existing project (an unknown id stops the run at start). Give this or project."},
    "api_key_env": {"type": "string", "format": "secret-env", "default": "BRAINTRUST_API_KEY",
      "description": "Environment variable holding the API key (sent as Authorization: Bearer)."},
    "api_url": {"type": "string", "default": "https://api.braintrust.dev",
      "description": "Data-plane URL (/v1/project, /v1/project_logs); point it at the emulator for tests."},
    "app_url": {"type": "string", "default": "https://www.braintrust.dev",
      "description": "Web app URL, used for the link to the project's logs printed at start."},
    "ca_file": {"type": ["string", "null"], "format": "path", "default": null,
      "description": "PEM file of an extra trusted CA (e.g. the emulator's certificate)."},
    "batch_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100,
      "description": "Most events per insert request."},
    "flush_interval_ms": {"type": "integer", "minimum": 1, "maximum": 600000, "default": 1000,
      "description": "Longest time an event waits for its batch to fill before it is sent."},
    "max_request_bytes": {"type": "integer", "minimum": 1024, "maximum": 67108864, "default": 3145728,
      "description": "Most bytes per insert request body (a single larger event is sent alone)."},
    "queue_size": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 2000,
      "description": "Events held in memory for sending; when full, the pipeline waits (nothing is dropped)."},
    "max_retry_s": {"type": "number", "minimum": 0, "maximum": 86400, "default": 60,
      "description": "How long a batch is retried on 429, 5xx and network errors before its events are set aside in failed_file."},
    "retry_initial_ms": {"type": "integer", "minimum": 1, "maximum": 600000, "default": 1000,
      "description": "First retry delay; doubles with each retry (with jitter) up to retry_max_ms. A Retry-After header wins."},
    "retry_max_ms": {"type": "integer", "minimum": 1, "maximum": 3600000, "default": 15000},
    "connect_timeout_s": {"type": "number", "minimum": 0.1, "maximum": 600, "default": 15},
    "io_timeout_s": {"type": "number", "minimum": 0.1, "maximum": 3600, "default": 60,
      "description": "Longest silence allowed while sending or receiving."},
    "failed_file": {"type": ["string", "null"], "format": "path", "default": null,
      "description": "Where events that could not be delivered are kept (one insert-ready event per line) until the next start resends them. Default: <state_dir>/braintrust-failed.jsonl."},)json";

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument(std::string(kSection) + "." + key + ": " + what);
}

std::string get_string(const json::object& config, const char* key, std::string fallback) {
  const json::value* value = config.if_contains(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_string()) bad(key, "expected a string");
  return std::string(value->get_string());
}

/// 1000 as "1000", 0.1 as "0.1" (not JSON's "1E3").
std::string number_text(double number) {
  std::ostringstream out;
  out << std::setprecision(15) << number;
  return out.str();
}

double get_number(const json::object& config, const char* key, double fallback, double min, double max) {
  const json::value* value = config.if_contains(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_number()) bad(key, "expected a number");
  double number = value->to_number<double>();
  if (!(number >= min && number <= max)) {
    bad(key, "must be between " + number_text(min) + " and " + number_text(max));
  }
  return number;
}

std::int64_t get_integer(const json::object& config, const char* key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) {
  double number = get_number(config, key, static_cast<double>(fallback), static_cast<double>(min),
                             static_cast<double>(max));
  if (std::floor(number) != number) bad(key, "expected an integer");
  return static_cast<std::int64_t>(number);
}

std::chrono::milliseconds seconds_option(const json::object& config, const char* key,
                                         std::chrono::milliseconds fallback, double min, double max) {
  double seconds = get_number(config, key, static_cast<double>(fallback.count()) / 1000.0, min, max);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void check_url(const std::string& key, const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    bad(key, "expected an http:// or https:// URL, got \"" + url + "\"");
}

}  // namespace

const std::string& config_schema() {
  static const std::string schema = std::string(R"json({
  "type": "object",
  "description": "Logs every model call to a BrainTrust project (REST insert endpoint), batched on a background thread, with stable ids so re-sent events replace themselves.",
  "properties": {)json") + kOwnProperties +
                                    kEventOptionsSchemaProperties + R"json(
  },
  "additionalProperties": false
})json";
  return schema;
}

BraintrustLogConfig parse_config(const std::string& config_json) {
  boost::system::error_code ec;
  json::value parsed = json::parse(config_json, ec);
  if (ec || !parsed.is_object())
    throw std::invalid_argument(std::string(kSection) + ": config is not a JSON object");
  const json::object& config = parsed.get_object();
  static const char* const kKnown[] = {"project",
                                       "project_id",
                                       "api_key_env",
                                       "api_url",
                                       "app_url",
                                       "ca_file",
                                       "batch_size",
                                       "flush_interval_ms",
                                       "max_request_bytes",
                                       "queue_size",
                                       "max_retry_s",
                                       "retry_initial_ms",
                                       "retry_max_ms",
                                       "connect_timeout_s",
                                       "io_timeout_s",
                                       "failed_file",
                                       "system_instruction",
                                       "user_message",
                                       "raw_answer",
                                       "parsed_fields",
                                       "input_columns",
                                       "tags"};
  for (const auto& member : config) {
    bool known = false;
    for (const char* name : kKnown) known = known || member.key() == name;
    if (!known) bad(std::string(member.key()), "unknown option");
  }

  BraintrustLogConfig out;
  out.project = get_string(config, "project", "");
  out.project_id = get_string(config, "project_id", "");
  if (out.project.empty() == out.project_id.empty()) {
    throw std::invalid_argument(std::string(kSection) +
                                ": give exactly one of \"project\" (a name) or \"project_id\"");
  }
  out.api_key_env = get_string(config, "api_key_env", out.api_key_env);
  if (out.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
  out.api_url_given = config.contains("api_url");
  out.app_url_given = config.contains("app_url");
  out.api_url = without_trailing_slash(get_string(config, "api_url", out.api_url));
  check_url("api_url", out.api_url);
  out.app_url = without_trailing_slash(get_string(config, "app_url", out.app_url));
  check_url("app_url", out.app_url);
  out.ca_file = get_string(config, "ca_file", "");
  out.batch_size = static_cast<std::size_t>(get_integer(config, "batch_size", 100, 1, 1000));
  out.flush_interval = std::chrono::milliseconds(get_integer(config, "flush_interval_ms", 1000, 1, 600000));
  out.max_request_bytes =
      static_cast<std::size_t>(get_integer(config, "max_request_bytes", 3 << 20, 1024, 64 << 20));
  out.queue_size = static_cast<std::size_t>(get_integer(config, "queue_size", 2000, 1, 1000000));
  out.max_retry = seconds_option(config, "max_retry_s", out.max_retry, 0, 86400);
  out.retry_initial_backoff =
      std::chrono::milliseconds(get_integer(config, "retry_initial_ms", 1000, 1, 600000));
  out.retry_max_backoff = std::chrono::milliseconds(get_integer(config, "retry_max_ms", 15000, 1, 3600000));
  out.connect_timeout = seconds_option(config, "connect_timeout_s", out.connect_timeout, 0.1, 600);
  out.io_timeout = seconds_option(config, "io_timeout_s", out.io_timeout, 0.1, 3600);
  out.failed_file = get_string(config, "failed_file", "");
  out.events = parse_event_options(config, kSection);
  return out;
}

}  // namespace pipehost::braintrust
