#include "config.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/json.hpp>

namespace pipehost::gemini {

namespace json = boost::json;

const char* const kConfigSchema = R"json({
  "type": "object",
  "description": "Gemini API provider: Batch API (Files upload + batchGenerateContent) or online generateContent.",
  "properties": {
    "model": {"type": "string", "description": "Model id, e.g. gemini-2.5-flash (without models/)."},
    "api_key_env": {"type": "string", "format": "secret-env", "default": "GEMINI_API_KEY",
                    "description": "Environment variable holding the API key (sent as x-goog-api-key)."},
    "base_url": {"type": "string", "default": "https://generativelanguage.googleapis.com",
                 "description": "API root; point it at the emulator for tests."},
    "api_version": {"type": "string", "default": "v1beta", "enum": ["v1beta", "v1", "v1alpha"]},
    "ca_file": {"type": ["string", "null"], "format": "path", "default": null,
                "description": "PEM file of an extra trusted CA (e.g. the emulator's certificate)."},
    "insecure_skip_verify": {"type": "boolean", "default": false,
                             "description": "Turns TLS certificate verification off (logged loudly). Never in production."},
    "max_batch_bytes": {"type": "integer", "minimum": 1024, "maximum": 2000000000, "default": 1900000000,
                        "description": "Largest JSONL input file per job (the API limit is 2 GB)."},
    "connect_timeout_s": {"type": "number", "minimum": 0.1, "maximum": 600, "default": 15},
    "io_timeout_s": {"type": "number", "minimum": 0.1, "maximum": 3600, "default": 120,
                     "description": "Longest silence allowed while sending or receiving."},
    "http_attempts": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5,
                      "description": "Attempts of idempotent calls on 429, 5xx and network errors."},
    "retry_backoff_s": {"type": "number", "minimum": 0.001, "maximum": 60, "default": 1,
                        "description": "First wait before a retry; it doubles each time (with jitter) up to 30 s."},
    "upload_chunk_mb": {"type": "integer", "minimum": 1, "maximum": 1024, "default": 8},
    "delete_input_file": {"type": "boolean", "default": true,
                          "description": "Delete the uploaded input file once the batch's results were fetched."}
  },
  "required": ["model"],
  "additionalProperties": false
})json";

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument("provider." + key + ": " + what);
}

std::string get_string(const json::value& value, const std::string& key) {
  if (!value.is_string()) bad(key, "expected a string");
  return std::string(value.get_string());
}

double get_number(const json::value& value, const std::string& key, double min, double max) {
  double number = 0;
  if (value.is_int64())
    number = static_cast<double>(value.get_int64());
  else if (value.is_uint64())
    number = static_cast<double>(value.get_uint64());
  else if (value.is_double())
    number = value.get_double();
  else
    bad(key, "expected a number");
  if (!(number >= min && number <= max)) {
    bad(key,
        "must be between " + json::serialize(json::value(min)) + " and " + json::serialize(json::value(max)));
  }
  return number;
}

std::int64_t get_integer(const json::value& value, const std::string& key, std::int64_t min,
                         std::int64_t max) {
  double number = get_number(value, key, static_cast<double>(min), static_cast<double>(max));
  if (std::floor(number) != number) bad(key, "expected an integer");
  return static_cast<std::int64_t>(number);
}

bool get_bool(const json::value& value, const std::string& key) {
  if (!value.is_bool()) bad(key, "expected true or false");
  return value.get_bool();
}

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(s * 1000)));
}

}  // namespace

GeminiConfig parse_config(const std::string& config_json) {
  boost::system::error_code ec;
  json::value root = json::parse(config_json, ec);
  if (ec) throw std::invalid_argument("provider config is not valid JSON: " + ec.message());
  if (!root.is_object()) throw std::invalid_argument("provider config must be a JSON object");
  GeminiConfig config;
  bool has_model = false;
  for (const auto& [key_view, value] : root.get_object()) {
    std::string key(key_view);
    if (key == "plugin") continue;  // tolerated when a caller passes the whole section
    if (key == "model") {
      config.model = get_string(value, key);
      has_model = true;
    } else if (key == "api_key_env") {
      config.api_key_env = get_string(value, key);
    } else if (key == "base_url") {
      config.base_url = get_string(value, key);
    } else if (key == "api_version") {
      config.api_version = get_string(value, key);
    } else if (key == "ca_file") {
      config.ca_file = value.is_null() ? std::string() : get_string(value, key);
    } else if (key == "insecure_skip_verify") {
      config.insecure_skip_verify = get_bool(value, key);
    } else if (key == "max_batch_bytes") {
      config.max_batch_bytes = static_cast<std::uint64_t>(get_integer(value, key, 1024, 2000000000));
    } else if (key == "connect_timeout_s") {
      config.connect_timeout = seconds(get_number(value, key, 0.1, 600));
    } else if (key == "io_timeout_s") {
      config.io_timeout = seconds(get_number(value, key, 0.1, 3600));
    } else if (key == "http_attempts") {
      config.http_attempts = static_cast<int>(get_integer(value, key, 1, 20));
    } else if (key == "retry_backoff_s") {
      config.retry_backoff = seconds(get_number(value, key, 0.001, 60));
    } else if (key == "upload_chunk_mb") {
      config.upload_chunk_bytes = static_cast<std::uint64_t>(get_integer(value, key, 1, 1024)) * 1024 * 1024;
    } else if (key == "delete_input_file") {
      config.delete_input_file = get_bool(value, key);
    } else {
      bad(key, "unknown setting (see `pipehost plugins` for the gemini-batch schema)");
    }
  }
  if (!has_model || config.model.empty()) bad("model", "required, e.g. \"gemini-2.5-flash\"");
  if (config.model.starts_with("models/")) config.model.erase(0, 7);
  for (char c : config.model) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) {
      bad("model", "'" + config.model + "' is not a model id (letters, digits, '-', '.', '_')");
    }
  }
  if (config.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
  if (config.api_version != "v1beta" && config.api_version != "v1" && config.api_version != "v1alpha") {
    bad("api_version", "must be v1beta, v1 or v1alpha");
  }
  while (config.base_url.ends_with('/')) config.base_url.pop_back();
  if (!config.base_url.starts_with("https://") && !config.base_url.starts_with("http://")) {
    bad("base_url", "must start with https:// (or http:// for a local emulator)");
  }
  if (config.base_url.find('?') != std::string::npos || config.base_url.find('@') != std::string::npos) {
    bad("base_url", "must not contain a query or credentials");
  }
  return config;
}

}  // namespace pipehost::gemini
