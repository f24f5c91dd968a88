#include "engine/preflight.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include <boost/json.hpp>

#include "config/schema_formats.hpp"
#include "engine/run_error.hpp"
#include "net/url.hpp"

namespace pipehost::engine {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// The columns pipehost adds after the input and AI columns.
constexpr const char* kHostColumns[] = {"_status", "_error"};

/// A string value of a stage section that its schema marks with a format.
struct StageValue {
  std::string pointer;
  std::string value;
  bool from_default = false;
};

template <class Interface>
std::vector<StageValue> formatted_values(const BoundStage<Interface>& stage, std::string_view format) {
  std::vector<StageValue> out;
  const StageDescriptor* descriptor = stage.plugin ? stage.plugin->stage(Interface::kKind) : nullptr;
  if (!descriptor) return out;
  boost::system::error_code schema_ec, value_ec;
  json::value schema = json::parse(descriptor->config_schema, schema_ec);
  json::value value = json::parse(stage.config_json, value_ec);
  if (schema_ec || value_ec) return out;  // both were parsed before the stage was created
  for (auto& found : config::values_with_format(schema, value, stage.pointer, format)) {
    // anyOf alternatives may report the same value twice.
    bool seen =
        std::any_of(out.begin(), out.end(), [&](const StageValue& v) { return v.pointer == found.pointer; });
    if (!seen) out.push_back({found.pointer, found.value, found.from_default});
  }
  return out;
}

/// Calls `visit(stage)` for every stage of the pipeline.
template <class Visit>
void for_each_stage(Pipeline& pipeline, Visit&& visit) {
  visit(pipeline.source);
  if (pipeline.request) visit(*pipeline.request);
  if (pipeline.provider) visit(*pipeline.provider);
  if (pipeline.parser) visit(*pipeline.parser);
  for (auto& sink : pipeline.sinks) visit(sink);
  for (auto& logger : pipeline.loggers) visit(logger);
}

std::string blank_trimmed(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

class Preflight {
 public:
  Preflight(const config::RunConfig& config, Pipeline& pipeline, services::SecretRegistry& secrets)
      : config_(config), pipeline_(pipeline), secrets_(secrets) {}

  void check_files() {
    // Files the run reads: the source's, the request builder's and parser's (prompt, template, schema)
    // and the provider's (a CA file). An output that is one of them would destroy it.
    std::vector<StageValue> inputs = formatted_values(pipeline_.source, config::kPathFormat);
    auto add_inputs = [&](const auto& stage) {
      for (auto& v : formatted_values(stage, config::kPathFormat)) inputs.push_back(std::move(v));
    };
    if (pipeline_.request) add_inputs(*pipeline_.request);
    if (pipeline_.parser) add_inputs(*pipeline_.parser);
    if (pipeline_.provider) add_inputs(*pipeline_.provider);
    std::erase_if(inputs, [](const StageValue& v) { return v.from_default || v.value.empty(); });

    std::vector<StageValue> outputs;
    for (const auto& sink : pipeline_.sinks)
      for (auto& v : formatted_values(sink, config::kPathFormat))
        if (!v.from_default && !v.value.empty()) outputs.push_back(std::move(v));

    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const auto& output = outputs[i];
      const auto* clash = find_same(inputs, output.value);
      if (clash) {
        problem(output.pointer, "the output " + output.value + " is the file the run reads at " +
                                    clash->pointer +
                                    (clash->value == output.value ? "" : " (" + clash->value + ")") +
                                    "; writing it would destroy it: choose another output path");
        continue;
      }
      std::vector<StageValue> earlier(outputs.begin(), outputs.begin() + static_cast<std::ptrdiff_t>(i));
      if (const auto* twin = find_same(earlier, output.value)) {
        problem(output.pointer, "the output " + output.value + " is also written by " + twin->pointer +
                                    "; give each sink its own file");
        continue;
      }
      if (auto why = unwritable_reason(output.value); !why.empty())
        problem(output.pointer, "cannot write the output " + output.value + ": " + why);
    }
  }

  void check_columns() {
    if (!pipeline_.request || !pipeline_.parser) return;
    std::vector<std::string> columns, ai_columns;
    std::vector<Column> parser_columns;
    if (auto status = pipeline_.source->open(columns); !status)
      throw InputError(pipeline_.source.label() + ": " + status.message());
    if (auto status = (*pipeline_.parser)->columns(parser_columns); !status)
      throw config::ConfigError(config_.file.string() + ": " + pipeline_.parser->pointer + ": " +
                                status.message());
    for (const auto& column : parser_columns) ai_columns.push_back(column.name);
    for (const auto& collision : column_collisions(columns, ai_columns))
      problem(pipeline_.source.pointer,
              collision + " (" + pipeline_.source.label() + " and " + pipeline_.parser->label() + ")");
  }

  void check_provider_mode() {
    if (!pipeline_.provider) return;
    ProviderCapabilities capabilities;
    auto& provider = *pipeline_.provider;
    if (auto status = provider->capabilities(capabilities); !status)
      throw config::ConfigError(provider.label() + ": " + status.message());
    const std::string mode = config::to_string(config_.settings.mode);
    bool batch = config_.settings.mode == config::Mode::batch;
    if (batch ? capabilities.batch : capabilities.online) return;
    bool other = batch ? capabilities.online : capabilities.batch;
    problem(provider.pointer + "/mode",
            "\"" + mode + "\" needs a provider that " + (batch ? "runs batch jobs" : "makes online calls") +
                ", and plugin \"" + provider.plugin->name() + "\" does not" +
                (other ? std::string("; set \"mode\": \"") + (batch ? "online" : "batch") + "\"" : ""));
  }

  void check_secrets(bool required) {
    for_each_stage(pipeline_, [&](const auto& stage) {
      for (const auto& v : formatted_values(stage, config::kSecretEnvFormat)) {
        if (v.value.empty()) continue;  // the plugin's own check names this better
        std::string where =
            v.from_default ? " (the default of " + v.pointer.substr(v.pointer.rfind('/') + 1) + ")" : "";
        const char* secret = std::getenv(v.value.c_str());
        if (!required && (!secret || blank_trimmed(secret).empty())) continue;
        if (!secret) {
          problem(v.pointer,
                  "environment variable " + v.value + where +
                      " is not set; export it with the key (keys are only read from the environment)");
        } else if (blank_trimmed(secret).empty()) {
          problem(v.pointer, "environment variable " + v.value + where + " is empty; export it with the key");
        } else {
          // Known from the start, so even commands that never call the service redact it.
          secrets_.add(secret);
          secrets_.add(blank_trimmed(secret));
        }
      }
    });
  }

  // Plain http:// to another machine would carry the API key in the clear. The HTTP client refuses
  // it at the first request, after the scan and the first job's preparation; say so before anything.
  void check_plain_http() {
    auto check = [&](const auto& stage) {
      const config::StageSection* section = section_at(stage.pointer);
      if (!section || section->allow_insecure_http) return;
      boost::system::error_code ec;
      json::value options = json::parse(stage.config_json, ec);
      if (ec || !options.is_object()) return;
      for (const auto& [key, value] : options.get_object()) {
        if (!value.is_string() || !value.get_string().starts_with("http://")) continue;
        net::Url url;
        if (!net::parse_url(value.get_string(), url) || net::is_loopback_host(url.host)) continue;
        problem(stage.pointer + "/" + std::string(key),
                "plain http:// to " + url.host +
                    ", which is not a loopback address: the traffic, API keys included, would be readable on "
                    "the network; use https://, or set \"allow_insecure_http\": true in " +
                    stage.pointer + " if you must");
      }
    };
    if (pipeline_.provider) check(*pipeline_.provider);
    for (const auto& logger : pipeline_.loggers) check(logger);
  }

  std::vector<std::string> take_problems() { return std::move(problems_); }

 private:
  void problem(const std::string& pointer, const std::string& message) {
    problems_.push_back(config_.file.string() + ": " + pointer + ": " + message);
  }

  const config::StageSection* section_at(const std::string& pointer) const {
    if (config_.provider && config_.provider->pointer == pointer) return &*config_.provider;
    for (const auto& logger : config_.loggers)
      if (logger.pointer == pointer) return &logger;
    return nullptr;
  }

  static const StageValue* find_same(const std::vector<StageValue>& candidates, const std::string& path) {
    for (const auto& candidate : candidates)
      if (same_file(candidate.value, path)) return &candidate;
    return nullptr;
  }

  const config::RunConfig& config_;
  Pipeline& pipeline_;
  services::SecretRegistry& secrets_;
  std::vector<std::string> problems_;
};

}  // namespace

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) {
    bool same = fs::equivalent(a, b, ec);
    if (!ec) return same;
  }
  auto canonical = [](const fs::path& p) {
    std::error_code error;
    auto resolved = fs::weakly_canonical(fs::absolute(p, error), error);
    return error ? p.lexically_normal() : resolved;
  };
  return canonical(a) == canonical(b);
}

