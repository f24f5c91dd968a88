// Emulator throughput over loopback TLS: start-up time, resumable upload MB/s (8 MiB chunks, as
// the official client sends them), batch processing time for a songs-like input (20,000 lines with
// a 17 KB system instruction each, ~400 MB), download MB/s of the output file and of the whole
// 400 MB input, and the emulator's peak RSS (VmHWM). See README.md for numbers.
//
//   build-release/bench/emulator_throughput_bench [--emulator PATH] [--lines N] [--work DIR]
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kKey = "bench-gemini-key";
constexpr std::size_t kChunk = 8u << 20;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Emulator {
  pid_t pid = -1;
  std::string base_url, ca_file, port;
};

Emulator start_emulator(const std::string& binary, const fs::path& state_dir, double& startup_s) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string state = state_dir.string();
  std::vector<std::string> args = {binary,         "--port", "0",        "--state-dir", state,
                                   "--gemini-key", kKey,     "--faults", "batch_ms=0"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Emulator emulator;
  auto start = Clock::now();
  if (posix_spawn(&emulator.pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + binary);
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string output;
  char chunk[256];
  while (output.find("ca_file: ") == std::string::npos || output.back() != '\n') {
    ssize_t got = read(fds[0], chunk, sizeof chunk);
    if (got <= 0) throw std::runtime_error("emulator did not start: " + output);
    output.append(chunk, static_cast<std::size_t>(got));
  }
  startup_s = seconds_since(start);
  close(fds[0]);
  auto value = [&](const std::string& prefix) {
    auto at = output.find(prefix) + prefix.size();
    return output.substr(at, output.find('\n', at) - at);
  };
  emulator.base_url = value("listening on ");
  emulator.ca_file = value("ca_file: ");
  emulator.port = emulator.base_url.substr(emulator.base_url.rfind(':') + 1);
  return emulator;
}

/// User + system CPU seconds the process has used so far.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14 || index == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string peak_rss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(6);
  }
  return "?";
}

/// One keep-alive TLS connection to the emulator.
class Connection {
 public:
  Connection(const Emulator& emulator) : context_(net::ssl::context::tls_client), stream_(io_, context_) {
    context_.load_verify_file(emulator.ca_file);
    context_.set_verify_mode(net::ssl::verify_peer);
    stream_.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
    tcp::resolver resolver(io_);
    net::connect(stream_.next_layer(), resolver.resolve("127.0.0.1", emulator.port));
    stream_.handshake(net::ssl::stream_base::client);
  }

  http::response<http::string_body> call(
      http::verb verb, const std::string& target, std::string body,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set("x-goog-api-key", kKey);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(stream_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

  /// Streams a response body into a file (or nowhere); returns the bytes received.
  std::uint64_t download(const std::string& target, const std::optional<fs::path>& to) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set("x-goog-api-key", kKey);
    http::write(stream_, request);
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    http::read_header(stream_, buffer_, parser);
    std::ofstream out;
    if (to) out.open(*to, std::ios::binary);
    std::vector<char> chunk(1 << 20);
    std::uint64_t total = 0;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      beast::error_code ec;
      http::read(stream_, buffer_, parser, ec);
      if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
      std::size_t got = chunk.size() - parser.get().body().size;
      if (to) out.write(chunk.data(), static_cast<std::streamsize>(got));
      total += got;
    }
    return total;
  }

 private:
  net::io_context io_;
  net::ssl::context context_;
  net::ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
};

