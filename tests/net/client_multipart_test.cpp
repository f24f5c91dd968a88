// multipart/form-data uploads through the client against scripted local servers: the exact bytes
// on the wire, a Content-Length instead of chunking, the boundary in Content-Type, a 20 MB file
// streamed without the process growing by its size, whole-body resends on retry, malformed
// requests refused before anything is sent.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

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

std::shared_ptr<HttpClient> make_client() {
  Status status;
  auto client = make_http_client({}, {}, status);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return client;
}

/// Resident memory of this process (the client and the scripted server share it).
std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t pages = 0;
  std::int64_t resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

/// Byte `i` of a deterministic JSONL-like file (so a large one can be checked without holding it).
char file_byte(std::uint64_t i) {
  return i % 100 == 99 ? '\n' : static_cast<char>('a' + (i * 7 + i / 101) % 26);
}

std::string file_slice(std::uint64_t from, std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = file_byte(from + i);
  return out;
}

void write_pattern_file(const std::string& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  constexpr std::size_t kPiece = 1 << 20;
  for (std::uint64_t at = 0; at < size; at += kPiece) {
    std::string piece = file_slice(at, static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, size - at)));
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
}

std::string boundary_from(const std::string& content_type) {
  const std::string prefix = "multipart/form-data; boundary=";
  EXPECT_EQ(content_type.rfind(prefix, 0), 0u) << content_type;
  return content_type.substr(std::min(prefix.size(), content_type.size()));
}

/// The two-part body these tests send ("purpose" in memory, then the file), around the file bytes.
struct FramedFile {
  std::string prefix;
  std::string suffix;
  explicit FramedFile(const std::string& boundary)
      : prefix("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" +
               boundary +
               "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n"
               "Content-Type: application/jsonl\r\n\r\n"),
        suffix("\r\n--" + boundary + "--\r\n") {}
};

std::vector<MultipartPart> purpose_and_file(const std::string& path) {
  std::vector<MultipartPart> parts(2);
  parts[0].name = "purpose";
  parts[0].body = "batch";
  parts[1].name = "file";
  parts[1].filename = "batch.jsonl";
  parts[1].content_type = "application/jsonl";
  parts[1].body_file = path;
  return parts;
}

/// Compares a body arriving in pieces with prefix + file_byte(0..file_size) + suffix.
class StreamedComparison {
 public:
  StreamedComparison(std::string prefix, std::uint64_t file_size, std::string suffix)
      : prefix_(std::move(prefix)), file_size_(file_size), suffix_(std::move(suffix)) {}

  void feed(std::string_view piece) {
    for (char c : piece) {
      if (!mismatch_ && c != expected(at_)) mismatch_ = at_;
      ++at_;
    }
  }
  std::uint64_t expected_size() const { return prefix_.size() + file_size_ + suffix_.size(); }
  std::uint64_t received() const { return at_; }
  std::optional<std::uint64_t> first_mismatch() const { return mismatch_; }

 private:
  char expected(std::uint64_t i) const {
    if (i < prefix_.size()) return prefix_[i];
    i -= prefix_.size();
    if (i < file_size_) return file_byte(i);
    i -= file_size_;
    return i < suffix_.size() ? suffix_[i] : '\0';
  }

  std::string prefix_;
  std::uint64_t file_size_;
  std::string suffix_;
  std::uint64_t at_ = 0;
  std::optional<std::uint64_t> mismatch_;
};

