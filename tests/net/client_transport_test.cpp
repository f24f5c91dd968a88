// The HTTP client against scripted local servers: keep-alive, streaming in both directions, truncation,
// retries, timeouts, cancellation, redirects, TLS verification, proxies and secret hygiene.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "script_server.hpp"
#include "test_host.hpp"

namespace pipehost::net {
namespace {

using namespace std::chrono_literals;
using test::ScriptServer;
using test::ServerRequest;
using test::ServerSide;

/// An HttpEnvironment that records log lines, redacts one host-known secret, and can be cancelled.
struct RecordingEnvironment {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::atomic<bool> cancelled{false};
  std::atomic<int> sleeps{0};
  std::string host_secret = "hostsecret42";

  HttpEnvironment make() {
    HttpEnvironment env;
    env.log = [this](LogLevel level, std::string_view message) {
      std::lock_guard lock(mutex);
      lines.push_back(std::to_string(static_cast<int>(level)) + " " + std::string(message));
    };
    env.redact = [this](std::string_view text) {
      std::string out(text);
      for (auto at = out.find(host_secret); at != std::string::npos; at = out.find(host_secret)) {
        out.replace(at, host_secret.size(), "***");
      }
      return out;
    };
    env.sleep_for = [this](std::chrono::milliseconds duration) {
      ++sleeps;
      auto end = std::chrono::steady_clock::now() + duration;
      while (std::chrono::steady_clock::now() < end) {
        if (cancelled) return false;
        std::this_thread::sleep_for(5ms);
      }
      return !cancelled;
    };
    env.cancelled = [this] { return cancelled.load(); };
    return env;
  }

  std::string all_logs() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }
};

std::shared_ptr<HttpClient> make_client(RecordingEnvironment& env, HttpClientOptions options = {}) {
  Status status;
  auto client = make_http_client(options, env.make(), status);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return client;
}

/// A server that answers every request on every connection with `status` and `body` (and `headers`),
/// keeping connections alive; counts the requests in `*requests` when given.
ScriptServer::Handler answer_all(std::string body, int status = 200,
                                 std::vector<std::pair<std::string, std::string>> headers = {},
                                 std::atomic<int>* requests = nullptr) {
  return [=](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      if (requests) ++*requests;
      if (!side.respond(status, body, headers)) return;
    }
  };
}

RetryPolicy quick_retries(int attempts) {
  RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.initial_backoff = 10ms;
  policy.max_backoff = 50ms;
  return policy;
}

std::string pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return out;
}

TEST(NetClient, SendsRequestAndReadsResponse) {
  ScriptServer server([](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      std::string echo = std::string(request.method_string()) + " " + std::string(request.target()) + " " +
                         std::string(request["x-test"]) + " " + request.body();
      side.respond(201, echo, {{"X-Answer", "yes"}});
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/v1beta/things?pageSize=2");
  request.headers = {{"X-Test", "hello"}, {"Content-Type", "application/json"}};
  request.body = R"({"a":1})";
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"(POST /v1beta/things?pageSize=2 hello {"a":1})");
  EXPECT_EQ(response.header("x-answer"), "yes");
  EXPECT_EQ(response.body_bytes, response.body.size());
}

TEST(NetClient, KeepAliveReusesOneConnection) {
  ScriptServer server(answer_all("ok"));
  RecordingEnvironment env;
  auto client = make_client(env);
  for (int i = 0; i < 5; ++i) {
    HttpRequest request;
    request.url = server.url("/x");
    HttpResponse response;
    ASSERT_TRUE(client->send(request, response).is_ok());
    EXPECT_EQ(response.body, "ok");
  }
  EXPECT_EQ(server.connections(), 1);
  auto stats = http_client_stats(*client);
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 4u);
}

