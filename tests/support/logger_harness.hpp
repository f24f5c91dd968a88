// What the logger integration tests share: the built plugins loaded as the host loads them (config
// checked against the plugin's schema, paths resolved), the emulator with a fake BrainTrust key, and
// read-back of what the emulator holds.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

#include "config/json_schema.hpp"
#include "emulator_process.hpp"
#include "loader/plugin_registry.hpp"
#include "pipehost/sdk.hpp"
#include "test_host.hpp"

namespace pipehost::test {

namespace json = boost::json;

/// The environment variable and the (fake) key the tests use; the key is distinctive so a grep for it
/// cannot match anything by chance.
inline constexpr const char* kBraintrustKeyEnv = "PIPEHOST_TEST_BRAINTRUST_KEY";
inline constexpr const char* kBraintrustKey = "bt-fake-key-4Wq9Zr7Lx2Kp";

/// The plugin library `pipehost-<name>.so` from the build's plugin folder, loaded once.
inline const loader::LoadedPlugin& built_plugin(const std::string& name) {
  static loader::PluginRegistry registry;
  if (const auto* plugin = registry.find(name)) return *plugin;
  auto file = std::filesystem::path(PIPEHOST_PLUGIN_DIR) / ("pipehost-" + name + ".so");
  if (!registry.load_file(file)) throw std::runtime_error(registry.refusals().back().message());
  return *registry.find(name);
}

/// A logger stage of plugin `name`, its config validated against the plugin's schema first (as the
/// host does, which also makes "format": "path" values absolute against `config_dir`).
inline std::shared_ptr<Logger> create_logger(const std::string& name, TestHost& host,
                                             const json::object& config,
                                             const std::string& config_dir = "/") {
  const auto& plugin = built_plugin(name);
  const StageDescriptor* stage = plugin.stage(StageKind::logger);
  if (!stage) throw std::runtime_error(name + " has no logger stage");
  config::JsonSchema schema(stage->config_schema, name);
  json::value checked = config;
  auto issues = schema.validate(checked, "/loggers/0", config_dir);
  if (!issues.empty()) throw std::runtime_error(issues.front().pointer + ": " + issues.front().message);
  StageContext context{host, json::serialize(checked), config_dir, "/loggers/0"};
  return loader::create_stage_as<Logger>(plugin, *stage, context);
}

inline EmulatorOptions emulator_with_braintrust_key() {
  EmulatorOptions options;
  options.braintrust_key = kBraintrustKey;
  return options;
}

inline HttpHeaders braintrust_auth() {
  return {{"Authorization", std::string("Bearer ") + kBraintrustKey}};
}

/// The id of the emulator's project called `name` (empty when there is none).
inline std::string emulator_project_id(const EmulatorProcess& emulator, const std::string& name) {
  auto reply = emulator.request("GET", "/v1/project?project_name=" + name, "", braintrust_auth());
  if (reply.status != 200) throw std::runtime_error("listing projects: HTTP " + std::to_string(reply.status));
  json::value answer = json::parse(reply.body);
  const auto& objects = answer.at("objects").as_array();
  return objects.empty() ? "" : std::string(objects.front().at("id").as_string());
}

/// Every current row of a project's logs, by id, read through the fetch endpoint's cursor paging.
inline std::map<std::string, json::object> fetch_project_logs(const EmulatorProcess& emulator,
                                                              const std::string& project_id) {
  std::map<std::string, json::object> rows;
  json::value cursor = nullptr;
  for (int page = 0; page < 10000; ++page) {
    json::object body{{"limit", 300}};
    if (!cursor.is_null()) body["cursor"] = cursor;
    auto reply = emulator.request(
        "POST", "/v1/project_logs/" + project_id + "/fetch", json::serialize(body),
        {{"Authorization", std::string("Bearer ") + kBraintrustKey}, {"Content-Type", "application/json"}});
    if (reply.status != 200)
      throw std::runtime_error("fetch: HTTP " + std::to_string(reply.status) + " " + reply.body);
    json::object answer = json::parse(reply.body).as_object();
    const auto& events = answer.at("events").as_array();
    for (const auto& event : events) {
      std::string id(event.at("id").as_string());
      if (!rows.emplace(id, event.as_object()).second)
        throw std::runtime_error("fetch returned id " + id + " twice");
    }
    cursor = answer.contains("cursor") ? answer.at("cursor") : json::value(nullptr);
    if (events.empty() || cursor.is_null()) return rows;
  }
  throw std::runtime_error("fetch did not end");
}

/// A fetched row without the fields the service adds, to compare with what was sent.
inline json::object as_sent(json::object row) {
  for (const char* added : {"_xact_id", "org_id", "project_id", "log_id", "is_root"}) row.erase(added);
  return row;
}

}  // namespace pipehost::test
