#include "emulator/server/http_server.hpp"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace pipehost::emulator {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  net::io_context io;  // sync operations only; never run()
  tcp::acceptor acceptor{io};
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers;
};

namespace {

constexpr std::size_t kIoChunk = 1u << 20;
constexpr std::uint64_t kMaxDrainBytes = 64u << 20;

/// The request body as it arrives, through a Beast buffer_body parser.
template <class Stream>
class BeastBodyReader final : public BodyReader {
 public:
  BeastBodyReader(Stream& stream, beast::flat_buffer& buffer, http::request_parser<http::buffer_body>& parser)
      : stream_(stream), buffer_(buffer), parser_(parser) {
    auto expect = parser_.get()[http::field::expect];
    expects_continue_ = beast::iequals(expect, "100-continue");
  }

  std::size_t read_some(char* data, std::size_t size) override {
    while (!parser_.is_done()) {
      send_continue_once();
      auto& body = parser_.get().body();
      body.data = data;
      body.size = size;
      body.more = true;
      beast::error_code ec;
      http::read(stream_, buffer_, parser_, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) throw beast::system_error(ec, "reading the request body");
      std::size_t got = size - body.size;
      if (got > 0) return got;
    }
    return 0;
  }
  bool complete() const override { return parser_.is_done(); }
  std::optional<std::uint64_t> content_length() const override {
    auto length = parser_.content_length();
    if (!length) return std::nullopt;
    return *length;
  }
  /// True when the client waits for "100 Continue" that was never sent: its body is not coming.
  bool body_withheld() const { return expects_continue_ && !continue_sent_; }

 private:
  void send_continue_once() {
    if (!expects_continue_ || continue_sent_) return;
    continue_sent_ = true;
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    net::write(stream_, net::buffer(kContinue, sizeof kContinue - 1));
  }

  Stream& stream_;
  beast::flat_buffer& buffer_;
  http::request_parser<http::buffer_body>& parser_;
  bool expects_continue_ = false;
  bool continue_sent_ = false;
};

template <class Stream>
void write_body_bytes(Stream& stream, const Response& response, std::uint64_t limit) {
  if (!response.file) {
    net::write(stream, net::buffer(response.body.data(), static_cast<std::size_t>(limit)));
    return;
  }
  int fd = ::open(response.file->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + response.file->path.string());
  std::vector<char> chunk(kIoChunk);
  std::uint64_t offset = response.file->offset;
  std::uint64_t left = limit;
  try {
    while (left > 0) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
      ssize_t got = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset));
      if (got <= 0) throw std::runtime_error("short read from " + response.file->path.string());
      net::write(stream, net::buffer(chunk.data(), static_cast<std::size_t>(got)));
      offset += static_cast<std::uint64_t>(got);
      left -= static_cast<std::uint64_t>(got);
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

template <class Stream>
void write_response(Stream& stream, const Response& response, bool keep_alive) {
  http::response<http::empty_body> head{static_cast<http::status>(response.status), 11};
  head.set(http::field::server, "pipehost-emulator");
  if (!response.content_type.empty()) head.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) head.insert(name, value);
  head.content_length(response.body_size());
  head.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> serializer{head};
  http::write_header(stream, serializer);
  std::uint64_t limit = response.body_size();
  if (response.ending != Response::Ending::complete) limit /= 2;
  write_body_bytes(stream, response, limit);
}

// Both only prepare the ending; HttpServer::serve closes the descriptor once it is no longer
// registered, so a reused descriptor number can never be shut down by mistake.
void reset_connection(tcp::socket& socket) {
  beast::error_code ignored;
  socket.set_option(net::socket_base::linger(true, 0), ignored);  // close() then sends RST
}

void close_connection(tcp::socket& socket) {
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

Response internal_error(const std::string& what) {
  return Response::json(500, R"({"error":{"code":500,"message":"emulator internal error: )" +
                                 std::string(what.begin(), std::find(what.begin(), what.end(), '"')) +
                                 R"(","status":"INTERNAL"}})");
}

