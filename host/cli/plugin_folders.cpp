#include "cli/plugin_folders.hpp"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "config/json_text.hpp"

namespace pipehost::cli {

namespace {

/// The plugins folder of this binary's own build tree, unpacked package or installation, if any.
std::filesystem::path own_plugin_folder() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto prefix = exe.parent_path().parent_path();
  for (auto candidate : {prefix / "plugins", prefix / PIPEHOST_INSTALLED_PLUGIN_DIR})
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
  return {};
}

bool holds_plugin_libraries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && entry.path().extension() == ".so") return true;
  return false;
}

/// Why `dir` gave no plugin library, or empty when it holds some.
std::string missing_libraries(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return dir.string() + ": plugin folder does not exist";
  if (!holds_plugin_libraries(dir)) return dir.string() + " holds no pipehost plugin libraries (*.so)";
  return {};
}

std::string where_plugins_usually_are() {
  std::string hint =
      "after `make build` they are in build/plugins, in an installed copy in lib/pipehost/plugins";
  if (auto own = own_plugin_folder(); !own.empty())
    hint += " (this pipehost's own: " + own.string() + ", used when --plugins is not given)";
  return hint;
}

}  // namespace

std::vector<std::filesystem::path> plugin_folders(const std::vector<std::string>& explicit_dirs) {
  std::vector<std::filesystem::path> folders;
  if (!explicit_dirs.empty()) {
    for (const auto& d : explicit_dirs) folders.emplace_back(d);
    return folders;
  }
  if (auto own = own_plugin_folder(); !own.empty()) folders.push_back(own);
  if (const char* env = std::getenv("PIPEHOST_PLUGIN_PATH")) {
    std::string paths(env);
    std::size_t start = 0;
    while (start <= paths.size()) {
      auto colon = paths.find(':', start);
      auto part = paths.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!part.empty()) folders.emplace_back(part);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  return folders;
}

std::unique_ptr<loader::PluginRegistry> load_plugin_registry(const std::vector<std::string>& explicit_dirs,
                                                             bool warn_refusals) {
  auto folders = plugin_folders(explicit_dirs);
  if (folders.empty())
    throw config::ConfigError(
        "no plugin folder found: pass --plugins DIR (e.g. --plugins build/plugins) or set "
        "PIPEHOST_PLUGIN_PATH");
  auto registry = std::make_unique<loader::PluginRegistry>();
  std::vector<std::string> empty_folders;
  for (const auto& folder : folders) {
    if (auto why = missing_libraries(folder); !why.empty()) empty_folders.push_back(std::move(why));
    registry->load_directory(folder);
  }
  if (!empty_folders.empty()) {
    std::string message;
    for (const auto& why : empty_folders) message += why + "; ";
    message += where_plugins_usually_are();
    if (registry->plugins().empty()) throw config::ConfigError(message);
    spdlog::warn("{}", message);
  }
  if (warn_refusals) {
    for (const auto& refusal : registry->refusals()) {
      // A missing folder was reported above, with the hint.
      if (std::find(folders.begin(), folders.end(), refusal.file) != folders.end()) continue;
      spdlog::warn("refused plugin {}", refusal.message());
    }
  }
  return registry;
}

}  // namespace pipehost::cli
