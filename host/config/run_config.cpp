#include "run_config.hpp"

#include <initializer_list>

#include <boost/json.hpp>

#include "did_you_mean.hpp"
#include "json_schema.hpp"

namespace pipehost::config {

namespace json = boost::json;

namespace {

const std::vector<std::string> kTopLevelKeys = {"source", "request", "provider", "parser",
                                                "sinks",  "loggers", "run",      "description"};

// Engine keys of the provider section: the host consumes them, the plugin never sees them. The maxima
// keep values the engine converts in range: max_jobs_in_flight is the count of a job-slot semaphore
// bounded at 1024, poll_interval_s becomes int64 milliseconds, and batch_size a uint64 (a huge double
// like 1e30 passes as an "integer" but does not convert).
constexpr const char* kProviderEngineSchema = R"json({
  "type": "object",
  "properties": {
    "mode": {"enum": ["batch", "online"], "default": "batch",
             "description": "batch jobs (cheaper, answers within hours) or one request per row as it comes"},
    "batch_size": {"type": "integer", "minimum": 1, "maximum": 100000000, "default": 2000,
                   "description": "rows per batch job (capped by the provider's own limit)"
}
, "max_jobs_in_flight" : {
  "type" : "integer",
  "minimum" : 1,
  "maximum" : 1024,
  "default" : 4,
  "description" : "batch jobs submitted and not yet finished, at most"
},
                         "poll_interval_s" : {
                           "type" : "number",
                           "exclusiveMinimum" : 0,
                           "maximum" : 86400,
                           "default" : 30,
                           "description" : "seconds between two status checks of a batch job"
                         },
                                             "online_concurrency" : {
                                               "type" : "integer",
                                               "minimum" : 1,
                                               "maximum" : 256,
                                               "default" : 8,
                                               "description" : "online mode: requests in flight at once"
                                             },
                                                                    "requests_per_minute" : {
  "type" : "number", "minimum" : 0, "default" : 0, "description" : "online mode: rate limit; 0 = unlimited"
}
}
})json";

constexpr const char* kRunSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "state_dir": {"type": "string", "format": "path", "minLength": 1},
    "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
    "allow_duplicate_keys": {"type": "boolean"},
    "give_up_after_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 604800},
    "report": {"type": "boolean"},
    "prices": {
      "type": "object",
      "additionalProperties": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "input": {"type": "number", "minimum": 0, "description": "US$ per million input tokens"},
          "cached_input": {"type": "number", "minimum": 0, "description": "US$ per million input tokens read from a cache"},
          "cache_write": {"type": "number", "minimum": 0, "description": "US$ per million input tokens written to a cache"},
          "output": {"type": "number", "minimum": 0, "description": "US$ per million output tokens"},
          "thinking": {"type": "number", "minimum": 0, "description": "US$ per million thinking tokens; default: the output price"},
          "batch_multiplier": {"type": "number", "minimum": 0, "maximum": 1, "description": "factor for batch jobs"}
        }
      }
    }
  }
})";

// Host keys of stage sections: the host reads them, the plugin never sees them. Which sections take
// which key: "required" (may a logger be down at start?) on loggers, "allow_insecure_http" (plain
// http:// to a host that is not loopback) on the provider and loggers.
constexpr const char* kHostKeysSchema = R"json({
  "type": "object",
  "properties": {
    "required": {"type": "boolean", "default": true,
                 "description": "false: a logger whose service is down at start is skipped instead of stopping the run"},
    "allow_insecure_http": {"type": "boolean", "default": false,
                            "description": "allow plain http:// to a host that is not loopback"}
  }
})json";

[[noreturn]] void fail(const RunConfig& config, const std::string& pointer, const std::string& message) {
  throw ConfigError(config.file.string() + ": " + pointer + ": " + message);
}

void throw_issues(const RunConfig& config, const std::vector<SchemaIssue>& issues) {
  if (issues.empty()) return;
  std::string message;
  for (std::size_t i = 0; i < issues.size(); ++i) {
    if (i) message += "\n";
    message += config.file.string() + ": " + issues[i].pointer + ": " + issues[i].message;
  }
  throw ConfigError(message);
}