template <class Stream>
void run_session(Stream& stream, tcp::socket& socket, const RequestHandler& handler) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(64 * 1024);
    beast::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (ec) return close_connection(socket);  // client went away or sent garbage

    BeastBodyReader<Stream> reader(stream, buffer, parser);
    Request request;
    const auto& header = parser.get();
    request.method = std::string(header.method_string());
    request.target = std::string(header.target());
    parse_target(request.target, request.path, request.query);
    for (const auto& field : header) request.headers.emplace_back(field.name_string(), field.value());
    request.body = &reader;

    Response response;
    try {
      response = handler(request);
    } catch (const DropConnection&) {
      return reset_connection(socket);
    } catch (const beast::system_error&) {
      return close_connection(socket);  // the connection failed while reading the body
    } catch (const std::exception& error) {
      response = internal_error(error.what());
      response.close = true;
    }

    bool keep_alive = parser.keep_alive() && !response.close && response.ending == Response::Ending::complete;
    if (!reader.complete()) {
      if (reader.body_withheld() || reader.content_length().value_or(kMaxDrainBytes + 1) > kMaxDrainBytes) {
        keep_alive = false;
      } else {
        try {
          char scratch[16 * 1024];
          while (reader.read_some(scratch, sizeof scratch) > 0) {
          }
        } catch (const std::exception&) {
          return close_connection(socket);
        }
      }
    }

    try {
      write_response(stream, response, keep_alive);
    } catch (const std::exception&) {
      return close_connection(socket);
    }
    if (response.ending == Response::Ending::reset) return reset_connection(socket);
    if (!keep_alive) return close_connection(socket);
  }
}

}  // namespace

HttpServer::HttpServer(std::uint16_t port, std::shared_ptr<net::ssl::context> tls, RequestHandler handler)
    : port_(port), tls_(std::move(tls)), handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

void HttpServer::accept_loop() {
  while (!stopping_) {
    tcp::socket socket(impl_->io);
    beast::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (stopping_) break;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    int fd = socket.release(ec);
    if (ec) continue;
    std::lock_guard lock(connections_mutex_);
    // Reap finished connection threads so a long run does not accumulate them.
    std::erase_if(impl_->workers, [](Impl::Worker& worker) {
      if (!worker.done->load()) return false;
      worker.thread.join();
      return true;
    });
    open_fds_.insert(fd);
    auto done = std::make_shared<std::atomic<bool>>(false);
    impl_->workers.push_back({std::thread([this, fd, done] {
                                serve(fd);
                                done->store(true);
                              }),
                              done});
  }
}

void HttpServer::serve(int fd) {
  tcp::socket plain(impl_->io);
  beast::error_code ec;
  plain.assign(tcp::v4(), fd, ec);
  std::optional<net::ssl::stream<tcp::socket>> secure;
  if (!ec && tls_) secure.emplace(std::move(plain), *tls_);
  tcp::socket& socket = secure ? secure->next_layer() : plain;
  if (!ec) {
    try {
      if (secure) {
        secure->handshake(net::ssl::stream_base::server, ec);
        if (!ec) run_session(*secure, socket, handler_);
      } else {
        run_session(socket, socket, handler_);
      }
    } catch (const std::exception&) {
      // A failing connection must never take the server down.
    }
  }
  std::lock_guard lock(connections_mutex_);
  open_fds_.erase(fd);
  if (socket.is_open()) {
    socket.close(ec);
  } else {
    ::close(fd);
  }
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (impl_->acceptor.is_open()) {
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  }
  if (acceptor_thread_.joinable()) acceptor_thread_.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  std::vector<Impl::Worker> workers;
  {
    std::lock_guard lock(connections_mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // wakes threads blocked in read
    workers = std::move(impl_->workers);
  }
  for (auto& worker : workers) worker.thread.join();
}

}  // namespace pipehost::emulator
