// The HTTP service a plugin gets from the host: plain http:// to a host that is not loopback is
// refused unless the plugin's section allows it, every attempt feeds the plugin's endpoint health,
// and the client's retry sleeps end when the run is cancelled (or given up on).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "services/run_services.hpp"

namespace {

using namespace pipehost;
using Clock = std::chrono::steady_clock;

int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class PluginServicesTest : public ::testing::Test {
 protected:
  std::shared_ptr<HttpClient> client(services::PluginServices& plugin) {
    Status status;
    auto http = plugin.http({}, status);
    EXPECT_TRUE(status.is_ok()) << status.message();
    return http;
  }

  static HttpRequest get(const std::string& url) {
    HttpRequest request;
    request.url = url;
    request.connect_timeout = std::chrono::milliseconds(300);
    return request;
  }

  services::RunServices run_{std::filesystem::temp_directory_path(),
                             std::make_shared<services::SecretRegistry>()};
};

TEST_F(PluginServicesTest, PlainHttpToARemoteHostIsRefusedUnlessAllowed) {
  services::PluginServices strict(run_, "logger0-test", {"/loggers/0", false});
  HttpResponse response;
  auto began = Clock::now();
  Status refused = client(strict)->send(get("http://203.0.113.7:9/v1/insert"), response);
  EXPECT_TRUE(refused.is_fatal()) << refused.message();
  EXPECT_NE(
      refused.message().find("refusing plain http:// to 203.0.113.7:9, which is not a loopback address"),
      std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("set \"allow_insecure_http\": true in /loggers/0"), std::string::npos)
      << refused.message();
  EXPECT_LT(Clock::now() - began, std::chrono::milliseconds(250)) << "nothing may be tried";

  services::PluginServices relaxed(run_, "logger0-test", {"/loggers/0", true});
  // Sent (whatever the network makes of it: nothing, or an intercepting proxy's answer).
  Status tried = client(relaxed)->send(get("http://203.0.113.7:9/v1/insert"), response);
  EXPECT_EQ(tried.message().find("refusing"), std::string::npos) << tried.message();

  // Loopback is never refused: the emulator without TLS, local proxies and sidecars.
  int port = closed_port();
  Status local = client(strict)->send(get("http://127.0.0.1:" + std::to_string(port) + "/"), response);
  EXPECT_TRUE(local.is_retry()) << local.message();
  EXPECT_EQ(local.message().find("refusing"), std::string::npos) << local.message();
}

TEST_F(PluginServicesTest, EveryAttemptFeedsTheEndpointHealth) {
  services::PluginServices provider(run_, "provider-test", {"/provider", false});
  EXPECT_FALSE(provider.health().snapshot().failing_since);
  int port = closed_port();
  auto request = get("https://127.0.0.1:" + std::to_string(port) + "/v1beta/batches");
  request.retry.max_attempts = 3;
  request.retry.initial_backoff = std::chrono::milliseconds(1);
  HttpResponse response;
  EXPECT_TRUE(client(provider)->send(request, response).is_retry());
  auto health = provider.health().snapshot();
  ASSERT_TRUE(health.failing_since);
  EXPECT_EQ(health.failures, 3u);
  EXPECT_EQ(health.last_failure_origin, "https://127.0.0.1:" + std::to_string(port));
  EXPECT_NE(health.last_failure.find("Connection refused"), std::string::npos) << health.last_failure;
  EXPECT_FALSE(health.last_success);
}

TEST_F(PluginServicesTest, RetrySleepsEndWhenTheRunIsCancelled) {
  services::PluginServices provider(run_, "provider-test", {"/provider", false});
  auto request = get("https://127.0.0.1:" + std::to_string(closed_port()) + "/");
  request.retry.max_attempts = 10;
  request.retry.initial_backoff = std::chrono::seconds(30);
  request.retry.max_backoff = std::chrono::seconds(30);
  auto http = client(provider);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run_.cancel();
  });
  auto began = Clock::now();
  HttpResponse response;
  Status sent = http->send(request, response);
  canceller.join();
  EXPECT_TRUE(sent.is_retry());
  EXPECT_LT(Clock::now() - began, std::chrono::seconds(5)) << sent.message();
}

}  // namespace