TEST(NetClient, PooledConnectionClosedByServerIsReplacedOnceForIdempotentRequests) {
  // First connection: answers one request, then takes the second request and hangs up without answering
  // (the race a keep-alive client meets when the server times an idle connection out).
  std::atomic<int> posts{0};
  ScriptServer server([&](ServerSide& side, int index) {
    ServerRequest request;
    if (index == 0 || index == 2) {
      if (side.read(request)) side.respond(200, "first");
      if (side.read(request) && request.method() == boost::beast::http::verb::post) ++posts;
      side.close();
      return;
    }
    while (side.read(request)) side.respond(200, "fresh");
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.method = "PUT";
  request.url = server.url("/x");
  request.body = "payload";
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "first");
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.body, "fresh");
  EXPECT_EQ(http_client_stats(*client).stale_retries, 1u);
  EXPECT_EQ(http_client_stats(*client).retries, 0u);

  // A POST is not replayed behind the caller's back: the server may have acted on it.
  auto post_client = make_client(env);
  request.method = "POST";
  ASSERT_TRUE(post_client->send(request, response).is_ok());  // connection 2
  status = post_client->send(request, response);
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_EQ(posts.load(), 1);
  EXPECT_EQ(http_client_stats(*post_client).stale_retries, 0u);
}

TEST(NetClient, IdleConnectionClosedByServerIsNotReused) {
  ScriptServer server([](ServerSide& side, int) {
    ServerRequest request;
    if (side.read(request)) side.respond(200, "once");
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/x");
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  std::this_thread::sleep_for(100ms);  // the server's FIN arrives
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "once");
  auto stats = http_client_stats(*client);
  EXPECT_EQ(stats.connections_opened, 2u);
  EXPECT_EQ(stats.stale_retries, 0u);
}

TEST(NetClient, UploadsAFileRangeWithoutReadingItWhole) {
  test::TempDir dir;
  std::string content = pattern(3 * 1024 * 1024 + 17);
  test::write_file(dir.file("body.bin"), content);
  std::string received;
  std::string content_length;
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      received = request.body();
      content_length = std::string(request["content-length"]);
      side.respond(200, "stored");
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.method = "PUT";
  request.url = server.url("/upload");
  request.body_file = dir.file("body.bin");
  request.body_file_offset = 1000;
  request.body_file_length = 2 * 1024 * 1024 + 5;
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(content_length, std::to_string(2 * 1024 * 1024 + 5));
  EXPECT_TRUE(received == content.substr(1000, 2 * 1024 * 1024 + 5));

  // To the end of the file when no length is given.
  request.body_file_length.reset();
  request.body_file_offset = content.size() - 10;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(received, content.substr(content.size() - 10));

  // A range past the end is the caller's mistake.
  request.body_file_length = 11;
  Status status = client->send(request, response);
  EXPECT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("only 10 bytes"), std::string::npos) << status.message();
}

TEST(NetClient, UploadsFromAProducerChunkedOrWithKnownLength) {
  std::vector<std::string> bodies;
  std::vector<std::string> encodings;
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      bodies.push_back(request.body());
      encodings.push_back(std::string(request["transfer-encoding"]) + "|" +
                          std::string(request["content-length"]));
      side.respond(200, "ok");
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  auto make_producer = [](int pieces) {
    auto count = std::make_shared<int>(0);
    return [count, pieces](std::string& chunk) {
      if (*count < pieces) chunk = "piece" + std::to_string((*count)++) + ";";
      return Status::ok();
    };
  };
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/p");
  request.body_producer = make_producer(3);
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  request.body_producer = make_producer(3);
  request.body_producer_length = std::string("piece0;piece1;piece2;").size();
  ASSERT_TRUE(client->send(request, response).is_ok());
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], "piece0;piece1;piece2;");
  EXPECT_EQ(encodings[0], "chunked|");
  EXPECT_EQ(bodies[1], "piece0;piece1;piece2;");
  EXPECT_EQ(encodings[1], "|21");

  // A producer that does not deliver what it announced is an error, not a silently short body.
  request.body_producer = make_producer(2);
  Status status = client->send(request, response);
  EXPECT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("21 were announced"), std::string::npos) << status.message();
}