StageSection read_section(const RunConfig& config, const json::value& value, const std::string& pointer) {
  if (!value.is_object()) fail(config, pointer, "expected an object, got " + describe_value(value));
  StageSection section;
  section.pointer = pointer;
  section.options = value.get_object();
  auto* plugin = section.options.if_contains("plugin");
  if (!plugin) fail(config, pointer + "/plugin", "missing (name the plugin for this stage)");
  if (!plugin->is_string() || plugin->get_string().empty())
    fail(config, pointer + "/plugin", "expected a plugin name, got " + describe_value(*plugin));
  section.plugin = std::string(plugin->get_string());
  section.options.erase("plugin");
  return section;
}

std::vector<StageSection> read_section_list(const RunConfig& config, const json::object& root,
                                            const char* key) {
  std::vector<StageSection> out;
  auto* list = root.if_contains(key);
  if (!list) return out;
  std::string pointer = std::string("/") + key;
  if (!list->is_array())
    fail(config, pointer, "expected an array of stage sections, got " + describe_value(*list));
  for (std::size_t i = 0; i < list->get_array().size(); ++i)
    out.push_back(read_section(config, list->get_array()[i], pointer + "/" + std::to_string(i)));
  return out;
}

/// Takes the host keys `keys` out of a section's options into the section itself.
void read_host_keys(const RunConfig& config, StageSection& section, std::initializer_list<const char*> keys) {
  json::value host = json::object();
  for (const char* key : keys) {
    if (auto* v = section.options.if_contains(key)) {
      host.get_object()[key] = *v;
      section.options.erase(key);
    }
  }
  throw_issues(config,
               JsonSchema(kHostKeysSchema, "host keys schema").validate(host, section.pointer, config.dir));
  const auto& h = host.get_object();
  if (auto* v = h.if_contains("required")) section.required = v->get_bool();
  if (auto* v = h.if_contains("allow_insecure_http")) section.allow_insecure_http = v->get_bool();
}

void apply_override(json::value& root, const Override& override_) {
  json::value value;
  try {
    value = parse_json(override_.value, "--set");
  } catch (const ConfigError&) {
    value = json::string(override_.value);
  }
  json::value* node = &root;
  std::size_t start = 0;
  while (true) {
    auto dot = override_.path.find('.', start);
    std::string part =
        override_.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ConfigError("--set " + override_.path + ": empty path component");
    json::value* next = nullptr;
    if (node->is_array()) {
      std::size_t index = 0;
      try {
        index = std::stoul(part);
      } catch (const std::exception&) {
        throw ConfigError("--set " + override_.path + ": \"" + part + "\" is not an array index");
      }
      if (index >= node->get_array().size())
        throw ConfigError("--set " + override_.path + ": index " + part + " is out of range");
      next = &node->get_array()[index];
    } else {
      if (!node->is_object()) *node = json::object();
      next = &node->get_object()[part];
    }
    node = next;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  *node = std::move(value);
}

void read_engine_settings(RunConfig& config) {
  auto& options = config.provider->options;
  json::value engine = json::object();
  for (const char* key : {"mode", "batch_size", "max_jobs_in_flight", "poll_interval_s", "online_concurrency",
                          "requests_per_minute"}) {
    if (auto* v = options.if_contains(key)) {
      engine.get_object()[key] = *v;
      options.erase(key);
    }
  }
  throw_issues(config, JsonSchema(kProviderEngineSchema, "provider engine schema")
                           .validate(engine, config.provider->pointer, config.dir));
  auto& e = engine.get_object();
  auto& s = config.settings;
  if (auto* v = e.if_contains("mode")) s.mode = v->get_string() == "online" ? Mode::online : Mode::batch;
  if (auto* v = e.if_contains("batch_size")) s.batch_size = v->to_number<std::uint64_t>();
  if (auto* v = e.if_contains("max_jobs_in_flight")) s.max_jobs_in_flight = v->to_number<int>();
  if (auto* v = e.if_contains("poll_interval_s")) s.poll_interval_s = v->to_number<double>();
  if (auto* v = e.if_contains("online_concurrency")) s.online_concurrency = v->to_number<int>();
  if (auto* v = e.if_contains("requests_per_minute")) s.requests_per_minute = v->to_number<double>();
}

void read_run_settings(RunConfig& config, const json::object& root) {
  auto& s = config.settings;
  s.state_dir = config.dir / ".pipehost" / config.file.stem();
  auto* run_value = root.if_contains("run");
  if (!run_value) return;
  json::value run = *run_value;
  throw_issues(config, JsonSchema(kRunSchema, "run schema").validate(run, "/run", config.dir));
  auto& r = run.get_object();
  if (auto* v = r.if_contains("state_dir")) s.state_dir = std::string(v->get_string());
  if (auto* v = r.if_contains("max_attempts")) s.max_attempts = v->to_number<int>();
  if (auto* v = r.if_contains("allow_duplicate_keys")) s.allow_duplicate_keys = v->get_bool();
  if (auto* v = r.if_contains("give_up_after_s")) s.give_up_after_s = v->to_number<double>();
  if (auto* v = r.if_contains("report")) s.report = v->get_bool();
  if (auto* prices = r.if_contains("prices")) {
    for (const auto& [model, p] : prices->get_object()) {
      PriceOverride price;
      const auto& o = p.get_object();
      auto read = [&](const char* key, std::optional<double>& out) {
        if (auto* v = o.if_contains(key)) out = v->to_number<double>();
      };
      read("input", price.input);
      read("cached_input", price.cached_input);
      read("cache_write", price.cache_write);
      read("output", price.output);
      read("thinking", price.thinking);
      read("batch_multiplier", price.batch_multiplier);
      s.prices[std::string(model)] = price;
    }
  }
}

}  // namespace