TEST(NetMultipart, StreamsATwentyMegabyteFileWithALengthAndExactBytes) {
  constexpr std::uint64_t kFileSize = 20 * 1024 * 1024 + 7;
  test::TempDir dir;
  write_pattern_file(dir.file("batch.jsonl"), kFileSize);

  struct Seen {
    std::string content_type, content_length, transfer_encoding;
    std::size_t content_type_headers = 0;
    std::uint64_t expected_size = 0, received = 0;
    std::optional<std::uint64_t> mismatch;
    std::int64_t resident_at_end = 0;
  };
  std::mutex mutex;
  Seen seen;
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest head;
    std::optional<StreamedComparison> comparison;
    while (side.read_streamed(head, [&](std::string_view piece) {
      if (!comparison) {
        FramedFile framing(boundary_from(std::string(head["content-type"])));
        comparison.emplace(framing.prefix, kFileSize, framing.suffix);
      }
      comparison->feed(piece);
    })) {
      {
        std::lock_guard lock(mutex);
        // Sampled while the client is still inside send(), its body source alive.
        seen.resident_at_end = resident_bytes();
        seen.content_type = std::string(head["content-type"]);
        seen.content_type_headers = head.count(boost::beast::http::field::content_type);
        seen.content_length = std::string(head["content-length"]);
        seen.transfer_encoding = std::string(head["transfer-encoding"]);
        if (comparison) {
          seen.expected_size = comparison->expected_size();
          seen.received = comparison->received();
          seen.mismatch = comparison->first_mismatch();
        }
      }
      side.respond(200, R"({"id":"file-1"})");
      comparison.reset();
    }
  });

  auto client = make_client();
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/v1/files");
  // A plugin's usual JSON header: the multipart body's own Content-Type must win.
  request.headers = {{"Content-Type", "application/json"}};
  request.multipart = purpose_and_file(dir.file("batch.jsonl"));
  std::int64_t resident_before = resident_bytes();
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200);

  std::lock_guard lock(mutex);
  std::string boundary = boundary_from(seen.content_type);
  EXPECT_GE(boundary.size(), 30u);
  EXPECT_EQ(seen.content_type_headers, 1u);
  FramedFile framing(boundary);
  std::uint64_t size = framing.prefix.size() + kFileSize + framing.suffix.size();
  EXPECT_EQ(seen.content_length, std::to_string(size));
  EXPECT_EQ(seen.transfer_encoding, "");
  EXPECT_EQ(seen.received, size);
  EXPECT_FALSE(seen.mismatch.has_value()) << "first wrong byte at " << seen.mismatch.value_or(0);
  // The file was streamed: the process did not grow by anything near its 20 MB.
  EXPECT_LT(seen.resident_at_end - resident_before, 8 * 1024 * 1024)
      << "resident memory grew from " << resident_before << " to " << seen.resident_at_end;
}

TEST(NetMultipart, RetryAfterA503ResendsTheWholeBody) {
  constexpr std::uint64_t kFileSize = 1024 * 1024 + 3;
  test::TempDir dir;
  write_pattern_file(dir.file("batch.jsonl"), kFileSize);
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::vector<std::string> types;
  std::vector<std::string> lengths;
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      std::size_t count;
      {
        std::lock_guard lock(mutex);
        bodies.push_back(request.body());
        types.emplace_back(request["content-type"]);
        lengths.emplace_back(request["content-length"]);
        count = bodies.size();
      }
      if (count == 1) {
        side.respond(503, R"({"error":{"message":"overloaded"}})", {{"Retry-After", "0"}});
      } else {
        side.respond(200, R"({"id":"file-1"})");
      }
    }
  });
  auto client = make_client();
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/v1/files");
  request.multipart = purpose_and_file(dir.file("batch.jsonl"));
  request.retry.max_attempts = 3;
  request.retry.initial_backoff = 10ms;
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(http_client_stats(*client).retries, 1u);

  std::lock_guard lock(mutex);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(types[0], types[1]);
  FramedFile framing(boundary_from(types[1]));
  std::string expected = framing.prefix + file_slice(0, kFileSize) + framing.suffix;
  EXPECT_TRUE(bodies[0] == expected) << "first body: " << bodies[0].size() << " bytes";
  EXPECT_TRUE(bodies[1] == expected) << "second body: " << bodies[1].size() << " bytes";
  EXPECT_EQ(lengths[0], std::to_string(expected.size()));
  EXPECT_EQ(lengths[1], std::to_string(expected.size()));
}

TEST(NetMultipart, MalformedRequestsAreRefusedBeforeSending) {
  std::atomic<int> requests{0};
  ScriptServer server([&](ServerSide& side, int) {
    ServerRequest request;
    while (side.read(request)) {
      ++requests;
      side.respond(200, "{}");
    }
  });
  auto client = make_client();
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/v1/files");
  request.multipart.resize(1);
  request.multipart[0].name = "file\"; filename=\"evil";
  request.multipart[0].body = "x";
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("multipart part name"), std::string::npos) << status.message();

  request.multipart[0].name = "file";
  request.body = "{}";
  status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("one of body, body_file, body_producer, multipart"), std::string::npos)
      << status.message();

  request.body.clear();
  request.body_producer = [](std::string&) { return Status::ok(); };
  EXPECT_TRUE(client->send(request, response).is_fatal());

  request.body_producer = nullptr;
  request.multipart[0].body.clear();
  request.multipart[0].body_file = "/nonexistent/batch.jsonl";
  status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("/nonexistent/batch.jsonl"), std::string::npos) << status.message();
  EXPECT_EQ(requests.load(), 0);
  EXPECT_EQ(server.connections(), 0);
}

}  // namespace
}  // namespace pipehost::net
