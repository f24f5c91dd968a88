#include "holding_proxy.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace pipehost::test {

struct HoldingProxy::Connection {
  int client = -1;
  int upstream = -1;
  /// Set when this connection carried the armed request: nothing more goes back to the client.
  std::atomic<bool> swallow{false};
  std::thread to_upstream;
  std::thread to_client;
};

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int port_of(const std::string& base_url) {
  auto colon = base_url.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("no port in " + base_url);
  return std::stoi(base_url.substr(colon + 1));
}

HoldingProxy::HoldingProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error(std::string("proxy: cannot listen: ") + std::strerror(errno));
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HoldingProxy::~HoldingProxy() {
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) {
    ::shutdown(c->client, SHUT_RDWR);
    ::shutdown(c->upstream, SHUT_RDWR);
  }
  for (auto& c : connections_) {
    c->to_upstream.join();
    c->to_client.join();
    ::close(c->client);
    ::close(c->upstream);
  }
}

std::string HoldingProxy::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void HoldingProxy::hold_answer_to(const std::string& marker) {
  std::lock_guard lock(mutex_);
  marker_ = marker;
  holding_ = false;
}

void HoldingProxy::accept_loop() {
  while (!stopping_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(upstream_port_);
    if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(client);
      if (upstream >= 0) ::close(upstream);
      continue;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->client = client;
    connection->upstream = upstream;
    Connection& c = *connection;
    std::lock_guard lock(mutex_);
    connections_.push_back(std::move(connection));
    c.to_upstream = std::thread([this, &c] { relay_to_upstream(c); });
    c.to_client = std::thread([this, &c] { relay_to_client(c); });
  }
}

void HoldingProxy::relay_to_upstream(Connection& c) {
  char buffer[65536];
  std::string tail;  // the end of what was relayed, so a marker split across reads is still seen
  while (true) {
    ssize_t n = ::recv(c.client, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    {
      std::lock_guard lock(mutex_);
      if (!marker_.empty()) {
        tail.append(buffer, static_cast<std::size_t>(n));
        if (tail.find(marker_) != std::string::npos) {
          // Decided before the request reaches the emulator, so no byte of its answer can slip through.
          c.swallow = true;
          holding_ = true;
          marker_.clear();
        } else if (tail.size() > marker_.size()) {
          tail.erase(0, tail.size() - marker_.size());
        }
      }
    }
    if (!write_all(c.upstream, buffer, static_cast<std::size_t>(n))) break;
  }
  ::shutdown(c.upstream, SHUT_WR);
}

void HoldingProxy::relay_to_client(Connection& c) {
  char buffer[65536];
  while (true) {
    ssize_t n = ::recv(c.upstream, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c.swallow) continue;
    if (!write_all(c.client, buffer, static_cast<std::size_t>(n))) break;
  }
  if (!c.swallow) ::shutdown(c.client, SHUT_WR);
}

}  // namespace pipehost::test
