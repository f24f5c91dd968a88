// `pipehost plugins`: what was found, as a table, as JSON, or one plugin's config keys.
#pragma once

#include <ostream>
#include <string>

#include "loader/plugin_registry.hpp"

namespace pipehost::cli {

void print_plugin_table(const loader::PluginRegistry& registry, std::ostream& out);
void print_plugin_json(const loader::PluginRegistry& registry, std::ostream& out);
/// The config keys of every stage of one plugin, as Markdown tables generated from its schemas.
void print_plugin_details(const loader::LoadedPlugin& plugin, std::ostream& out);
/// One plugin as `plugins --json` lists it (name, version, file, stages with their config schemas).
void print_plugin_details_json(const loader::LoadedPlugin& plugin, std::ostream& out);

}  // namespace pipehost::cli
