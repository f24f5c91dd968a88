#include "cli/plugin_listing.hpp"

#include <algorithm>
#include <iomanip>

#include <boost/json.hpp>

namespace pipehost::cli {

namespace json = boost::json;

namespace {

std::string stage_list(const loader::LoadedPlugin& plugin) {
  std::string out;
  for (const auto& s : plugin.descriptor->stages) {
    if (!out.empty()) out += ',';
    out += to_string(s.kind);
  }
  return out;
}

std::string type_text(const json::object& property) {
  std::string type;
  if (auto* t = property.if_contains("type")) {
    if (t->is_string())
      type = std::string(t->get_string());
    else if (t->is_array())
      for (const auto& x : t->get_array()) type += (type.empty() ? "" : " or ") + std::string(x.as_string());
  }
  if (auto* e = property.if_contains("enum"); e && e->is_array()) {
    std::string values;
    for (const auto& v : e->get_array()) values += (values.empty() ? "" : ", ") + json::serialize(v);
    type = "one of " + values;
  }
  if (auto* f = property.if_contains("format"); f && f->is_string() && f->get_string() == "path")
    type += " (path)";
  if (auto* f = property.if_contains("format"); f && f->is_string() && f->get_string() == "secret-env")
    type += " (secret env var)";
  return type.empty() ? "any" : type;
}

json::object plugin_json(const loader::LoadedPlugin& p) {
  json::array stages;
  for (const auto& s : p.descriptor->stages) {
    json::value schema;
    try {
      schema = json::parse(s.config_schema);
    } catch (const std::exception&) {
      schema = json::string(s.config_schema);
    }
    stages.push_back(
        json::object{{"kind", to_string(s.kind)}, {"description", s.description}, {"config_schema", schema}});
  }
  return json::object{{"name", p.name()},
                      {"version", p.descriptor->version},
                      {"description", p.descriptor->description},
                      {"file", p.file.string()},
                      {"sdk_abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor)},
                      {"sdk_version", p.sdk_version},
                      {"stages", stages}};
}

}  // namespace

void print_plugin_details_json(const loader::LoadedPlugin& plugin, std::ostream& out) {
  out << json::serialize(plugin_json(plugin)) << "\n";
}

void print_plugin_table(const loader::PluginRegistry& registry, std::ostream& out) {
  std::size_t name_width = 4, version_width = 7, stages_width = 6;
  for (const auto& p : registry.plugins()) {
    name_width = std::max(name_width, p.name().size());
    version_width = std::max(version_width, p.descriptor->version.size());
    stages_width = std::max(stages_width, stage_list(p).size());
  }
  out << std::left << std::setw(static_cast<int>(name_width + 2)) << "NAME"
      << std::setw(static_cast<int>(version_width + 2)) << "VERSION"
      << std::setw(static_cast<int>(stages_width + 2)) << "STAGES"
      << "DESCRIPTION\n";
  for (const auto& p : registry.plugins()) {
    out << std::left << std::setw(static_cast<int>(name_width + 2)) << p.name()
        << std::setw(static_cast<int>(version_width + 2)) << p.descriptor->version
        << std::setw(static_cast<int>(stages_width + 2)) << stage_list(p) << p.descriptor->description
        << "\n";
  }
  if (registry.plugins().empty()) out << "(no plugins found)\n";
}

void print_plugin_json(const loader::PluginRegistry& registry, std::ostream& out) {
  json::array plugins;
  for (const auto& p : registry.plugins()) plugins.push_back(plugin_json(p));
  json::array refused;
  for (const auto& r : registry.refusals())
    refused.push_back(json::object{{"file", r.file.string()}, {"reason", r.reason}});
  out << json::serialize(json::object{{"plugins", plugins}, {"refused", refused}}) << "\n";
}

void print_plugin_details(const loader::LoadedPlugin& plugin, std::ostream& out) {
  out << "# " << plugin.name() << " " << plugin.descriptor->version << "\n\n"
      << plugin.descriptor->description << "\n\nFile: " << plugin.file.string() << " (SDK "
      << plugin.sdk_version << ", ABI " << plugin.abi_major << "." << plugin.abi_minor << ")\n";
  for (const auto& stage : plugin.descriptor->stages) {
    out << "\n## " << to_string(stage.kind) << "\n\n";
    if (!stage.description.empty()) out << stage.description << "\n\n";
    json::value schema;
    try {
      schema = json::parse(stage.config_schema);
    } catch (const std::exception& e) {
      out << "(invalid config schema: " << e.what() << ")\n";
      continue;
    }
    const json::object* properties = nullptr;
    if (schema.is_object())
      if (auto* p = schema.get_object().if_contains("properties"); p && p->is_object())
        properties = &p->get_object();
    std::vector<std::string> required;
    if (schema.is_object())
      if (auto* r = schema.get_object().if_contains("required"); r && r->is_array())
        for (const auto& name : r->get_array()) required.emplace_back(name.as_string());
    if (!properties || properties->empty()) {
      out << "No config keys besides \"plugin\".\n";
      continue;
    }
    out << "| key | type | default | description |\n|---|---|---|---|\n";
    for (const auto& [key, value] : *properties) {
      if (!value.is_object()) continue;
      const auto& property = value.get_object();
      bool is_required = std::find(required.begin(), required.end(), std::string(key)) != required.end();
      std::string default_text =
          is_required ? "required"
                      : (property.contains("default") ? json::serialize(property.at("default")) : "");
      std::string description = property.contains("description") && property.at("description").is_string()
                                    ? std::string(property.at("description").get_string())
                                    : "";
      out << "| `" << std::string(key) << "` | " << type_text(property) << " | " << default_text << " | "
          << description << " |\n";
    }
  }
}

}  // namespace pipehost::cli
