#include "cli/output_folders.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "config/json_text.hpp"

namespace pipehost::cli {

namespace {

/// Why `folder` (which need not exist yet) cannot be written, or empty. Only looks: creates nothing.
std::string why_not_writable(const std::filesystem::path& folder) {
  std::error_code ec;
  auto existing = folder;
  while (!existing.empty() && !std::filesystem::exists(existing, ec)) {
    if (existing == existing.parent_path()) break;
    existing = existing.parent_path();
  }
  // Not a folder: the stage that writes there reports it, with its own context.
  if (existing.empty() || !std::filesystem::is_directory(existing, ec)) return {};
  if (::access(existing.c_str(), W_OK | X_OK) == 0) return {};
  return existing.string() + " is not writable (" + std::strerror(errno) + ")";
}

}  // namespace

void check_output_folders(const config::RunConfig& config) {
  struct Output {
    std::filesystem::path folder;
    std::string how_to_move;
  };
  std::vector<Output> outputs;
  if (config.has_model()) {
    auto state_dir = config.settings.state_dir;
    if (state_dir.is_relative()) state_dir = config.dir / state_dir;
    outputs.push_back({state_dir, "--state-dir DIR"});
  }
  auto add_paths = [&](const std::vector<config::StageSection>& sections, const std::string& list) {
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const auto* path = sections[i].options.if_contains("path");
      if (!path || !path->is_string()) continue;
      std::filesystem::path file(std::string(path->get_string()));
      if (file.is_relative()) file = config.dir / file;
      outputs.push_back(
          {file.lexically_normal().parent_path(), "--set " + list + "." + std::to_string(i) + ".path=FILE"});
    }
  };
  add_paths(config.sinks, "sinks");
  add_paths(config.loggers, "loggers");
  for (const auto& output : outputs) {
    auto why = why_not_writable(output.folder);
    if (why.empty()) continue;
    throw config::ConfigError(
        config.file.string() + ": cannot write to " + output.folder.string() + ": " + why +
        ". An installed example is read-only: copy its folder somewhere you can write "
        "(cp -r " +
        config.dir.string() + " .) and run the copy, or write elsewhere with " + output.how_to_move);
  }
}

}  // namespace pipehost::cli
