#include "npm_packages.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "process.hpp"
#include "test_host.hpp"

namespace pipehost::test {

namespace {

bool all_installed(const std::filesystem::path& dir, const std::vector<std::string>& packages) {
  for (const auto& package : packages)
    if (!std::filesystem::exists(dir / "node_modules" / package / "package.json")) return false;
  return true;
}

}  // namespace

std::string ensure_npm_packages(const std::filesystem::path& dir, const std::string& package_json,
                                const std::vector<std::string>& packages,
                                const std::map<std::string, std::string>& env) {
  std::filesystem::create_directories(dir);
  int lock = ::open((dir / ".install.lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock < 0) return "cannot create the install lock in " + dir.string();
  ::flock(lock, LOCK_EX);
  std::string error;
  if (!all_installed(dir, packages)) {
    write_file(dir / "package.json", package_json);
    ProcessOptions options;
    options.working_dir = dir.string();
    options.env = env;
    options.timeout = std::chrono::minutes(10);
    auto npm = run_process({"npm", "install", "--no-audit", "--no-fund", "--loglevel=error"}, options);
    if (npm.exit_code != 0 || !all_installed(dir, packages)) {
      std::string names;
      for (const auto& package : packages) names += (names.empty() ? "" : ", ") + package;
      error = "npm install of " + names + " failed (exit " + std::to_string(npm.exit_code) + "):\n" +
              (npm.err + npm.out).substr(0, 3000);
    }
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return error;
}

}  // namespace pipehost::test
