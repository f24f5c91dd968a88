// A HostServices for unit tests of stage classes: secrets from the environment, log lines and
// progress counters recorded for assertions, scratch space in a fresh temporary directory.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipehost/host_services.hpp"
#include "value_compare.hpp"

namespace pipehost::test {

/// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// `path() / name` as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class TestHost final : public HostServices {
 public:
  TestHost();

  std::shared_ptr<HttpClient> http(const HttpClientOptions& options, Status& status) noexcept override;
  Status secret(std::string_view env_name, std::string& value) noexcept override;
  void log(LogLevel level, std::string_view message) noexcept override;
  void progress(std::string_view counter, std::int64_t delta) noexcept override;
  bool sleep_for(std::chrono::milliseconds duration) noexcept override;
  bool cancelled() const noexcept override { return cancelled_; }
  std::string scratch_dir() const override;
  std::string state_dir() const override { return dir_.path().string(); }

  void cancel() { cancelled_ = true; }
  std::vector<std::string> logs() const;
  std::int64_t counter(const std::string& name) const;

 private:
  TempDir dir_;
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::map<std::string, std::int64_t, std::less<>> counters_;
  /// Values handed out by `secret`, redacted from the HTTP client's messages as the real host does.
  std::vector<std::string> secrets_;
  std::atomic<bool> cancelled_{false};
};

/// Reads a whole file (binary).
std::string read_file(const std::filesystem::path& path);
/// Writes a whole file (binary), creating parent folders.
void write_file(const std::filesystem::path& path, std::string_view content);

}  // namespace pipehost::test
