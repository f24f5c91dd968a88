// Line downloads that resume by Range (`HttpRequest::resume_lines`) against a scripted server that
// breaks the body mid-line in every way a network does (close, reset, lost chunked end, silence):
// every line arrives once and whole, the server's answers to the Range are checked (206 from the
// right byte, 200 skipped up to it, 416 and other statuses refused), and nothing changes without
// the flag.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "script_server.hpp"

namespace pipehost::net {
namespace {

using namespace std::chrono_literals;
using test::ScriptServer;
using test::ServerRequest;
using test::ServerSide;

/// How the server ends one answer.
enum class Break { none, close, reset, chunked_close, stall };

/// What the server does with the request of the same index (the last step repeats).
struct Step {
  Break how = Break::none;
  /// Offset in the whole body where a broken answer stops (mid-line in these tests).
  std::uint64_t cut = 0;
  bool honour_range = true;
  /// Answer this status (with `headers`) instead of the body.
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

Step broken(Break how, std::uint64_t cut, bool honour_range = true) {
  Step step;
  step.how = how;
  step.cut = cut;
  step.honour_range = honour_range;
  return step;
}

Step whole(bool honour_range = true) {
  Step step;
  step.honour_range = honour_range;
  return step;
}

Step answer(int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Step step;
  step.status = status;
  step.headers = std::move(headers);
  return step;
}

/// A JSONL-like body of lines of varied lengths.
std::string make_lines(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%04d", i);
    out += "{\"row\":\"" + std::string(id) + "\",\"pad\":\"" +
           std::string(static_cast<std::size_t>(i * 37 % 211), 'p') + "\"}\n";
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto newline = text.find('\n'); newline != std::string::npos; newline = text.find('\n', start)) {
    lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

/// Offset just past the last newline before `cut`: where a resumed request must start.
std::uint64_t line_start_before(const std::string& content, std::uint64_t cut) {
  auto newline = content.rfind('\n', cut - 1);
  return newline == std::string::npos ? 0 : newline + 1;
}

class RangeServer {
 public:
  RangeServer(std::string content, std::vector<Step> steps)
      : content_(std::move(content)),
        steps_(std::move(steps)),
        server_([this](ServerSide& side, int) { serve(side); }) {}

  std::string url() const { return server_.url("/results.jsonl"); }
  std::vector<std::string> ranges() {
    std::lock_guard lock(mutex_);
    return ranges_;
  }

 private:
  void serve(ServerSide& side) {
    ServerRequest request;
    while (side.read(request)) {
      Step step;
      {
        std::lock_guard lock(mutex_);
        step = steps_[std::min(ranges_.size(), steps_.size() - 1)];
        ranges_.emplace_back(request["range"]);
      }
      if (step.status != 0) {
        if (!side.respond(step.status, R"({"error":"scripted"})", step.headers)) return;
        continue;
      }
      std::uint64_t start = 0;
      std::string range(request["range"]);
      if (step.honour_range && range.rfind("bytes=", 0) == 0) start = std::stoull(range.substr(6));
      std::string head = start > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " +
                                         std::to_string(start) + "-" + std::to_string(content_.size() - 1) +
                                         "/" + std::to_string(content_.size()) + "\r\n"
                                   : "HTTP/1.1 200 OK\r\n";
      head += "ETag: \"v1\"\r\n";
      std::uint64_t end = step.how == Break::none ? content_.size() : step.cut;
      std::string body = content_.substr(start, end - start);
      if (step.how == Break::chunked_close) {
        side.write(head + "Transfer-Encoding: chunked\r\n\r\n");
        for (std::size_t i = 0; i < body.size(); i += 1000) {
          std::string piece = body.substr(i, 1000);
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
          side.write(size + piece + "\r\n");
        }
        side.close();
        return;
      }
      side.write(head + "Content-Length: " + std::to_string(content_.size() - start) + "\r\n\r\n" + body);
      switch (step.how) {
        case Break::none:
          continue;
        case Break::close:
          side.close();
          return;
        case Break::reset:
          side.reset();
          return;
        case Break::stall:
          side.read(request);  // silent until the client gives up and closes
          return;
        case Break::chunked_close:
          return;
      }
    }
  }

  std::string content_;
  std::vector<Step> steps_;
  std::mutex mutex_;
  std::vector<std::string> ranges_;
  ScriptServer server_;  // last: its handler threads use the members above
};

std::shared_ptr<HttpClient> make_client() {
  Status status;
  auto client = make_http_client({}, {}, status);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return client;
}

struct Download {
  std::vector<std::string> lines;
  HttpResponse response;
  Status status;
};

Download download(HttpClient& client, const std::string& url, int attempts, bool resume = true,
                  std::vector<HttpHeader> headers = {}) {
  Download out;
  HttpRequest request;
  request.url = url;
  request.headers = std::move(headers);
  request.resume_lines = resume;
  request.io_timeout = 300ms;
  request.retry.max_attempts = attempts;
  request.retry.initial_backoff = 5ms;
  request.retry.max_backoff = 20ms;
  request.on_response_line = [&out](std::string_view line) {
    out.lines.emplace_back(line);
    return Status::ok();
  };
  out.status = client.send(request, out.response);
  return out;
}

TEST(NetResume, EveryLineOnceAcrossFourKindsOfBreak) {
  std::string content = make_lines(600);
  std::vector<std::uint64_t> cuts = {9000 + 17, 21000 + 3, 34000 + 41, 52000 + 7};
  for (auto cut : cuts) ASSERT_NE(content[cut - 1], '\n') << "cuts must fall inside a line";
  RangeServer server(content,
                     {broken(Break::close, cuts[0]), broken(Break::reset, cuts[1]),
                      broken(Break::chunked_close, cuts[2]), broken(Break::stall, cuts[3]), whole()});
  auto client = make_client();
  Download got = download(*client, server.url(), 5);
  ASSERT_TRUE(got.status.is_ok()) << got.status.message();
  EXPECT_EQ(got.lines, split(content));  // each line once, none cut in two
  EXPECT_EQ(got.response.status, 206);
  EXPECT_EQ(got.response.body_bytes, content.size());
  std::vector<std::string> expected_ranges = {""};
  for (auto cut : cuts)
    expected_ranges.push_back("bytes=" + std::to_string(line_start_before(content, cut)) + "-");
  EXPECT_EQ(server.ranges(), expected_ranges);
  auto stats = http_client_stats(*client);
  EXPECT_EQ(stats.retries, 4u);
  EXPECT_EQ(stats.line_resumes, 4u);
}

TEST(NetResume, RetryPolicyBoundsTheResumes) {
  std::string content = make_lines(300);
  RangeServer server(content, {broken(Break::close, 5001), broken(Break::close, 9001),
                               broken(Break::close, 15001), whole()});
  auto client = make_client();
  Download got = download(*client, server.url(), 3);
  ASSERT_TRUE(got.status.is_retry()) << got.status.message();
  EXPECT_NE(got.status.message().find("gave up after 3 attempts"), std::string::npos) << got.status.message();
  EXPECT_EQ(server.ranges().size(), 3u);
  // Whatever arrived was whole and in order.
  auto all = split(content);
  ASSERT_LE(got.lines.size(), all.size());
  EXPECT_EQ(got.lines,
            std::vector<std::string>(all.begin(), all.begin() + static_cast<long>(got.lines.size())));
  EXPECT_EQ(got.lines.size(), split(content.substr(0, line_start_before(content, 15001))).size());
}

TEST(NetResume, ServerIgnoringRangeAnswers200AndWhatWasDeliveredIsSkipped) {
  std::string content = make_lines(400);
  std::uint64_t cut = 20000 + 9;
  RangeServer server(content, {broken(Break::close, cut, false), whole(false)});
  auto client = make_client();
  Download got = download(*client, server.url(), 3);
  ASSERT_TRUE(got.status.is_ok()) << got.status.message();
  EXPECT_EQ(got.lines, split(content));
  EXPECT_EQ(got.response.status, 200);
  EXPECT_EQ(got.response.body_bytes, content.size());
  EXPECT_EQ(server.ranges(),
            (std::vector<std::string>{"", "bytes=" + std::to_string(line_start_before(content, cut)) + "-"}));
}

TEST(NetResume, RangeNotSatisfiableIsAClearError) {
  std::string content = make_lines(200);
  std::uint64_t cut = 7000 + 5;
  RangeServer server(content, {broken(Break::close, cut), answer(416, {{"Content-Range", "bytes */100"}})});
  auto client = make_client();
  Download got = download(*client, server.url(), 4);
  ASSERT_TRUE(got.status.is_fatal()) << got.status.message();
  std::string n = std::to_string(line_start_before(content, cut));
  EXPECT_NE(got.status.message().find("416"), std::string::npos) << got.status.message();
  EXPECT_NE(got.status.message().find("Range: bytes=" + n + "-"), std::string::npos) << got.status.message();
  EXPECT_EQ(got.lines, split(content.substr(0, line_start_before(content, cut))));
  EXPECT_EQ(server.ranges().size(), 2u);  // a 416 is not retried
}

TEST(NetResume, OtherAnswersToTheRangeAreErrorsButRetryableOnesAreRetried) {
  std::string content = make_lines(200);
  std::uint64_t cut = 6000 + 1;
  std::string n = std::to_string(line_start_before(content, cut));
  auto client = make_client();

  // 503 to the resumed request, then the rest.
  RangeServer flaky(content, {broken(Break::close, cut), answer(503, {{"Retry-After", "0"}}), whole()});
  Download got = download(*client, flaky.url(), 4);
  ASSERT_TRUE(got.status.is_ok()) << got.status.message();
  EXPECT_EQ(got.lines, split(content));
  EXPECT_EQ(flaky.ranges(), (std::vector<std::string>{"", "bytes=" + n + "-", "bytes=" + n + "-"}));

  // 503 until the policy gives up: an error, not a 503 "success" after half the lines.
  RangeServer overloaded(content, {broken(Break::close, cut), answer(503, {{"Retry-After", "0"}})});
  got = download(*client, overloaded.url(), 3);
  ASSERT_TRUE(got.status.is_retry()) << got.status.message();
  EXPECT_NE(got.status.message().find("HTTP 503 while resuming the line download at byte " + n),
            std::string::npos)
      << got.status.message();

  // 404: the body is gone.
  RangeServer gone(content, {broken(Break::close, cut), answer(404)});
  got = download(*client, gone.url(), 4);
  ASSERT_TRUE(got.status.is_fatal()) << got.status.message();
  EXPECT_NE(got.status.message().find("HTTP 404"), std::string::npos) << got.status.message();
  EXPECT_EQ(gone.ranges().size(), 2u);

  // A 206 from the wrong byte.
  RangeServer confused(content,
                       {broken(Break::close, cut),
                        answer(206, {{"Content-Range", "bytes 0-99/" + std::to_string(content.size())}})});
  got = download(*client, confused.url(), 4);
  ASSERT_TRUE(got.status.is_fatal()) << got.status.message();
  EXPECT_NE(got.status.message().find("Content-Range"), std::string::npos) << got.status.message();
}

TEST(NetResume, WithoutTheFlagNothingIsResumed) {
  std::string content = make_lines(200);
  std::uint64_t cut = 5000 + 3;
  RangeServer server(content, {broken(Break::close, cut), whole()});
  auto client = make_client();
  Download got = download(*client, server.url(), 4, /*resume=*/false);
  ASSERT_TRUE(got.status.is_retry()) << got.status.message();
  EXPECT_NE(got.status.message().find("truncated"), std::string::npos) << got.status.message();
  EXPECT_EQ(server.ranges(), std::vector<std::string>{""});
  EXPECT_EQ(got.lines, split(content.substr(0, line_start_before(content, cut))));
}

TEST(NetResume, TheCallersStopIsNotResumed) {
  std::string content = make_lines(100);
  RangeServer server(content, {whole()});
  auto client = make_client();
  HttpRequest request;
  request.url = server.url();
  request.resume_lines = true;
  request.retry.max_attempts = 4;
  int lines = 0;
  request.on_response_line = [&](std::string_view) {
    return ++lines == 10 ? Status::retry("the consumer is busy") : Status::ok();
  };
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_retry());
  EXPECT_NE(status.message().find("the consumer is busy"), std::string::npos) << status.message();
  EXPECT_EQ(lines, 10);
  EXPECT_EQ(server.ranges().size(), 1u);
}

TEST(NetResume, ContinuesTheCallersOwnOpenRange) {
  std::string content = make_lines(300);
  std::uint64_t from = line_start_before(content, 3000);
  std::uint64_t cut = 11000 + 13;
  RangeServer server(content, {broken(Break::close, cut), whole()});
  auto client = make_client();
  Download got = download(*client, server.url(), 3, true, {{"Range", "bytes=" + std::to_string(from) + "-"}});
  ASSERT_TRUE(got.status.is_ok()) << got.status.message();
  EXPECT_EQ(got.lines, split(content.substr(from)));
  EXPECT_EQ(got.response.body_bytes, content.size() - from);
  EXPECT_EQ(server.ranges(),
            (std::vector<std::string>{"bytes=" + std::to_string(from) + "-",
                                      "bytes=" + std::to_string(line_start_before(content, cut)) + "-"}));

  // Only an open-ended range can be continued.
  got = download(*client, server.url(), 3, true, {{"Range", "bytes=0-99"}});
  ASSERT_TRUE(got.status.is_fatal());
  EXPECT_NE(got.status.message().find("open-ended"), std::string::npos) << got.status.message();
}

}  // namespace
}  // namespace pipehost::net