/// Sends `head` then `body` in pieces with tiny pauses, so the client sees many partial reads.
void dribble(ServerSide& side, const std::string& head, const std::string& body, std::size_t piece) {
  side.write(head);
  for (std::size_t i = 0; i < body.size(); i += piece) {
    if (!side.write(std::string_view(body).substr(i, piece))) return;
    if (i % (piece * 16) == 0) std::this_thread::sleep_for(1ms);
  }
}

TEST(NetClient, DownloadsToAFile) {
  std::string content = pattern(5 * 1024 * 1024 + 3);
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      dribble(side, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(content.size()) + "\r\n\r\n",
              content, 100000);
    }
  });
  test::TempDir dir;
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/download");
  request.response_file = dir.file("out.bin");
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.body_bytes, content.size());
  EXPECT_TRUE(test::read_file(dir.file("out.bin")) == content);
}

TEST(NetClient, DownloadsChunkedBodyToLines) {
  std::string long_line(1024 * 1024 + 3, 'L');
  std::string body = "first\r\nsecond\n\n" + long_line + "\nlast without newline";
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      side.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (std::size_t i = 0; i < body.size(); i += 4093) {
        std::string piece = body.substr(i, 4093);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        side.write(size + piece + "\r\n");
      }
      side.write("0\r\n\r\n");
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  std::vector<std::string> lines;
  HttpRequest request;
  request.url = server.url("/lines");
  request.on_response_line = [&](std::string_view line) {
    lines.emplace_back(line);
    return Status::ok();
  };
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "first");
  EXPECT_EQ(lines[1], "second");
  EXPECT_EQ(lines[2], "");
  EXPECT_TRUE(lines[3] == long_line);
  EXPECT_EQ(lines[4], "last without newline");
  EXPECT_EQ(response.body_bytes, body.size());
  // The connection survived the chunked body and is reused.
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(NetClient, ErrorBodyStaysReadableWhenStreamingWasAsked) {
  ScriptServer server([](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) side.respond(404, R"({"error":{"code":404,"message":"no such file"}})");
  });
  test::TempDir dir;
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/missing");
  request.response_file = dir.file("never.bin");
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("no such file"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.bin")));
}

TEST(NetClient, TruncatedBodyIsARetryableError) {
  ScriptServer server([](ServerSide& side, int index) {
    ServerRequest request;
    if (!side.read(request)) return;
    if (index == 0) {
      side.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 'x'));
    } else {
      side.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n");
    }
    side.close();
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/cut");
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("truncated"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("500 of 1000"), std::string::npos) << status.message();

  status = client->send(request, response);  // chunked body without its last chunk
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("truncated"), std::string::npos) << status.message();
}

TEST(NetClient, DroppedFileDownloadIsRetriedFromScratch) {
  std::string content = pattern(2 * 1024 * 1024);
  std::atomic<int> requests{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(content.size()) + "\r\n\r\n";
      if (requests++ == 0) {
        side.write(head + content.substr(0, content.size() / 2));
        side.close();
        return;
      }
      side.write(head + content);
    }
  });
  test::TempDir dir;
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/file");
  request.response_file = dir.file("out.bin");
  request.retry = quick_retries(3);
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(requests.load(), 2);
  EXPECT_TRUE(test::read_file(dir.file("out.bin")) == content);
  EXPECT_EQ(response.body_bytes, content.size());
  EXPECT_EQ(http_client_stats(*client).retries, 1u);
}

