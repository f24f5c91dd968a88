// One HTTP/1.1 connection (plain TCP or TLS, direct or through a CONNECT proxy) with its own io_context.
// A connection is used by one thread at a time: the one that took it from the pool.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "io_runner.hpp"
#include "pipehost/status.hpp"
#include "url.hpp"

namespace pipehost::net {

class Connection {
 public:
  using Clock = std::chrono::steady_clock;
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

  /// `tls` is null for plain HTTP.
  Connection(std::shared_ptr<boost::asio::ssl::context> tls, bool verify, std::function<bool()> cancelled);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Resolves, connects (through `proxy` when set: a CONNECT tunnel for https, absolute-form requests
  /// for http) and handshakes, all within `timeout`. Errors: retry for network trouble, fatal for
  /// certificate problems and proxy refusals that will not change.
  Status open(const Url& origin, const std::optional<Url>& proxy, std::chrono::milliseconds timeout);

  /// True when an idle pooled connection can no longer be used: the peer closed it (or sent bytes
  /// nobody asked for). Checked without blocking before a pooled connection is reused.
  bool stale();

  /// Calls `f(stream)` with the TLS stream or the plain socket.
  template <class F>
  decltype(auto) with_stream(F&& f) {
    if (tls_stream_) return f(*tls_stream_);
    return f(socket_);
  }

  /// Makes any pending operation complete (used on timeout and cancellation) and marks the
  /// connection unusable.
  void abort();

  IoRunner& runner() { return runner_; }
  boost::beast::flat_buffer& read_buffer() { return read_buffer_; }
  /// Plain HTTP through a proxy: the request line carries the absolute URL.
  bool absolute_form() const { return absolute_form_; }
  /// Reserved for pool bookkeeping.
  Clock::time_point idle_since{};

 private:
  Status connect_tcp(const Url& endpoint, Clock::time_point deadline, const std::string& what);
  Status tunnel(const Url& origin, const Url& proxy, Clock::time_point deadline);
  Status handshake(const Url& origin, Clock::time_point deadline);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  bool verify_;
  std::unique_ptr<TlsStream> tls_stream_;
  IoRunner runner_;
  boost::beast::flat_buffer read_buffer_;
  bool absolute_form_ = false;
  std::chrono::milliseconds open_timeout_{0};
};

}  // namespace pipehost::net
