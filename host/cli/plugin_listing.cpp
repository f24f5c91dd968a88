#include "cli/plugin_listing.hpp"

#include <algorithm>
#include <iomanip>

#include <boost/json.hpp>

#include "config/run_config.hpp"

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

std::string number_text(const json::value& v) {
  return json::serialize(v);
}

/// ", 1 to 1024", ", > 0", ", at least 1": the bounds a number must keep.
std::string range_text(const json::object& property) {
  auto* min = property.if_contains("minimum");
  auto* max = property.if_contains("maximum");
  auto* above = property.if_contains("exclusiveMinimum");
  if (min && max) return ", " + number_text(*min) + " to " + number_text(*max);
  std::string out;
  if (min) out += ", at least " + number_text(*min);
  if (above) out += ", > " + number_text(*above);
  if (max) out += ", at most " + number_text(*max);
  return out;
}

/// Markdown table cells cannot hold a bare "|".
std::string cell_text(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
    text.insert(at, 1, '\\');
  return text;
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
  if (auto* items = property.if_contains("items"); items && items->is_object() && type.find("array") == 0)
    type.replace(0, 5, "array of " + type_text(items->get_object()));
  type += range_text(property);
  if (auto* f = property.if_contains("format"); f && f->is_string() && f->get_string() == "path")
    type += " (path)";
  if (auto* f = property.if_contains("format"); f && f->is_string() && f->get_string() == "secret-env")
    type += " (secret env var)";
  return type.empty() ? "any" : type;
}

std::string string_member(const json::object& object, const char* key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

bool is_required(const json::object& schema, std::string_view key) {
  auto* required = schema.if_contains("required");
  if (!required || !required->is_array()) return false;
  const auto& names = required->get_array();
  return std::any_of(names.begin(), names.end(),
                     [&](const json::value& v) { return v.is_string() && v.get_string() == key; });
}

const json::object* properties_of(const json::object& schema) {
  auto* properties = schema.if_contains("properties");
  return properties && properties->is_object() ? &properties->get_object() : nullptr;
}

/// The schema whose keys sit below a property: an object's own, an array's items', or a map's values'
/// ("additionalProperties"), with the suffix that names that step in a dotted key.
const json::object* nested_schema(const json::object& property, std::string_view& step) {
  auto object_schema = [](const json::value* v) {
    return v && v->is_object() && properties_of(v->get_object()) ? &v->get_object() : nullptr;
  };
  if (properties_of(property)) return step = ".", &property;
  if (auto* items = object_schema(property.if_contains("items"))) return step = "[].", items;
  if (auto* values = object_schema(property.if_contains("additionalProperties")))
    return step = ".NAME.", values;
  return nullptr;
}

/// Markdown rows for every key of `schema`, nested keys as `parent.child`.
void print_key_rows(const json::object& schema, const std::string& prefix, std::ostream& out) {
  const auto* properties = properties_of(schema);
  if (!properties) return;
  for (const auto& [key, value] : *properties) {
    if (!value.is_object()) continue;
    const auto& property = value.get_object();
    std::string name = prefix + std::string(key);
    std::string default_text = is_required(schema, key)       ? "required"
                               : property.contains("default") ? json::serialize(property.at("default"))
                                                              : "";
    out << "| `" << name << "` | " << cell_text(type_text(property)) << " | " << cell_text(default_text)
        << " | " << cell_text(string_member(property, "description")) << " |\n";
    std::string_view step;
    if (const auto* nested = nested_schema(property, step)) print_key_rows(*nested, name.append(step), out);
  }
}

void print_key_table(const json::object& schema, std::ostream& out) {
  out << "| key | type | default | description |\n|---|---|---|---|\n";
  print_key_rows(schema, "", out);
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
    stages.push_back(json::object{{"kind", to_string(s.kind)},
                                  {"description", s.description},
                                  {"config_schema", schema},
                                  {"host_keys_schema", config::host_keys_schema(to_string(s.kind))}});
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
    if (schema.is_object() && properties_of(schema.get_object()) &&
        !properties_of(schema.get_object())->empty())
      print_key_table(schema.get_object(), out);
    else
      out << "No config keys besides \"plugin\".\n";
    auto host_keys = config::host_keys_schema(to_string(stage.kind));
    if (!properties_of(host_keys)->empty()) {
      out << "\nRead by pipehost itself in every " << to_string(stage.kind)
          << " section, whatever the plugin:\n\n";
      print_key_table(host_keys, out);
    }
  }
}

}  // namespace pipehost::cli