TEST(NetClient, DroppedLineDownloadAfterDeliveryIsReportedNotRepeated) {
  std::atomic<int> requests{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    if (!side.read(request)) return;
    ++requests;
    side.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nline1\nline2\npart");
    side.close();
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  std::vector<std::string> lines;
  HttpRequest request;
  request.url = server.url("/lines");
  request.retry = quick_retries(3);
  request.on_response_line = [&](std::string_view line) {
    lines.emplace_back(line);
    return Status::ok();
  };
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("truncated"), std::string::npos);
  EXPECT_EQ(requests.load(), 1);  // lines were delivered: repeating would deliver them twice
  EXPECT_EQ(lines, (std::vector<std::string>{"line1", "line2"}));  // the partial line is never delivered
}

TEST(NetClient, LineCallbackErrorStopsTheTransfer) {
  ScriptServer server([](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) side.respond(200, "a\nb\nc\n");
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/lines");
  request.on_response_line = [](std::string_view line) {
    return line == "b" ? Status::fatal("bad line b") : Status::ok();
  };
  HttpResponse response;
  Status status = client->send(request, response);
  EXPECT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("bad line b"), std::string::npos);
}

TEST(NetClient, RetriesServerErrorsAndHonoursRetryAfter) {
  std::atomic<int> requests{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      int n = requests++;
      if (n == 0) {
        side.respond(503, "busy", {{"Retry-After", "1"}});
      } else if (n == 1) {
        side.respond(500, "oops");
      } else {
        side.respond(200, "done");
      }
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/retry");
  request.body = "same body every time";
  request.retry = quick_retries(5);
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send(request, response).is_ok());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "done");
  EXPECT_EQ(requests.load(), 3);
  EXPECT_GE(elapsed, 1000ms);  // Retry-After: 1 was honoured although max_backoff is 50 ms
  EXPECT_LT(elapsed, 5000ms);
  EXPECT_NE(env.all_logs().find("as the server asked"), std::string::npos) << env.all_logs();
}

TEST(NetClient, RetryAfterAsHttpDate) {
  std::atomic<int> requests{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      if (requests++ == 0) {
        std::time_t later = std::time(nullptr) + 2;
        char date[64];
        std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&later));
        side.respond(429, "slow down", {{"Retry-After", date}});
      } else {
        side.respond(200, "ok");
      }
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/date");
  request.retry = quick_retries(2);
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);  // at least 1 s of the 2 s (clock granularity)
}

TEST(NetClient, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  std::atomic<int> requests{0};
  ScriptServer server(answer_all("still busy", 503, {}, &requests));
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/busy");
  request.retry = quick_retries(3);
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "still busy");
  EXPECT_EQ(requests.load(), 3);
}

TEST(NetClient, TotalTimeLimitStopsRetriesEarly) {
  std::atomic<int> requests{0};
  ScriptServer server(answer_all("quota", 429, {{"Retry-After", "3600"}}, &requests));
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/quota");
  request.retry = quick_retries(5);
  request.retry.max_total = 2s;
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(requests.load(), 1);
}

TEST(NetClient, ClientErrorsAreNotRetried) {
  std::atomic<int> requests{0};
  ScriptServer server(answer_all("bad", 400, {}, &requests));
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/bad");
  request.retry = quick_retries(5);
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(requests.load(), 1);
}

TEST(NetClient, SilentServerTimesOut) {
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    side.read(request);
    while (!server.stopping()) std::this_thread::sleep_for(10ms);
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/silent");
  request.io_timeout = 300ms;
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  Status status = client->send(request, response);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("timed out"), std::string::npos) << status.message();
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(NetClient, StalledBodyTimesOut) {
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    side.read(request);
    side.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
    while (!server.stopping()) std::this_thread::sleep_for(10ms);
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/stall");
  request.io_timeout = 300ms;
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("after 4 bytes"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("timed out"), std::string::npos) << status.message();
}

TEST(NetClient, ConnectionRefusedIsRetryable) {
  std::uint16_t port;
  {
    ScriptServer closed(answer_all(""));
    port = closed.port();
  }
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  request.retry = quick_retries(2);
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry()) << status.message();
  EXPECT_NE(status.message().find("cannot connect"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("after 2 attempts"), std::string::npos) << status.message();
}

