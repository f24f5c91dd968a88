// A plain-TCP relay between pipehost and a --no-tls emulator that can swallow one answer: armed with
// a marker, it forwards the first request whose bytes contain the marker (e.g. ":batchGenerateContent")
// to the emulator, but never relays what comes back on that connection. The emulator does the work
// (creates the batch); the client never learns it. Killing the client then is the crash between
// "the provider created the job" and "the ledger recorded its handle" — deterministically, where a
// timed kill would have to hit a window of a millisecond.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pipehost::test {

class HoldingProxy {
 public:
  /// Listens on 127.0.0.1 (any free port) and relays to 127.0.0.1:`upstream_port`.
  explicit HoldingProxy(int upstream_port);
  ~HoldingProxy();
  HoldingProxy(const HoldingProxy&) = delete;
  HoldingProxy& operator=(const HoldingProxy&) = delete;

  /// "http://127.0.0.1:PORT".
  std::string base_url() const;
  /// Swallow the answer to the next request containing `marker`.
  void hold_answer_to(const std::string& marker);
  /// True once an armed request went through and its answer is being swallowed.
  bool holding() const { return holding_; }

 private:
  struct Connection;
  void accept_loop();
  void relay_to_upstream(Connection& connection);
  void relay_to_client(Connection& connection);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> holding_{false};
  std::mutex mutex_;
  std::string marker_;  // empty = not armed
  std::vector<std::unique_ptr<Connection>> connections_;
  std::thread acceptor_;
};

/// The port of a "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT" URL.
int port_of(const std::string& base_url);

}  // namespace pipehost::test
