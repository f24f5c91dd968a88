// GeminiBatchProvider against a scripted loopback server, for answers the emulator does not give:
// 400/403 on generateContent, list paging (and a server that repeats its page token), an upload URL on
// another origin, and a batch create whose answer is lost.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gemini_batch_provider.hpp"
#include "script_server.hpp"
#include "test_host.hpp"

namespace pipehost::gemini {
namespace {

using test::ScriptServer;
using test::ServerRequest;
using test::ServerSide;

class KeyInEnvironment {
 public:
  KeyInEnvironment() { setenv("GEMINI_API_KEY", "fake-scripted-key", 1); }
  ~KeyInEnvironment() { unsetenv("GEMINI_API_KEY"); }
};

std::unique_ptr<GeminiBatchProvider> make_provider(test::TestHost& host, const ScriptServer& server,
                                                   const std::string& extra = "") {
  StageContext context{host, "", "", "/provider"};
  context.config_json = R"({"model":"gemini-2.5-flash","base_url":")" + server.url("") +
                        R"(","retry_backoff_s":0.01,"http_attempts":2)" + extra + "}";
  GeminiConfig config;
  Status read = config_spec().read(context, config);
  EXPECT_TRUE(read.is_ok()) << read.message();
  auto provider = std::make_unique<GeminiBatchProvider>(context, std::move(config));
  Status started = provider->start();
  EXPECT_TRUE(started.is_ok()) << started.message();
  return provider;
}

Request one_request() {
  Request request;
  request.key = "row-1";
  request.user_parts = {"hello"};
  return request;
}

/// Serves every request on every connection with `answer(request)`; records request lines.
class Scripted {
 public:
  using Answer = std::function<void(ServerSide&, const ServerRequest&)>;
  explicit Scripted(Answer answer)
      : answer_(std::move(answer)), server_([this](ServerSide& side, int) {
          ServerRequest request;
          while (side.read(request)) {
            {
              std::lock_guard lock(mutex_);
              lines_.push_back(std::string(request.method_string()) + " " + std::string(request.target()));
            }
            answer_(side, request);
          }
        }) {}
  const ScriptServer& server() const { return server_; }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  Answer answer_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
  ScriptServer server_;
};

TEST(GeminiProviderScripted, OnlineBadRequestIsAFailedRowNotAFailedRun) {
  Scripted scripted([](ServerSide& side, const ServerRequest&) {
    side.respond(
        400,
        R"({"error":{"code":400,"message":"Invalid value at 'contents[0]'","status":"INVALID_ARGUMENT"}})");
  });
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, scripted.server());
  Response response;
  Status called = provider->call(one_request(), response);
  ASSERT_TRUE(called.is_ok()) << called.message();
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.key, "row-1");
  EXPECT_FALSE(response.error->retryable);
  EXPECT_NE(response.error->message.find("Invalid value at 'contents[0]'"), std::string::npos);
  EXPECT_EQ(scripted.lines(),
            (std::vector<std::string>{"POST /v1beta/models/gemini-2.5-flash:generateContent"}));
}

TEST(GeminiProviderScripted, OnlineQuotaAndPermissionErrors) {
  std::atomic<int> calls{0};
  Scripted scripted([&](ServerSide& side, const ServerRequest&) {
    if (calls++ < 2) {
      side.respond(
          429, R"({"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[)"
               R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"0.05s"}]}})");
    } else {
      side.respond(403,
                   R"({"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}})");
    }
  });
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, scripted.server());
  Response response;
  Status called = provider->call(one_request(), response);  // two attempts, both 429
  ASSERT_TRUE(called.is_retry()) << called.message();
  EXPECT_EQ(called.retry_after_ms(), 50);
  EXPECT_EQ(calls.load(), 2);
  called = provider->call(one_request(), response);
  ASSERT_TRUE(called.is_fatal()) << called.message();
  EXPECT_NE(called.message().find("PERMISSION_DENIED"), std::string::npos) << called.message();
}

