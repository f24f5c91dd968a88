// Where pipehost looks for plugins when --plugins is not given.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pipehost::cli {

/// The folders to scan: `explicit_dirs` when given; otherwise the plugins folder that belongs to
/// the binary (build/plugins next to build/bin, or <prefix>/lib/pipehost/plugins when installed),
/// then each entry of $PIPEHOST_PLUGIN_PATH (colon-separated).
std::vector<std::filesystem::path> plugin_folders(const std::vector<std::string>& explicit_dirs);

}  // namespace pipehost::cli
