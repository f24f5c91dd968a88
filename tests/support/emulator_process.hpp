// Starts build/bin/pipehost-emulator for a test (port 0, own state dir, fake keys in its
// environment), waits for its "listening on" / "ca_file:" lines, and stops it (SIGTERM) when the
// object dies. Tests talk to it through base_url() (verifying TLS with ca_file()).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace pipehost::test {

struct EmulatorOptions {
  bool tls = true;
  std::string faults;  // --faults SPEC
  std::uint64_t seed = 1;
  // Passed in the emulator's environment (GEMINI_API_KEY / BRAINTRUST_API_KEY / OPENAI_API_KEY /
  // ANTHROPIC_API_KEY); empty = unset, and the emulator then accepts any non-empty key.
  std::string gemini_key = "test-gemini-key";
  std::string braintrust_key = "test-braintrust-key";
  std::string openai_key = "test-openai-key";
  std::string anthropic_key = "test-anthropic-key";
  /// More command-line options, e.g. {"--openai-key", "..."}.
  std::vector<std::string> extra_args = {};
};

/// A whole HTTP response.
struct HttpReply {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Case-insensitive; empty when absent.
  std::string header(const std::string& name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class EmulatorProcess {
 public:
  explicit EmulatorProcess(EmulatorOptions options = {});
  ~EmulatorProcess();  // SIGTERM, wait (a non-zero exit fails the test), remove its state dir
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  std::string base_url() const { return base_url_; }  // e.g. "https://127.0.0.1:43211"
  std::string ca_file() const { return ca_file_; }    // empty without TLS
  std::string state_dir() const { return state_dir_; }
  std::string stats_json() const;                  // GET /_emulator/stats
  void set_faults(const std::string& spec) const;  // POST /_emulator/faults (throws on 400)
  const EmulatorOptions& options() const { return options_; }
  pid_t pid() const { return pid_; }
  /// SIGTERM and wait (at most 10 s, then SIGKILL); returns the exit code (-1 if killed).
  /// The destructor calls it when the process still runs.
  int stop();

  /// One request on a fresh connection (TLS verified against ca_file()). Throws std::exception
  /// when the connection fails or the response is cut short.
  HttpReply request(const std::string& method, const std::string& target, const std::string& body = {},
                    const HttpHeaders& headers = {}) const;

 private:
  EmulatorOptions options_;
  std::string state_dir_;
  std::string base_url_;
  std::string ca_file_;
  pid_t pid_ = -1;
};

/// The same request helper for any http(s)://127.0.0.1:PORT base URL.
HttpReply http_request(const std::string& base_url, const std::string& ca_file, const std::string& method,
                       const std::string& target, const std::string& body = {},
                       const HttpHeaders& headers = {});

}  // namespace pipehost::test