TEST(NetClient, CancellationInterruptsAWaitingRequest) {
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    side.read(request);
    while (!server.stopping()) std::this_thread::sleep_for(10ms);
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/forever");
  request.io_timeout = 60s;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    env.cancelled = true;
  });
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  Status status = client->send(request, response);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("cancelled"), std::string::npos) << status.message();
}

TEST(NetClient, CancellationInterruptsBackoff) {
  ScriptServer server(answer_all("busy", 503, {{"Retry-After", "30"}}));
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = server.url("/busy");
  request.retry = quick_retries(3);
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    env.cancelled = true;
  });
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  Status status = client->send(request, response);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(status.is_retry());
  EXPECT_NE(status.message().find("cancelled while waiting to retry"), std::string::npos) << status.message();
}

TEST(NetClient, FollowsRedirectsWithinBounds) {
  std::vector<std::string> seen;
  std::mutex seen_mutex;
  ScriptServer other([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      {
        std::lock_guard lock(seen_mutex);
        seen.push_back("other " + std::string(request.method_string()) + " " + std::string(request.target()) +
                       " key=" + std::string(request["x-goog-api-key"]));
      }
      side.respond(200, "from other");
    }
  });
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      std::string target(request.target());
      {
        std::lock_guard lock(seen_mutex);
        seen.push_back(std::string(request.method_string()) + " " + target + " " + request.body() +
                       " key=" + std::string(request["x-goog-api-key"]));
      }
      if (target == "/see-other")
        side.respond(303, "", {{"Location", "/result"}});
      else if (target == "/temporary")
        side.respond(307, "", {{"Location", "/kept"}});
      else if (target == "/away")
        side.respond(302, "", {{"Location", other.url("/landing")}});
      else if (target.starts_with("/loop"))
        side.respond(302, "", {{"Location", target + "x"}});
      else
        side.respond(200, "at " + target);
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.method = "POST";
  request.body = "B";
  request.headers = {{"x-goog-api-key", "fake-redirect-key"}};
  HttpResponse response;

  request.url = server.url("/see-other");
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "at /result");
  request.url = server.url("/temporary");
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "at /kept");
  request.url = server.url("/away");
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "from other");
  {
    std::lock_guard lock(seen_mutex);
    std::vector<std::string> expected = {
        "POST /see-other B key=fake-redirect-key",
        "GET /result  key=fake-redirect-key",
        "POST /temporary B key=fake-redirect-key",
        "POST /kept B key=fake-redirect-key",
        "POST /away B key=fake-redirect-key",
        "other GET /landing key=",  // the key is not sent to another origin
    };
    EXPECT_EQ(seen, expected);
  }
  request.method = "GET";
  request.body.clear();
  request.url = server.url("/loop");
  request.max_redirects = 3;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.header("location"), "/loopxxxx");
}

TEST(NetClient, SecretsStayOutOfLogsAndErrors) {
  const std::string key = "fake-key-SECRET-9f8e7d";
  std::uint16_t closed_port;
  {
    ScriptServer closed(answer_all(""));
    closed_port = closed.port();
  }
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      // A server that echoes the key back in an error body and a header.
      side.respond(503, "bad key " + std::string(request["x-goog-api-key"]), {{"X-Echo", key}});
    }
  });
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.headers = {{"x-goog-api-key", key}, {"Authorization", "Bearer " + key}};
  request.retry = quick_retries(2);
  HttpResponse response;

  request.url = server.url("/v1/" + env.host_secret + "/x?key=" + key);
  ASSERT_TRUE(client->send(request, response).is_ok());
  request.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/v1/" + env.host_secret + "?key=" + key;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry());
  request.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/bad path?key=" + key;
  Status bad_url = client->send(request, response);
  ASSERT_TRUE(bad_url.is_fatal());

  std::string everything = env.all_logs() + status.message() + "\n" + bad_url.message();
  EXPECT_FALSE(env.lines.empty());
  EXPECT_EQ(everything.find("SECRET-9f8e7d"), std::string::npos) << everything;
  EXPECT_EQ(everything.find(env.host_secret), std::string::npos) << everything;
  EXPECT_NE(everything.find("key=REDACTED"), std::string::npos) << everything;
}

