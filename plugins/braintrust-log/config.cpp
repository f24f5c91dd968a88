#include "config.hpp"

#include <cmath>
#include <stdexcept>

namespace pipehost::braintrust {

namespace {

constexpr const char* kSection = "braintrust-log";

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument(std::string(kSection) + "." + key + ": " + what);
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

std::chrono::milliseconds BraintrustLogConfig::milliseconds_of(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

ConfigSpec<BraintrustLogConfig> config_spec() {
  using C = BraintrustLogConfig;
  ConfigSpec<C> spec;
  spec.add("project", &C::project, "Project name; created if it does not exist. Give this or project_id.");
  spec.add("project_id", &C::project_id,
           "Id of an existing project (an unknown id stops the run at start). Give this or project.");
  spec.add("api_key_env", &C::api_key_env,
           "Environment variable holding the API key (sent as Authorization: Bearer).")
      .secret_env();
  spec.add("api_url", &C::api_url,
           "Data-plane URL (/v1/project, /v1/project_logs); point it at the emulator for tests.");
  spec.add("app_url", &C::app_url, "Web app URL, used for the link to the project's logs printed at start.");
  spec.add("ca_file", &C::ca_file, "PEM file of an extra trusted CA (e.g. the emulator's certificate).")
      .path();
  spec.add("batch_size", &C::batch_size, "Most events per insert request.").minimum(1).maximum(1000);
  spec.add("flush_interval_ms", &C::flush_interval_ms,
           "Longest time an event waits for its batch to fill before it is sent.")
      .minimum(1)
      .maximum(600000);
  spec.add("max_request_bytes", &C::max_request_bytes,
           "Most bytes per insert request body (a single larger event is sent alone).")
      .minimum(1024)
      .maximum(64 << 20);
  spec.add("queue_size", &C::queue_size,
           "Events held in memory for sending; when full, the pipeline waits (nothing is dropped).")
      .minimum(1)
      .maximum(1000000);
  spec.add("max_retry_s", &C::max_retry_s,
           "How long a batch is retried on 429, 5xx and network errors before its events are set aside in "
           "failed_file.")
      .minimum(0)
      .maximum(86400);
  spec.add(
          "retry_initial_ms", &C::retry_initial_ms,
          "First retry delay; doubles with each retry (with jitter) up to retry_max_ms. A Retry-After header "
          "wins.")
      .minimum(1)
      .maximum(600000);
  spec.add("retry_max_ms", &C::retry_max_ms, "Longest retry delay.").minimum(1).maximum(3600000);
  spec.add("connect_timeout_s", &C::connect_timeout_s,
           "Longest wait for a connection (name lookup, TCP connect and TLS handshake).")
      .minimum(0.1)
      .maximum(600);
  spec.add("io_timeout_s", &C::io_timeout_s, "Longest silence allowed while sending or receiving.")
      .minimum(0.1)
      .maximum(3600);
  spec.add("failed_file", &C::failed_file,
           "Where events that could not be delivered are kept (one insert-ready event per line) until the "
           "next start resends them. Default: <state_dir>/braintrust-failed.jsonl.")
      .path();
  spec.include(&C::events, event_options_spec());
  return spec;
}

void check_config(BraintrustLogConfig& config) {
  if (config.project.empty() == config.project_id.empty()) {
    throw std::invalid_argument(std::string(kSection) +
                                ": give exactly one of \"project\" (a name) or \"project_id\"");
  }
  if (config.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
  config.api_url = without_trailing_slash(config.api_url);
  check_url("api_url", config.api_url);
  config.app_url = without_trailing_slash(config.app_url);
  check_url("app_url", config.app_url);
}

}  // namespace pipehost::braintrust
