#include "cli/plugin_folders.hpp"

#include <cstdlib>

namespace pipehost::cli {

std::vector<std::filesystem::path> plugin_folders(const std::vector<std::string>& explicit_dirs) {
  std::vector<std::filesystem::path> folders;
  if (!explicit_dirs.empty()) {
    for (const auto& d : explicit_dirs) folders.emplace_back(d);
    return folders;
  }
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto prefix = exe.parent_path().parent_path();
    for (auto candidate : {prefix / "plugins", prefix / PIPEHOST_INSTALLED_PLUGIN_DIR}) {
      if (std::filesystem::is_directory(candidate, ec)) {
        folders.push_back(candidate);
        break;
      }
    }
  }
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

}  // namespace pipehost::cli