TEST(GeminiProviderScripted, FindPagesThroughTheWholeList) {
  Scripted scripted([](ServerSide& side, const ServerRequest& request) {
    std::string target(request.target());
    auto page = [](const std::string& name, const std::string& display, const std::string& token) {
      std::string body = R"({"operations":[{"name":")" + name + R"(","metadata":{"displayName":")" + display +
                         R"(","state":"BATCH_STATE_RUNNING","createTime":"2025-01-01T00:00:00Z"}}])";
      if (!token.empty()) body += R"(,"nextPageToken":")" + token + "\"";
      return body + "}";
    };
    if (target == "/v1beta/batches?pageSize=100")
      side.respond(200, page("batches/a", "job-a", "p2"));
    else if (target == "/v1beta/batches?pageSize=100&pageToken=p2")
      side.respond(200, page("batches/b", "job-b", "p3"));
    else if (target == "/v1beta/batches?pageSize=100&pageToken=p3")
      side.respond(200, page("batches/c", "job-c", ""));
    else
      side.respond(404, "{}");
  });
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, scripted.server());
  std::string handle;
  ASSERT_TRUE(provider->find("job-c", handle).is_ok());
  EXPECT_EQ(handle, "batches/c");
  EXPECT_EQ(scripted.lines().size(), 3u);
  ASSERT_TRUE(provider->find("job-z", handle).is_ok());
  EXPECT_TRUE(handle.empty());
}

TEST(GeminiProviderScripted, FindStopsWhenTheServerRepeatsItsPageToken) {
  std::atomic<int> pages{0};
  Scripted scripted([&](ServerSide& side, const ServerRequest&) {
    ++pages;
    side.respond(200, R"({"operations":[],"nextPageToken":"again"})");
  });
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, scripted.server());
  std::string handle;
  ASSERT_TRUE(provider->find("anything", handle).is_ok());
  EXPECT_TRUE(handle.empty());
  EXPECT_EQ(pages.load(), 2);
}

TEST(GeminiProviderScripted, LostCreateAnswerIsReconciledByNameNotPaidTwice) {
  std::atomic<int> creates{0};
  std::atomic<bool> created{false};
  Scripted scripted([&](ServerSide& side, const ServerRequest& request) {
    std::string target(request.target());
    if (target == "/upload/v1beta/files") {
      // An upload URL on another origin: the provider must keep talking to its configured origin.
      side.respond(200, "",
                   {{"X-Goog-Upload-URL", "https://elsewhere.invalid/upload/v1beta/files?upload_id=u1"},
                    {"X-Goog-Upload-Status", "active"}});
    } else if (target == "/upload/v1beta/files?upload_id=u1") {
      side.respond(200, R"({"file":{"name":"files/f1","state":"ACTIVE"}})",
                   {{"X-Goog-Upload-Status", "final"}});
    } else if (target.ends_with(":batchGenerateContent")) {
      ++creates;
      created = true;
      side.close();  // created, but the answer never arrives
    } else if (target.starts_with("/v1beta/batches?")) {
      side.respond(200, created
                            ? R"({"operations":[{"name":"batches/b1","metadata":{"displayName":"job-1"}}]})"
                            : R"({"operations":[]})");
    } else {
      side.respond(404, "{}");
    }
  });
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, scripted.server());
  std::vector<Request> requests = {one_request()};
  std::string handle;
  Status first = provider->submit("job-1", requests, handle);
  ASSERT_TRUE(first.is_retry()) << first.message();
  Status second = provider->submit("job-1", requests, handle);
  ASSERT_TRUE(second.is_ok()) << second.message();
  EXPECT_EQ(handle, "batches/b1");
  EXPECT_EQ(creates.load(), 1);
  auto lines = scripted.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "POST /upload/v1beta/files?upload_id=u1"), lines.end());
}

}  // namespace
}  // namespace pipehost::gemini