TEST(NetClient, ConcurrentSendsShareThePool) {
  std::atomic<int> served{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      ++served;
      side.respond(200, "n=" + std::string(request.target()).substr(1));
    }
  });
  RecordingEnvironment env;
  HttpClientOptions options;
  options.max_idle_per_host = 4;
  auto client = make_client(env, options);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        HttpRequest request;
        std::string n = std::to_string(t * 100 + i);
        request.url = server.url("/" + n);
        HttpResponse response;
        if (client->send(request, response).is_ok() && response.body == "n=" + n) ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 100);
  EXPECT_EQ(served.load(), 100);
  EXPECT_LE(server.connections(), 8);
  auto stats = http_client_stats(*client);
  EXPECT_EQ(stats.connections_opened + stats.connections_reused, 100u);
}

// ---- TLS ----

class NetTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    certificates_ = test::make_test_certificates(dir_->path().string(), {"localhost", "api.test"});
    auto other = dir_->path() / "other";
    std::filesystem::create_directories(other);
    other_name_certificates_ = test::make_test_certificates(other.string(), {"other.test"}, false);
  }
  static void TearDownTestSuite() { delete dir_; }

  static test::TempDir* dir_;
  static test::TestCertificates certificates_;
  static test::TestCertificates other_name_certificates_;
};
test::TempDir* NetTls::dir_ = nullptr;
test::TestCertificates NetTls::certificates_;
test::TestCertificates NetTls::other_name_certificates_;

TEST_F(NetTls, VerifiedWithCaFile) {
  ScriptServer server(answer_all("secure"), test::server_tls_context(certificates_));
  RecordingEnvironment env;
  HttpClientOptions options;
  options.ca_file = certificates_.ca_file;
  auto client = make_client(env, options);
  HttpRequest request;
  request.url = server.url("/x");
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.body, "secure");
  request.url = "https://localhost:" + std::to_string(server.port()) + "/y";  // by name (SNI + DNS SAN)
  status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(http_client_stats(*client).connections_opened, 2u);  // one per origin, then reused
}

TEST_F(NetTls, UntrustedCertificateIsRejected) {
  ScriptServer server(answer_all("secure"), test::server_tls_context(certificates_));
  RecordingEnvironment env;
  auto client = make_client(env);  // system CA store only
  HttpRequest request;
  request.url = server.url("/x");
  request.retry = quick_retries(3);
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("certificate verification failed"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("ca_file"), std::string::npos) << status.message();
  EXPECT_EQ(server.connections(), 1);  // not retried: it cannot get better
}

TEST_F(NetTls, WrongHostNameIsRejected) {
  ScriptServer server(answer_all("secure"), test::server_tls_context(other_name_certificates_));
  RecordingEnvironment env;
  HttpClientOptions options;
  options.ca_file = other_name_certificates_.ca_file;
  auto client = make_client(env, options);
  HttpRequest request;
  request.url = server.url("/x");
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("mismatch"), std::string::npos) << status.message();
}

TEST_F(NetTls, InsecureSkipVerifyWorksAndWarnsLoudly) {
  ScriptServer server(answer_all("insecure"), test::server_tls_context(certificates_));
  RecordingEnvironment env;
  HttpClientOptions options;
  options.insecure_skip_verify = true;
  auto client = make_client(env, options);
  EXPECT_NE(env.all_logs().find("VERIFICATION IS OFF"), std::string::npos) << env.all_logs();
  HttpRequest request;
  request.url = server.url("/x");
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_EQ(response.body, "insecure");
}

