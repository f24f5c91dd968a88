// Node packages the tests need (the official API clients, playwright), installed once into a folder
// of the build tree that every later run reuses.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pipehost::test {

/// Makes sure `packages` (npm names) are installed in `dir`/node_modules: when one is missing, writes
/// `package_json` to `dir` and runs `npm install` there with `env` added. Tests running in parallel
/// share the folder, so an flock on it serialises the install. Returns an error message, or "".
std::string ensure_npm_packages(const std::filesystem::path& dir, const std::string& package_json,
                                const std::vector<std::string>& packages,
                                const std::map<std::string, std::string>& env = {});

}  // namespace pipehost::test
