#include "connection.hpp"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "tls.hpp"

namespace pipehost::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string seconds_text(std::chrono::milliseconds timeout) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(timeout.count()) / 1000.0);
  return buffer;
}

Status io_failure(const IoResult& result, const std::string& what, std::chrono::milliseconds timeout) {
  if (result.cancelled) return Status::retry(what + ": cancelled");
  if (result.timed_out) {
    return Status::retry(what + ": timed out" +
                         (timeout.count() > 0 ? " after " + seconds_text(timeout) : ""));
  }
  return Status::retry(what + ": " + result.error.message());
}

}  // namespace

Connection::Connection(std::shared_ptr<asio::ssl::context> tls, bool verify, std::function<bool()> cancelled)
    : socket_(io_), tls_(std::move(tls)), verify_(verify), runner_(io_, std::move(cancelled)) {}

Connection::~Connection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void Connection::abort() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

Status Connection::connect_tcp(const Url& endpoint, Clock::time_point deadline, const std::string& what) {
  auto timeout = open_timeout_;
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints;
  auto resolved = runner_.run(
      [&](auto handler) {
        resolver.async_resolve(
            endpoint.host, std::to_string(endpoint.port),
            [&, handler](const boost::system::error_code& ec, tcp::resolver::results_type r) {
              endpoints = std::move(r);
              handler(ec);
            });
      },
      [&] { resolver.cancel(); }, deadline);
  if (!resolved.ok()) return io_failure(resolved, "cannot resolve " + what, timeout);
  auto connected = runner_.run([&](auto handler) { asio::async_connect(socket_, endpoints, handler); },
                               [&] { abort(); }, deadline);
  if (!connected.ok()) return io_failure(connected, "cannot connect to " + what, timeout);
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  return Status::ok();
}

Status Connection::tunnel(const Url& origin, const Url& proxy, Clock::time_point deadline) {
  std::string what = "proxy " + proxy.authority();
  http::request<http::empty_body> request{http::verb::connect, origin.authority(), 11};
  request.set(http::field::host, origin.authority());
  request.set(http::field::user_agent, "pipehost");
  auto wrote = runner_.run([&](auto handler) { http::async_write(socket_, request, handler); },
                           [&] { abort(); }, deadline);
  if (!wrote.ok()) return io_failure(wrote, "CONNECT through " + what, open_timeout_);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body; what follows is the tunnel
  auto read =
      runner_.run([&](auto handler) { http::async_read_header(socket_, read_buffer_, parser, handler); },
                  [&] { abort(); }, deadline);
  if (!read.ok()) return io_failure(read, "CONNECT through " + what, open_timeout_);
  int status = static_cast<int>(parser.get().result_int());
  if (status / 100 == 2) return Status::ok();
  std::string message =
      what + " refused CONNECT to " + origin.authority() + " with HTTP " + std::to_string(status);
  if (status == 407) return Status::fatal(message + " (proxy authentication is not supported yet)");
  if (status >= 500) return Status::retry(message);
  return Status::fatal(message);
}

Status Connection::handshake(const Url& origin, Clock::time_point deadline) {
  tls_stream_ = std::make_unique<TlsStream>(socket_, *tls_);
  Status configured = configure_tls_session(tls_stream_->native_handle(), origin.host, verify_);
  if (!configured.is_ok()) return configured;
  auto done = runner_.run(
      [&](auto handler) { tls_stream_->async_handshake(asio::ssl::stream_base::client, handler); },
      [&] { abort(); }, deadline);
  if (done.ok()) return Status::ok();
  if (done.timed_out || done.cancelled)
    return io_failure(done, "TLS handshake with " + origin.authority(), open_timeout_);
  bool permanent = false;
  std::string why = describe_handshake_error(tls_stream_->native_handle(), done.error, permanent);
  std::string message = origin.authority() + ": " + why;
  return permanent ? Status::fatal(message) : Status::retry(message);
}

Status Connection::open(const Url& origin, const std::optional<Url>& proxy,
                        std::chrono::milliseconds timeout) {
  open_timeout_ = timeout;
  auto deadline = Clock::now() + timeout;
  if (proxy) {
    Status status = connect_tcp(*proxy, deadline, "proxy " + proxy->authority());
    if (!status.is_ok()) return status;
    if (origin.tls()) {
      status = tunnel(origin, *proxy, deadline);
      if (!status.is_ok()) return status;
    } else {
      absolute_form_ = true;
    }
  } else {
    Status status = connect_tcp(origin, deadline, origin.authority());
    if (!status.is_ok()) return status;
  }
  if (origin.tls()) return handshake(origin, deadline);
  return Status::ok();
}

bool Connection::stale() {
  if (!socket_.is_open()) return true;
  if (read_buffer_.size() > 0) return true;  // leftover bytes from a previous answer: out of sync
  pollfd descriptor{socket_.native_handle(), POLLIN, 0};
  int ready = ::poll(&descriptor, 1, 0);
  // Readable while idle means EOF, a reset, a TLS close_notify or junk: none of it is usable.
  return ready != 0;
}

}  // namespace pipehost::net
