// Benchmarks of the gemini-batch provider's heavy paths (see README.md for the numbers):
//   prepare: JSONL for N rows sharing a large system instruction and a response schema (the songs job:
//            20,000 rows x 17 KB), written to a file and, separately, encoded only (CPU cost).
//   upload:  that file through the resumable Files upload to the emulator over loopback TLS, with the
//            process's peak RSS (memory must stay flat while ~350 MB go out).
//
//   gemini_bench [--rows N] [--instruction-kb K] [--dir DIR] [--emulator PATH] [--chunk-mb M] [--skip-upload]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "gemini_api.hpp"
#include "jsonl_writer.hpp"
#include "net/http_client.hpp"
#include "request_encoder.hpp"

extern char** environ;

namespace {

using namespace pipehost;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPU seconds (user + system) this process has used so far (the emulator child is not included).
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/// A realistic system instruction of about `bytes` bytes: prose, lists, quotes, newlines, some UTF-8.
std::string make_instruction(std::size_t bytes) {
  const std::string paragraph =
      "You are a music expert. Classify the song below into exactly one \"genre\" from the list, up to three "
      "\"moods\", the decade it was released in, and whether the lyrics mention a person by name.\n"
      "- Use only the values allowed by the schema; never invent new ones.\n"
      "- When unsure, prefer the artist's best-known style (e.g. Beyoncé → R&B, Motörhead → metal).\n"
      "\tExamples: \"Jolene\" by Dolly Parton → country; \"Roxanne\" by The Police → rock.\n\n";
  std::string text;
  while (text.size() < bytes) text += paragraph;
  text.resize(bytes);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  return text;
}

std::vector<Request> make_requests(std::size_t rows, std::size_t instruction_bytes) {
  auto instruction = std::make_shared<const std::string>(make_instruction(instruction_bytes));
  auto schema = std::make_shared<const std::string>(
      R"({"type":"OBJECT","properties":{"genre":{"type":"STRING","enum":["rock","pop","country","metal","r&b",)"
      R"("jazz","hip hop","electronic","folk","classical"]},"moods":{"type":"ARRAY","items":{"type":"STRING"},)"
      R"("maxItems":3},"decade":{"type":"STRING"},"names_person":{"type":"BOOLEAN"}},)"
      R"("required":["genre","moods","decade","names_person"]})");
  std::vector<Request> requests;
  requests.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    Request request;
    request.key = std::to_string(i + 1);
    request.system_instruction = instruction;
    request.user_parts = {"Title: Song number " + std::to_string(i) + "\nArtist: Artist " +
                          std::to_string(i % 997)};
    request.generation.temperature = 0.2;
    request.generation.response_mime_type = "application/json";
    request.generation.response_schema_json = schema;
    requests.push_back(std::move(request));
  }
  return requests;
}

/// HostServices for the benchmark: the real HTTP client, environment secrets, quiet logs.
class BenchHost final : public HostServices {
 public:
  explicit BenchHost(std::string dir) : dir_(std::move(dir)) {}
  std::shared_ptr<HttpClient> http(const HttpClientOptions& options, Status& status) noexcept override {
    net::HttpEnvironment env;
    env.log = [](LogLevel level, std::string_view message) {
      if (level >= LogLevel::warn) std::cerr << "  log: " << message << "\n";
    };
    return net::make_http_client(options, env, status);
  }
  Status secret(std::string_view name, std::string& value) noexcept override {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return Status::fatal(std::string(name) + " is not set");
    value = v;
    return Status::ok();
  }
  void log(LogLevel level, std::string_view message) noexcept override {
    if (level >= LogLevel::warn) std::cerr << "  log: " << message << "\n";
  }
  void progress(std::string_view counter, std::int64_t delta) noexcept override {
    if (counter == "bytes_uploaded") uploaded += delta;
  }
  bool sleep_for(std::chrono::milliseconds duration) noexcept override {
    std::this_thread::sleep_for(duration);
    return true;
  }
  bool cancelled() const noexcept override { return false; }
  std::string scratch_dir() const override { return dir_; }
  std::string state_dir() const override { return dir_; }
  std::atomic<std::int64_t> uploaded{0};

 private:
  std::string dir_;
};

