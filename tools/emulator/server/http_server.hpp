// A small HTTP/1.1 (+TLS) server: one thread per connection with synchronous Beast I/O, keep-alive,
// streamed request bodies and streamed file responses. Listens on 127.0.0.1 only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "emulator/server/http_message.hpp"

namespace boost::asio::ssl {
class context;
}

namespace pipehost::emulator {

using RequestHandler = std::function<Response(Request&)>;

class HttpServer {
 public:
  /// `tls` null = plain HTTP. `port` 0 = any free port.
  HttpServer(std::uint16_t port, std::shared_ptr<boost::asio::ssl::context> tls, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts accepting on a background thread; throws when the port cannot be bound.
  void start();
  /// Stops accepting, shuts down open connections and joins every thread.
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  struct Impl;
  void accept_loop();
  void serve(int fd);

  std::uint16_t port_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  RequestHandler handler_;
  std::unique_ptr<Impl> impl_;
  std::thread acceptor_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex connections_mutex_;
  std::set<int> open_fds_;
  std::vector<std::thread> connection_threads_;
};

}  // namespace pipehost::emulator
