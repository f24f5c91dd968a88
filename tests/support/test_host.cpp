#include "test_host.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "net/http_client.hpp"

namespace pipehost::test {

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() / ("pipehost-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!std::getenv("PIPEHOST_KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ignored);
}

TestHost::TestHost() = default;

std::shared_ptr<HttpClient> TestHost::http(const HttpClientOptions& options, Status& status) noexcept {
  // The host's real client, with this host's logger, cancellation and secret redaction.
  net::HttpEnvironment environment;
  environment.log = [this](LogLevel level, std::string_view message) { log(level, message); };
  environment.redact = [this](std::string_view text) {
    std::string out(text);
    std::lock_guard lock(mutex_);
    for (const auto& secret : secrets_) {
      for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
        out.replace(at, secret.size(), "[REDACTED]");
      }
    }
    return out;
  };
  environment.sleep_for = [this](std::chrono::milliseconds duration) { return sleep_for(duration); };
  environment.cancelled = [this] { return cancelled(); };
  try {
    return net::make_http_client(options, std::move(environment), status);
  } catch (const std::exception& e) {
    status = Status::fatal(e.what());
    return nullptr;
  }
}

Status TestHost::secret(std::string_view env_name, std::string& value) noexcept {
  const char* v = std::getenv(std::string(env_name).c_str());
  if (!v || !*v) return Status::fatal("environment variable " + std::string(env_name) + " is not set");
  value = v;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end()) secrets_.push_back(value);
  return Status::ok();
}

void TestHost::log(LogLevel level, std::string_view message) noexcept {
  static const char* names[] = {"trace", "debug", "info", "warn", "error"};
  std::lock_guard lock(mutex_);
  logs_.push_back(std::string(names[static_cast<int>(level)]) + ": " + std::string(message));
}

void TestHost::progress(std::string_view counter, std::int64_t delta) noexcept {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(counter);
  if (it == counters_.end()) it = counters_.emplace(std::string(counter), 0).first;
  it->second += delta;
}

bool TestHost::sleep_for(std::chrono::milliseconds duration) noexcept {
  auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    if (cancelled_) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(10), end - std::chrono::steady_clock::now()));
  }
  return !cancelled_;
}

std::string TestHost::scratch_dir() const {
  auto dir = dir_.path() / "scratch";
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<std::string> TestHost::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::int64_t TestHost::counter(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::filesystem::path& path, std::string_view content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace pipehost::test
