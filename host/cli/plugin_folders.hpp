// Where pipehost looks for plugins when --plugins is not given, and loading them from there.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "loader/plugin_registry.hpp"

namespace pipehost::cli {

/// The folders to scan: `explicit_dirs` when given; otherwise the plugins folder that belongs to
/// the binary, found from its own location (/proc/self/exe), not the current directory:
/// `../plugins` (a build tree's build/plugins, or an unpacked package's plugins/), else
/// `../lib/pipehost/plugins` (an installed copy); then each entry of $PIPEHOST_PLUGIN_PATH
/// (colon-separated).
std::vector<std::filesystem::path> plugin_folders(const std::vector<std::string>& explicit_dirs);

/// Loads every plugin of `plugin_folders(explicit_dirs)`. Throws config::ConfigError when there is
/// no folder at all, or when nothing loaded and a folder holds no plugin library (the usual slip:
/// `--plugins plugins/` in a source checkout, which holds the plugins' sources). A folder without
/// libraries next to others that have some is only a warning. With `warn_refusals`, every library
/// that was refused is logged as a warning.
std::unique_ptr<loader::PluginRegistry> load_plugin_registry(const std::vector<std::string>& explicit_dirs,
                                                             bool warn_refusals);

}  // namespace pipehost::cli