std::string unwritable_reason(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return "it is a folder";
  fs::path folder = fs::absolute(path, ec).parent_path();
  while (true) {
    auto status = fs::status(folder, ec);
    if (fs::exists(status)) {
      if (!fs::is_directory(status)) return folder.string() + " is not a folder";
      break;
    }
    if (folder == folder.parent_path()) return "none of the folders on its path exists";
    folder = folder.parent_path();
  }
  // Permission bits do not tell (root ignores them, read-only mounts and /proc ignore them too):
  // create and remove a file where the sink will write.
  std::string probe = (folder / ".pipehost-write-test-XXXXXX").string();
  int fd = ::mkstemp(probe.data());
  if (fd < 0) return "cannot create files in " + folder.string() + " (" + std::strerror(errno) + ")";
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

std::vector<std::string> column_collisions(const std::vector<std::string>& input_columns,
                                           const std::vector<std::string>& ai_columns) {
  std::vector<std::string> out;
  auto is_input = [&](const std::string& name) {
    return std::find(input_columns.begin(), input_columns.end(), name) != input_columns.end();
  };
  for (const auto& column : ai_columns)
    if (is_input(column))
      out.push_back("the input has a column named \"" + column +
                    "\", and the response schema has a property of that name: the output would have two \"" +
                    column + "\" columns; rename the input column or the property");
  for (const char* column : kHostColumns)
    if (is_input(column))
      out.push_back("the input has a column named \"" + std::string(column) +
                    "\", which pipehost adds to the output itself; rename the input column");
  for (std::size_t i = 0; i < ai_columns.size(); ++i)
    if (std::find(ai_columns.begin(), ai_columns.begin() + static_cast<std::ptrdiff_t>(i), ai_columns[i]) !=
        ai_columns.begin() + static_cast<std::ptrdiff_t>(i))
      out.push_back("the parser gives two output columns named \"" + ai_columns[i] + "\"");
  for (const char* column : kHostColumns)
    if (std::find(ai_columns.begin(), ai_columns.end(), column) != ai_columns.end())
      out.push_back("the response schema has a property named \"" + std::string(column) +
                    "\", which pipehost adds to the output itself; rename the property");
  return out;
}

std::vector<std::string> preflight_problems(const config::RunConfig& config, Pipeline& pipeline,
                                            services::SecretRegistry& secrets,
                                            const PreflightChecks& checks) {
  Preflight check(config, pipeline, secrets);
  check.check_files();
  if (config.has_model()) {
    check.check_columns();
    if (checks.provider_mode) check.check_provider_mode();
  }
  check.check_secrets(checks.secrets);
  check.check_plain_http();
  return check.take_problems();
}

void preflight(const config::RunConfig& config, Pipeline& pipeline, services::SecretRegistry& secrets,
               const PreflightChecks& checks) {
  auto problems = preflight_problems(config, pipeline, secrets, checks);
  if (problems.empty()) return;
  std::string message;
  for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
  throw config::ConfigError(message);
}

}  // namespace pipehost::engine