TEST_F(NetTls, UnreadableCaFileIsAClearError) {
  RecordingEnvironment env;
  HttpClientOptions options;
  options.ca_file = dir_->file("missing-ca.pem");
  Status status;
  auto client = make_http_client(options, env.make(), status);
  EXPECT_FALSE(client);
  ASSERT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("missing-ca.pem"), std::string::npos) << status.message();
}

/// A forward proxy: CONNECT tunnels to 127.0.0.1 (whatever host was asked), plain requests answered
/// directly. Records the request lines it saw.
class TestProxy {
 public:
  explicit TestProxy(std::uint16_t tunnel_port)
      : server_([this, tunnel_port](ServerSide& side, int) { handle(side, tunnel_port); }) {}
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void handle(ServerSide& side, std::uint16_t tunnel_port) {
    ServerRequest request;
    while (side.read(request)) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(std::string(request.method_string()) + " " + std::string(request.target()));
      }
      if (request.method() != boost::beast::http::verb::connect) {
        side.respond(200, "proxied " + std::string(request.target()));
        continue;
      }
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket upstream(io);
      upstream.connect({boost::asio::ip::make_address("127.0.0.1"), tunnel_port});
      side.write("HTTP/1.1 200 Connection established\r\n\r\n");
      auto pipe = [](boost::asio::ip::tcp::socket& from, boost::asio::ip::tcp::socket& to) {
        char buffer[16384];
        boost::system::error_code ec;
        while (true) {
          std::size_t n = from.read_some(boost::asio::buffer(buffer), ec);
          if (ec) break;
          boost::asio::write(to, boost::asio::buffer(buffer, n), ec);
          if (ec) break;
        }
        to.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      };
      std::thread up([&] { pipe(side.socket(), upstream); });
      pipe(upstream, side.socket());
      up.join();
      return;
    }
  }

  std::mutex mutex_;
  std::vector<std::string> seen_;
  ScriptServer server_;
};

/// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::vector<std::pair<std::string, std::string>> values) : values_(std::move(values)) {
    for (const auto& [name, value] : values_) setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : values_) unsetenv(name.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

TEST_F(NetTls, HttpsThroughAConnectProxy) {
  ScriptServer target(answer_all("through the tunnel"), test::server_tls_context(certificates_));
  TestProxy proxy(target.port());
  ScopedEnv env_vars({{"HTTPS_PROXY", proxy.url()}, {"NO_PROXY", "internal.test"}});
  RecordingEnvironment env;
  HttpClientOptions options;
  options.ca_file = certificates_.ca_file;
  auto client = make_client(env, options);
  HttpRequest request;
  // api.test does not resolve here; only the proxy needs to reach it, and the certificate names it.
  request.url = "https://api.test:" + std::to_string(target.port()) + "/v1/x";
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.body, "through the tunnel");
  ASSERT_TRUE(client->send(request, response).is_ok());  // the tunnel is a pooled keep-alive connection
  EXPECT_EQ(proxy.seen(), (std::vector<std::string>{"CONNECT api.test:" + std::to_string(target.port())}));

  // NO_PROXY: internal.test is reached directly (and fails to resolve, proving the proxy was skipped).
  request.url = "https://internal.test:" + std::to_string(target.port()) + "/v1/x";
  request.connect_timeout = 5s;
  status = client->send(request, response);
  EXPECT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("cannot resolve"), std::string::npos) << status.message();
}

TEST(NetClient, PlainHttpThroughAProxyUsesAbsoluteFormAndWarns) {
  TestProxy proxy(1);
  ScopedEnv env_vars({{"HTTP_PROXY", proxy.url()}});
  RecordingEnvironment env;
  auto client = make_client(env);
  HttpRequest request;
  request.url = "http://plain.test:8080/path?q=1";
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.body, "proxied http://plain.test:8080/path?q=1");
  EXPECT_NE(env.all_logs().find("without TLS to non-loopback host plain.test:8080"), std::string::npos)
      << env.all_logs();
}

}  // namespace
}  // namespace pipehost::net
