#include "emulator_process.hpp"

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <stdlib.h>
#include <strings.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

extern char** environ;

namespace pipehost::test {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto kStartTimeout = std::chrono::seconds(20);

struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
};

ParsedUrl parse_base_url(const std::string& url) {
  ParsedUrl parsed;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    parsed.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    throw std::invalid_argument("not an http(s) URL: " + url);
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) rest.resize(slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("URL has no port: " + url);
  parsed.host = rest.substr(0, colon);
  parsed.port = rest.substr(colon + 1);
  return parsed;
}

template <class Stream>
HttpReply exchange(Stream& stream, const ParsedUrl& url, const std::string& method, const std::string& target,
                   const std::string& body, const HttpHeaders& headers) {
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  if (request.method() == http::verb::unknown) request.method_string(method);
  request.set(http::field::host, url.host + ":" + url.port);
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();
  http::write(stream, request);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  http::read(stream, buffer, parser);
  HttpReply reply;
  reply.status = parser.get().result_int();
  for (const auto& field : parser.get()) reply.headers.emplace_back(field.name_string(), field.value());
  reply.body = std::move(parser.get().body());
  return reply;
}

}  // namespace

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return {};
}

HttpReply http_request(const std::string& base_url, const std::string& ca_file, const std::string& method,
                       const std::string& target, const std::string& body, const HttpHeaders& headers) {
  ParsedUrl url = parse_base_url(base_url);
  net::io_context io;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(url.host, url.port);
  if (!url.tls) {
    tcp::socket socket(io);
    net::connect(socket, endpoints);
    return exchange(socket, url, method, target, body, headers);
  }
  net::ssl::context context(net::ssl::context::tls_client);
  if (ca_file.empty()) throw std::invalid_argument("https needs a ca_file");
  context.load_verify_file(ca_file);
  context.set_verify_mode(net::ssl::verify_peer);
  net::ssl::stream<tcp::socket> stream(io, context);
  stream.set_verify_callback(net::ssl::host_name_verification(url.host));
  net::connect(stream.next_layer(), endpoints);
  stream.handshake(net::ssl::stream_base::client);
  return exchange(stream, url, method, target, body, headers);
}

EmulatorProcess::EmulatorProcess(EmulatorOptions options) : options_(std::move(options)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "pipehost-emulator-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("EmulatorProcess: cannot create a state directory");
  state_dir_ = pattern;

  std::string binary = std::string(PIPEHOST_BIN_DIR) + "/pipehost-emulator";
  std::vector<std::string> args = {binary,
                                   "--port",
                                   "0",
                                   "--state-dir",
                                   state_dir_,
                                   "--seed",
                                   std::to_string(options_.seed),
                                   "--exit-with-parent"};
  if (!options_.tls) args.push_back("--no-tls");
  if (!options_.faults.empty()) {
    args.push_back("--faults");
    args.push_back(options_.faults);
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text(*entry);
    if (text.rfind("GEMINI_API_KEY=", 0) == 0 || text.rfind("BRAINTRUST_API_KEY=", 0) == 0 ||
        text.rfind("OPENAI_API_KEY=", 0) == 0 || text.rfind("ANTHROPIC_API_KEY=", 0) == 0)
      continue;
    env.emplace_back(text);
  }
  if (!options_.gemini_key.empty()) env.push_back("GEMINI_API_KEY=" + options_.gemini_key);
  if (!options_.braintrust_key.empty()) env.push_back("BRAINTRUST_API_KEY=" + options_.braintrust_key);
  if (!options_.openai_key.empty()) env.push_back("OPENAI_API_KEY=" + options_.openai_key);
  if (!options_.anthropic_key.empty()) env.push_back("ANTHROPIC_API_KEY=" + options_.anthropic_key);
  std::vector<char*> argv, envp;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("EmulatorProcess: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    pid_ = -1;
    std::filesystem::remove_all(state_dir_);
    throw std::runtime_error("EmulatorProcess: cannot start " + binary + ": " + std::strerror(spawned));
  }

  // Read its start-up lines.
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  auto ready = [&] {
    bool listening = output.find("listening on ") != std::string::npos;
    bool ca = !options_.tls || output.find("ca_file: ") != std::string::npos;
    return listening && ca && output.back() == '\n';
  };
  while (output.empty() || !ready()) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[512];
    ssize_t got = ::read(pipe_fds[0], chunk, sizeof chunk);
    if (got <= 0) break;
    output.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);  // the emulator prints nothing else on stdout (and ignores SIGPIPE)
  if (output.empty() || !ready()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    std::filesystem::remove_all(state_dir_);
    throw std::runtime_error("EmulatorProcess: pipehost-emulator did not start (output: '" + output + "')");
  }
  auto value_after = [&](const std::string& prefix) {
    auto at = output.find(prefix);
    if (at == std::string::npos) return std::string();
    auto end = output.find('\n', at);
    return output.substr(at + prefix.size(), end - at - prefix.size());
  };
  base_url_ = value_after("listening on ");
  ca_file_ = value_after("ca_file: ");
}

int EmulatorProcess::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

EmulatorProcess::~EmulatorProcess() {
  if (pid_ > 0) {
    // A crash or a sanitizer report in the emulator shows up as a non-zero exit: fail the test.
    int exit_code = stop();
    if (exit_code != 0) ADD_FAILURE() << "pipehost-emulator exited with code " << exit_code << " on SIGTERM";
  }
  std::error_code ignored;
  if (!std::getenv("PIPEHOST_KEEP_TEST_DIRS")) std::filesystem::remove_all(state_dir_, ignored);
}

HttpReply EmulatorProcess::request(const std::string& method, const std::string& target,
                                   const std::string& body, const HttpHeaders& headers) const {
  return http_request(base_url_, ca_file_, method, target, body, headers);
}

std::string EmulatorProcess::stats_json() const {
  HttpReply reply = request("GET", "/_emulator/stats");
  if (reply.status != 200)
    throw std::runtime_error("GET /_emulator/stats answered " + std::to_string(reply.status));
  return reply.body;
}

void EmulatorProcess::set_faults(const std::string& spec) const {
  HttpReply reply = request("POST", "/_emulator/faults", spec, {{"Content-Type", "text/plain"}});
  if (reply.status != 200) throw std::runtime_error("POST /_emulator/faults: " + reply.body);
}

}  // namespace pipehost::test
