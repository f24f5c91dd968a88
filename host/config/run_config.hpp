// The run.json file: its top-level shape, the host's own settings, and `--set` overrides.
// Plugin sections are checked against their plugins' schemas later (engine/pipeline), once the
// plugins are loaded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "json_text.hpp"

namespace pipehost::config {

/// One stage section: which plugin, its options (without "plugin"), and where it sits in the file.
struct StageSection {
  std::string plugin;
  boost::json::object options;
  /// JSON pointer of the section, e.g. "/source" or "/sinks/1".
  std::string pointer;
  /// Host keys, removed from `options` before the plugin sees them (see kHostKeys in run_config.cpp).
  /// A logger whose service is unreachable at start stops the run unless `required` is false.
  bool required = true;
  /// Plain http:// to hosts other than loopback is refused for this stage unless this is set.
  bool allow_insecure_http = false;
};

/// `run.prices` for one model: US dollars per million tokens of each kind, overriding what the
/// provider says (unset members keep the provider's price).
struct PriceOverride {
  std::optional<double> input;
  std::optional<double> cached_input;
  std::optional<double> cache_write;
  std::optional<double> output;
  std::optional<double> thinking;
  /// Multiplier applied in batch mode (0.5 = half price).
  std::optional<double> batch_multiplier;
};

/// The keys the host itself reads in a stage section of this kind ("provider", "logger", ...), which
/// the plugin never sees, as a JSON Schema with defaults and descriptions: what `pipehost plugins
/// NAME` lists next to the plugin's own keys.
boost::json::object host_keys_schema(std::string_view stage_kind);

enum class Mode { batch, online };
const char* to_string(Mode mode);

/// Settings the host itself reads: the `run` section and the engine keys of the `provider` section
/// (which are removed from the provider's options before the plugin sees them).
struct RunSettings {
  std::filesystem::path state_dir;
  int max_attempts = 3;
  Mode mode = Mode::batch;
  std::uint64_t batch_size = 2000;
  int max_jobs_in_flight = 4;
  double poll_interval_s = 30;
  int online_concurrency = 8;
  /// Online mode rate limit; 0 = unlimited.
  double requests_per_minute = 0;
  /// Price overrides by model name (run.prices).
  std::map<std::string, PriceOverride> prices;
  /// Rows whose key repeats are an error unless this is set.
  bool allow_duplicate_keys = false;
  /// The run stops (exit 3) when the provider has kept failing to reach its service, with no
  /// successful call, for this long.
  double give_up_after_s = 600;
  /// Write <state_dir>/report.html at the end of every run.
  bool report = true;
};

struct RunConfig {
  /// Absolute path of the config file, and its folder (base of relative paths).
  std::filesystem::path file;
  std::filesystem::path dir;
  StageSection source;
  std::optional<StageSection> request;
  std::optional<StageSection> provider;
  std::optional<StageSection> parser;
  std::vector<StageSection> sinks;
  std::vector<StageSection> loggers;
  RunSettings settings;

  /// True when the config runs a model (request, provider and parser present).
  bool has_model() const { return provider.has_value(); }
};

/// A `--set key.path=value` override: the value is JSON when it parses as JSON, a string otherwise.
struct Override {
  std::string path;
  std::string value;
};

/// Parses "a.b=value" into an Override; throws ConfigError on a malformed one.
Override parse_override(const std::string& text);

/// Reads, overrides and checks a run.json; throws ConfigError with file, JSON pointer and what was
/// expected.
RunConfig load_run_config(const std::filesystem::path& file, const std::vector<Override>& overrides = {});

}  // namespace pipehost::config