void write_input(const fs::path& path, int lines) {
  std::ofstream out(path, std::ios::binary);
  std::string instruction;
  while (instruction.size() < 17 * 1024)
    instruction += "You are a music expert. Classify each song carefully. ";
  for (int i = 0; i < lines; ++i) {
    out << R"({"key":"song-)" << i
        << R"(","request":{"contents":[{"role":"user","parts":[{"text":"Title: Song )" << i
        << R"(\nArtist: Someone"}]}],"systemInstruction":{"parts":[{"text":")" << instruction
        << R"("}]},"generationConfig":{"temperature":0.2,"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"genre":{"type":"STRING","enum":["rock","pop","jazz","hip-hop","country"]},"moods":{"type":"ARRAY","items":{"type":"STRING"},"maxItems":3},"decade":{"type":"INTEGER"}},"required":["genre","moods"]}}}})"
        << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  std::string binary = (fs::path(argv[0]).parent_path() / "../bin/pipehost-emulator").string();
  int lines = 20000;
  fs::path work = fs::temp_directory_path() / "pipehost-emulator-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--emulator") binary = argv[i + 1];
    if (flag == "--lines") lines = std::stoi(argv[i + 1]);
    if (flag == "--work") work = argv[i + 1];
  }
  fs::remove_all(work);
  fs::create_directories(work);
  fs::path input = work / "input.jsonl";
  write_input(input, lines);
  std::uint64_t size = fs::file_size(input);
  double mb = static_cast<double>(size) / 1e6;
  std::printf("input: %d lines, %.1f MB\n", lines, mb);

  double startup_s = 0;
  Emulator emulator = start_emulator(binary, work / "state", startup_s);
  std::printf("start-up (spawn to ca_file line): %.0f ms\n", startup_s * 1000);
  try {
    Connection connection(emulator);
    // Upload: start + 8 MiB chunks.
    auto start =
        connection.call(http::verb::post, "/upload/v1beta/files", R"({"file":{"displayName":"bench"}})",
                        {{"X-Goog-Upload-Protocol", "resumable"},
                         {"X-Goog-Upload-Command", "start"},
                         {"X-Goog-Upload-Header-Content-Length", std::to_string(size)}});
    std::string url(start["x-goog-upload-url"]);
    std::string upload_target = url.substr(emulator.base_url.size());
    std::ifstream in(input, std::ios::binary);
    std::string chunk(kChunk, '\0');
    std::uint64_t offset = 0;
    std::string file_name;
    auto upload_start = Clock::now();
    double cpu_before_upload = cpu_seconds(emulator.pid);
    while (offset < size) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      std::size_t got = static_cast<std::size_t>(in.gcount());
      bool last = offset + got >= size;
      auto reply = connection.call(http::verb::post, upload_target, chunk.substr(0, got),
                                   {{"X-Goog-Upload-Command", last ? "upload, finalize" : "upload"},
                                    {"X-Goog-Upload-Offset", std::to_string(offset)}});
      if (reply.result_int() != 200) throw std::runtime_error("upload failed: " + reply.body());
      offset += got;
      if (last) file_name = json::parse(reply.body()).at("file").at("name").as_string().c_str();
    }
    double upload_s = seconds_since(upload_start);
    double upload_cpu = cpu_seconds(emulator.pid) - cpu_before_upload;
    std::printf("upload: %.1f MB in %.2f s = %.0f MB/s (emulator CPU %.2f s)\n", mb, upload_s, mb / upload_s,
                upload_cpu);

    // Batch: create and poll until done.
    auto batch_start = Clock::now();
    double cpu_before_batch = cpu_seconds(emulator.pid);
    auto created = connection.call(
        http::verb::post, "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        R"({"batch":{"displayName":"bench","inputConfig":{"fileName":")" + file_name + "\"}}}");
    std::string batch = json::parse(created.body()).at("name").as_string().c_str();
    json::value operation;
    for (;;) {
      operation = json::parse(connection.call(http::verb::get, "/v1beta/" + batch, "").body());
      if (operation.as_object().contains("done")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double batch_s = seconds_since(batch_start);
    std::string output = operation.at("metadata").at("output").at("responsesFile").as_string().c_str();
    std::printf(
        "batch processing: %d lines (%.1f MB) in %.2f s = %.0f lines/s, %.0f MB/s (emulator CPU %.2f s)\n",
        lines, mb, batch_s, lines / batch_s, mb / batch_s, cpu_seconds(emulator.pid) - cpu_before_batch);

    auto output_start = Clock::now();
    std::uint64_t output_bytes =
        connection.download("/download/v1beta/" + output + ":download?alt=media", work / "out.jsonl");
    double output_s = seconds_since(output_start);
    std::printf("output download: %.1f MB in %.2f s = %.0f MB/s\n", output_bytes / 1e6, output_s,
                output_bytes / 1e6 / output_s);

    auto download_start = Clock::now();
    double cpu_before_download = cpu_seconds(emulator.pid);
    std::uint64_t downloaded =
        connection.download("/v1beta/" + file_name + ":download?alt=media", std::nullopt);
    double download_s = seconds_since(download_start);
    std::printf("download of the %.1f MB input: %.2f s = %.0f MB/s (emulator CPU %.2f s)\n", downloaded / 1e6,
                download_s, downloaded / 1e6 / download_s, cpu_seconds(emulator.pid) - cpu_before_download);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench failed: %s\n", error.what());
    kill(emulator.pid, SIGTERM);
    waitpid(emulator.pid, nullptr, 0);
    return 1;
  }
  std::printf("emulator peak RSS (VmHWM):%s\n", peak_rss(emulator.pid).c_str());
  kill(emulator.pid, SIGTERM);
  int status = 0;
  waitpid(emulator.pid, &status, 0);
  std::printf("emulator exit code after SIGTERM: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  fs::remove_all(work);
  return 0;
}
