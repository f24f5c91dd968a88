#include "script_server.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/socket.h>
#include <vector>

#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace pipehost::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

ServerSide::ServerSide(tcp::socket socket, asio::ssl::context* tls) : socket_(std::move(socket)) {
  if (tls) {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls);
    boost::system::error_code ec;
    tls_->handshake(asio::ssl::stream_base::server, ec);
    tls_ok_ = !ec;
  }
}

bool ServerSide::read(ServerRequest& request) {
  if (!tls_ok_) return false;
  http::request_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  if (tls_) {
    http::read(*tls_, buffer_, parser, ec);
  } else {
    http::read(socket_, buffer_, parser, ec);
  }
  if (ec) return false;
  request = parser.release();
  return true;
}

bool ServerSide::read_streamed(ServerRequest& head, const std::function<void(std::string_view)>& on_body) {
  if (!tls_ok_) return false;
  http::request_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  auto read_all = [&](auto& stream) {
    http::read_header(stream, buffer_, parser, ec);
    if (ec) return;
    const auto& message = parser.get();
    head = ServerRequest{};
    head.method(message.method());
    head.target(message.target());
    head.version(message.version());
    for (const auto& field : message) head.insert(field.name_string(), field.value());
    std::vector<char> piece(64 * 1024);
    while (!ec && !parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      http::read(stream, buffer_, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      std::size_t got = piece.size() - parser.get().body().size;
      if (got > 0) on_body(std::string_view(piece.data(), got));
    }
  };
  if (tls_) {
    read_all(*tls_);
  } else {
    read_all(socket_);
  }
  return !ec;
}

bool ServerSide::write(std::string_view bytes) {
  if (!tls_ok_) return false;
  boost::system::error_code ec;
  if (tls_) {
    asio::write(*tls_, asio::buffer(bytes.data(), bytes.size()), ec);
  } else {
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  }
  return !ec;
}

bool ServerSide::respond(int status, std::string_view body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " Status\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  head += body;
  return write(head);
}

void ServerSide::reset() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::socket::linger(true, 0), ignored);
  socket_.close(ignored);
}

void ServerSide::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

ScriptServer::ScriptServer(Handler handler, std::shared_ptr<asio::ssl::context> tls)
    : handler_(std::move(handler)), tls_(std::move(tls)), acceptor_(io_) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

ScriptServer::~ScriptServer() {
  stopping_ = true;
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  acceptor_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& thread : threads) thread.join();
}

std::string ScriptServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void ScriptServer::accept_loop() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    socket.set_option(tcp::no_delay(true), ec);
    int index = connections_++;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(socket.native_handle());
    int fd = socket.native_handle();
    threads_.emplace_back([this, index, fd, s = std::move(socket)]() mutable {
      ServerSide side(std::move(s), tls_.get());
      handler_(side, index);
      {
        // Forget the descriptor before closing it: the number may be reused by another socket.
        std::lock_guard lock(mutex_);
        std::erase(open_fds_, fd);
      }
      side.close();
    });
  }
}

TestCertificates make_test_certificates(const std::string& dir, const std::vector<std::string>& dns_names,
                                        bool include_loopback_ip) {
  TestCertificates out{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  std::string san;
  if (include_loopback_ip) san = "IP:127.0.0.1";
  for (const auto& name : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + name;
  {
    std::ofstream ext(dir + "/ext.cnf");
    ext << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n";
  }
  std::string quiet = " >/dev/null 2>&1";
  std::string commands[] = {
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
      "/CN=pipehost-test-ca -keyout " +
          dir + "/ca.key -out " + out.ca_file + quiet,
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=pipehost-test-server "
      "-keyout " +
          out.key_file + " -out " + dir + "/server.csr" + quiet,
      "openssl x509 -req -in " + dir + "/server.csr -CA " + out.ca_file + " -CAkey " + dir +
          "/ca.key -CAcreateserial -days 2 -extfile " + dir + "/ext.cnf -out " + out.cert_file + quiet,
  };
  for (const auto& command : commands) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }
  return out;
}

std::shared_ptr<asio::ssl::context> server_tls_context(const TestCertificates& certificates) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain_file(certificates.cert_file);
  context->use_private_key_file(certificates.key_file, asio::ssl::context::pem);
  return context;
}

}  // namespace pipehost::test
