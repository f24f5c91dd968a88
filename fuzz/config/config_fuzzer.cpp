// libFuzzer target for config loading (host/config): the input is a run.json. It goes through
//   - parse_json (JSON with comments, line:column errors),
//   - load_run_config, from a file, with `--set` overrides taken from the input's own comment lines
//     ("//set key.path=value"), so the corpus can carry them,
//   - JsonSchema: the input as a value checked against a plugin-like schema, and, when the input holds
//     a NUL byte, the text before it as a schema and the text after it as the value.
// Errors are fine; crashes, sanitizer reports and hangs are not, and neither are broken promises:
//   - the loaders throw nothing but ConfigError, and every ConfigError has a message;
//   - a text parse_json accepts without comments is standard JSON, and means the same;
//   - validate() never throws, and every issue has a JSON pointer (or "") and a message;
//   - a config that loads has what the engine relies on: a source plugin, the three model sections
//     together or not at all, sections named by a pointer, and settings the engine can use as they are
//     (max_jobs_in_flight within its job-slot semaphore's 1024, poll_interval_s in milliseconds within
//     an int64).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

#include "config/json_schema.hpp"
#include "config/json_text.hpp"
#include "config/run_config.hpp"

namespace {

namespace json = boost::json;
using namespace pipehost::config;

void require(bool condition) {
  if (!condition) std::abort();
}

// Shaped like the plugins' config schemas (csv-io's source, gemini-batch's provider).
constexpr const char* kPluginSchema = R"({
  "type": "object", "additionalProperties": false, "required": ["path"],
  "properties": {
    "path": {"type": "string", "format": "path", "minLength": 1},
    "key": {"type": "string"},
    "delimiter": {"type": "string", "minLength": 1},
    "ragged": {"enum": ["error", "pad", "truncate", "pad_or_truncate"]},
    "max_row_bytes": {"type": "integer", "minimum": 1, "maximum": 1099511627776},
    "ca_file": {"type": ["string", "null"], "format": "path"},
    "retry_backoff_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
    "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 64},
    "generation": {"type": "object", "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}]}},
    "tools": {"type": "array", "items": {"enum": ["web_search", "code_execution"]}},
    "mode": {"const": "batch"}
  }
})";

/// The input lives in a memory file, so load_run_config reads it the way it reads any run.json.
class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("run.json", 0)) { require(fd_ >= 0); }
  std::string write(std::string_view text) {
    require(::ftruncate(fd_, 0) == 0);
    require(::pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    return "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
};

std::vector<Override> overrides_in(std::string_view text) {
  std::vector<Override> out;
  std::size_t at = 0;
  while ((at = text.find("//set ", at)) != std::string_view::npos) {
    at += 6;
    auto end = text.find('\n', at);
    std::string line(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    try {
      out.push_back(parse_override(line));
    } catch (const ConfigError& e) {
      require(*e.what() != '\0');
    }
  }
  return out;
}

void check_issues(const std::vector<SchemaIssue>& issues) {
  for (const auto& issue : issues) {
    require(issue.pointer.empty() || issue.pointer[0] == '/');
    require(!issue.message.empty());
  }
}

void check_parse(std::string_view text) {
  json::value value;
  try {
    value = parse_json(text, "fuzz.json");
  } catch (const ConfigError& e) {
    require(std::string_view(e.what()).starts_with("fuzz.json:"));
    return;
  }
  if (text.find('/') == std::string_view::npos) {  // no comments possible: standard JSON, same value
    json::error_code ec;
    json::value strict = json::parse(text, ec);
    require(!ec && strict == value);
  }
  JsonSchema schema(kPluginSchema, "plugin schema");
  check_issues(schema.validate(value, "/source", "/base"));
}

void check_schema_pair(std::string_view text) {
  auto nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  try {
    JsonSchema schema(text.substr(0, nul), "fuzzed schema");
    json::value value = parse_json(text.substr(nul + 1), "fuzzed value");
    check_issues(schema.validate(value, "", "/base"));
  } catch (const ConfigError& e) {
    require(*e.what() != '\0');
  }
}

void check_section(const StageSection& section) {
  require(!section.plugin.empty());
  require(section.pointer.starts_with("/"));
  require(!section.options.contains("plugin"));
}

void check_load(MemoryFile& file, std::string_view text) {
  RunConfig config;
  try {
    config = load_run_config(file.write(text), overrides_in(text));
  } catch (const ConfigError& e) {
    require(*e.what() != '\0');
    return;
  }
  check_section(config.source);
  require(config.request.has_value() == config.provider.has_value());
  require(config.parser.has_value() == config.provider.has_value());
  for (const auto* section : {&config.request, &config.provider, &config.parser})
    if (*section) check_section(**section);
  for (const auto& sink : config.sinks) check_section(sink);
  for (const auto& logger : config.loggers) check_section(logger);
  const RunSettings& s = config.settings;
  require(!s.state_dir.empty());
  require(s.max_attempts >= 1 && s.max_attempts <= 100);
  require(s.mode == Mode::batch || s.mode == Mode::online);
  require(s.batch_size >= 1);
  require(s.max_jobs_in_flight >= 1 && s.max_jobs_in_flight <= 1024);
  require(std::isfinite(s.poll_interval_s) && s.poll_interval_s > 0 && s.poll_interval_s * 1000 < 9.2e18);
  require(s.online_concurrency >= 1 && s.online_concurrency <= 256);
  require(std::isfinite(s.requests_per_minute) && s.requests_per_minute >= 0);
  auto at_least_zero = [](const std::optional<double>& price) { return !price || *price >= 0; };
  for (const auto& [model, price] : s.prices) {
    for (const auto* p :
         {&price.input, &price.cached_input, &price.cache_write, &price.output, &price.thinking})
      require(at_least_zero(*p));
    require(!price.batch_multiplier || (*price.batch_multiplier >= 0 && *price.batch_multiplier <= 1));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static MemoryFile file;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Anything else escaping (boost::system::system_error, std::out_of_range...) is a finding: the CLI
  // would report it as an "unexpected error" with exit code 3 instead of a config error.
  check_parse(text);
  check_schema_pair(text);
  check_load(file, text);
  return 0;
}