Override parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + text + ": expected key.path=value (e.g. provider.batch_size=100)");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

json::object host_keys_schema(std::string_view stage_kind) {
  json::object properties;
  auto take = [&](const char* schema, std::initializer_list<const char*> keys) {
    auto parsed = json::parse(schema).as_object().at("properties").as_object();
    for (const char* key : keys) properties[key] = parsed.at(key);
  };
  if (stage_kind == "provider") {
    take(kProviderEngineSchema, {"mode", "batch_size", "max_jobs_in_flight", "poll_interval_s",
                                 "online_concurrency", "requests_per_minute"});
    take(kHostKeysSchema, {"allow_insecure_http"});
  } else if (stage_kind == "logger") {
    take(kHostKeysSchema, {"required", "allow_insecure_http"});
  }
  return json::object{{"type", "object"}, {"properties", std::move(properties)}};
}

const char* to_string(Mode mode) {
  return mode == Mode::online ? "online" : "batch";
}

RunConfig load_run_config(const std::filesystem::path& file, const std::vector<Override>& overrides) {
  RunConfig config;
  config.file = std::filesystem::absolute(file).lexically_normal();
  config.dir = config.file.parent_path();
  json::value root = read_json_file(config.file);
  for (const auto& o : overrides) apply_override(root, o);
  if (!root.is_object())
    fail(config, "", "expected a JSON object at the top level, got " + describe_value(root));
  const auto& top = root.get_object();

  for (const auto& [key, value] : top) {
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key) == kTopLevelKeys.end())
      // append, not "/" + ...: GCC 12 at -O3 warns falsely on literal + temporary (-Wrestrict, bug 105329)
      fail(config, std::string("/").append(pointer_token(key)),
           "unknown key \"" + std::string(key) + "\"" + did_you_mean(key, kTopLevelKeys) +
               "; allowed: source, request, provider, parser, sinks, loggers, run");
  }

  auto* source = top.if_contains("source");
  if (!source) fail(config, "/source", "missing (every run needs a source)");
  config.source = read_section(config, *source, "/source");
  for (const char* key : {"request", "provider", "parser"}) {
    if (auto* v = top.if_contains(key)) {
      auto section = read_section(config, *v, std::string("/") + key);
      if (std::string_view(key) == "request")
        config.request = std::move(section);
      else if (std::string_view(key) == "provider")
        config.provider = std::move(section);
      else
        config.parser = std::move(section);
    }
  }
  int model_sections = config.request.has_value() + config.provider.has_value() + config.parser.has_value();
  if (model_sections != 0 && model_sections != 3) {
    std::string missing = !config.request ? "/request" : !config.provider ? "/provider" : "/parser";
    fail(config, missing,
         "missing: \"request\", \"provider\" and \"parser\" go together (all three to run a model, none to "
         "copy rows)");
  }
  config.sinks = read_section_list(config, top, "sinks");
  config.loggers = read_section_list(config, top, "loggers");
  if (config.provider) {
    read_host_keys(config, *config.provider, {"allow_insecure_http"});
    read_engine_settings(config);
  }
  for (auto& logger : config.loggers) read_host_keys(config, logger, {"required", "allow_insecure_http"});
  read_run_settings(config, top);
  return config;
}

}  // namespace pipehost::config