/// The emulator as a child process; reads its "listening on" and "ca_file:" lines.
class Emulator {
 public:
  Emulator(const std::string& binary, const std::string& state_dir) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> args = {binary,    "--port",       "0",        "--state-dir",
                                     state_dir, "--gemini-key", "bench-key"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + binary);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    FILE* stream = fdopen(out[0], "r");
    char line[4096];
    while ((base_url_.empty() || ca_file_.empty()) && std::fgets(line, sizeof line, stream)) {
      std::string text(line);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (text.rfind("listening on ", 0) == 0) base_url_ = text.substr(13);
      if (text.rfind("ca_file: ", 0) == 0) ca_file_ = text.substr(9);
    }
    std::fclose(stream);
    if (base_url_.empty() || ca_file_.empty()) throw std::runtime_error("the emulator did not start");
  }
  ~Emulator() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  const std::string& base_url() const { return base_url_; }
  const std::string& ca_file() const { return ca_file_; }

 private:
  pid_t pid_ = -1;
  std::string base_url_;
  std::string ca_file_;
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 20000;
  std::size_t instruction_kb = 17;
  std::uint64_t chunk_mb = 8;
  bool skip_upload = false;
  std::string dir = (std::filesystem::temp_directory_path() / "pipehost-gemini-bench").string();
  std::string emulator_binary = std::string(PIPEHOST_BIN_DIR) + "/pipehost-emulator";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--rows")
      rows = std::stoul(next());
    else if (arg == "--instruction-kb")
      instruction_kb = std::stoul(next());
    else if (arg == "--dir")
      dir = next();
    else if (arg == "--emulator")
      emulator_binary = next();
    else if (arg == "--chunk-mb")
      chunk_mb = std::stoull(next());
    else if (arg == "--skip-upload")
      skip_upload = true;
    else {
      std::cerr << "usage: gemini_bench [--rows N] [--instruction-kb K] [--dir DIR] [--emulator PATH] "
                   "[--chunk-mb M] [--skip-upload]\n";
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  std::string jsonl = dir + "/bench.jsonl";

  auto requests = make_requests(rows, instruction_kb * 1024);
  std::printf("rows %zu, system instruction %zu KB, peak RSS after building the requests: %.1f MB\n", rows,
              instruction_kb, peak_rss_kb() / 1024.0);

  // Encoding alone (what the CPU costs), into a reused buffer.
  {
    gemini::RequestEncoder encoder;
    std::string buffer;
    std::uint64_t bytes = 0;
    auto start = Clock::now();
    for (const auto& request : requests) {
      buffer.clear();
      encoder.append_line(buffer, request);
      bytes += buffer.size();
    }
    double took = seconds_since(start);
    std::printf("encode only:    %8.1f MB in %.3f s = %7.0f MB/s\n", bytes / 1e6, took, bytes / 1e6 / took);
  }
  // Encoding and writing the JSONL file (what submit does before the upload).
  std::uint64_t file_bytes = 0;
  {
    gemini::RequestEncoder encoder;
    auto start = Clock::now();
    Status written = gemini::write_jsonl(encoder, requests, jsonl, file_bytes);
    double took = seconds_since(start);
    if (!written.is_ok()) {
      std::cerr << written.message() << "\n";
      return 1;
    }
    std::printf("prepare JSONL:  %8.1f MB in %.3f s = %7.0f MB/s   (%s)\n", file_bytes / 1e6, took,
                file_bytes / 1e6 / took, jsonl.c_str());
  }
  requests.clear();
  requests.shrink_to_fit();
  std::printf("peak RSS after preparing: %.1f MB\n", peak_rss_kb() / 1024.0);

  if (!skip_upload) {
    std::string state = dir + "/emulator-state";
    std::filesystem::create_directories(state);
    Emulator emulator(emulator_binary, state);
    setenv("GEMINI_API_KEY", "bench-key", 1);
    BenchHost host(dir);
    gemini::GeminiConfig config;
    config.model = "gemini-2.5-flash";
    config.base_url = emulator.base_url();
    config.ca_file = emulator.ca_file();
    config.upload_chunk_mb = static_cast<std::int64_t>(chunk_mb);
    HttpClientOptions options;
    options.ca_file = emulator.ca_file();
    Status made;
    auto http = host.http(options, made);
    if (!http) {
      std::cerr << made.message() << "\n";
      return 1;
    }
    gemini::GeminiApi api(config, host, http, "bench-key");
    long rss_before = peak_rss_kb();
    double cpu_before = cpu_seconds();
    auto start = Clock::now();
    std::string file_name;
    Status uploaded = api.upload_file(jsonl, "bench", file_name);
    double took = seconds_since(start);
    if (!uploaded.is_ok()) {
      std::cerr << uploaded.message() << "\n";
      return 1;
    }
    std::printf("upload (TLS):   %8.1f MB in %.3f s = %7.0f MB/s   (%s, %llu MiB chunks)\n", file_bytes / 1e6,
                took, file_bytes / 1e6 / took, file_name.c_str(), static_cast<unsigned long long>(chunk_mb));
    double cpu = cpu_seconds() - cpu_before;
    std::printf(
        "client CPU during upload: %.2f s (%.0f MB per CPU-second; the emulator's CPU is not counted)\n", cpu,
        file_bytes / 1e6 / cpu);
    std::printf("peak RSS before upload %.1f MB, after upload %.1f MB\n", rss_before / 1024.0,
                peak_rss_kb() / 1024.0);
    std::filesystem::remove_all(state);
  }
  std::filesystem::remove(jsonl);
  return 0;
}
