// A tiny scripted HTTP/1.1 server on 127.0.0.1 for the client's transport tests: each test says what
// the server does on each connection (answer, stall, truncate, close, redirect ...), which the
// emulator cannot all do. It is the far end of a real socket, not a stand-in for the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace pipehost::test {

using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// One accepted connection, blocking I/O, used by the handler on its own thread.
class ServerSide {
 public:
  ServerSide(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  /// Reads the next request (body included); false at EOF or on error.
  bool read(ServerRequest& request);
  /// Reads the next request's head into `head` (filled before the first `on_body` call), then hands
  /// its body to `on_body` piece by piece, never holding it whole; false at EOF or on error.
  bool read_streamed(ServerRequest& head, const std::function<void(std::string_view)>& on_body);
  /// Sends raw bytes.
  bool write(std::string_view bytes);
  /// Sends a complete response with Content-Length.
  bool respond(int status, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& headers = {});
  /// Closes the connection abruptly.
  void close();
  /// Resets the connection (RST instead of FIN).
  void reset();
  bool tls_ok() const { return tls_ok_; }
  /// The raw TCP socket (for a test proxy that pipes bytes after CONNECT).
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  friend class ScriptServer;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::beast::flat_buffer buffer_;
  bool tls_ok_ = true;
};

class ScriptServer {
 public:
  using Handler = std::function<void(ServerSide&, int connection_index)>;

  /// Starts listening on 127.0.0.1 (any port); TLS when `tls` is given.
  explicit ScriptServer(Handler handler, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~ScriptServer();

  std::uint16_t port() const { return port_; }
  /// "http(s)://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;
  int connections() const { return connections_.load(); }
  /// True while the server shuts down; long-running handlers should return.
  bool stopping() const { return stopping_.load(); }

 private:
  void accept_loop();

  Handler handler_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_thread_;
};

/// A CA and a server certificate (signed by it) for the given DNS names and 127.0.0.1, made with the
/// openssl command line into `dir`. Returns the paths of ca.pem, server.pem, server.key.
struct TestCertificates {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};
TestCertificates make_test_certificates(const std::string& dir, const std::vector<std::string>& dns_names,
                                        bool include_loopback_ip = true);

/// A server TLS context from make_test_certificates output.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const TestCertificates& certificates);

}  // namespace pipehost::test
