// The HTTP client against the real emulator binary over verified TLS: certificates, keep-alive,
// streaming upload of a file range, a multipart upload to OpenAI's files route, download to a file
// and to lines (resumed by Range after drops), injected truncation / drops / 5xx, and secret
// hygiene.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "net/http_client.hpp"
#include "test_host.hpp"

namespace pipehost::net {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "test-gemini-key";

struct Logs {
  std::mutex mutex;
  std::string text;
  HttpEnvironment environment() {
    HttpEnvironment env;
    env.log = [this](LogLevel, std::string_view line) {
      std::lock_guard lock(mutex);
      text += std::string(line) + "\n";
    };
    return env;
  }
};

std::shared_ptr<HttpClient> client_for(const test::EmulatorProcess& emulator, Logs& logs, bool trust = true) {
  HttpClientOptions options;
  if (trust) options.ca_file = emulator.ca_file();
  Status status;
  auto client = make_http_client(options, logs.environment(), status);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return client;
}

HttpRequest api_request(const test::EmulatorProcess& emulator, std::string method,
                        const std::string& target) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = emulator.base_url() + target;
  request.headers = {{"x-goog-api-key", kKey}, {"Content-Type", "application/json"}};
  request.io_timeout = 20s;
  return request;
}

std::string jsonl(int rows) {
  std::string out;
  for (int i = 0; i < rows; ++i) {
    out += R"({"key":"k)" + std::to_string(i) + R"(","request":{"contents":[{"parts":[{"text":"row )" +
           std::to_string(i) + R"("}],"role":"user"}]}})" + "\n";
  }
  return out;
}

/// Uploads `path[offset, offset+length)` in one resumable upload; returns the file name.
std::string upload(HttpClient& client, const test::EmulatorProcess& emulator, const std::string& path,
                   std::uint64_t offset, std::uint64_t length) {
  HttpRequest start = api_request(emulator, "POST", "/upload/v1beta/files");
  start.headers.push_back({"X-Goog-Upload-Protocol", "resumable"});
  start.headers.push_back({"X-Goog-Upload-Command", "start"});
  start.headers.push_back({"X-Goog-Upload-Header-Content-Length", std::to_string(length)});
  start.body = R"({"file":{"displayName":"net-test"}})";
  HttpResponse response;
  Status status = client.send(start, response);
  EXPECT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200) << response.body;
  std::string upload_url = response.header("x-goog-upload-url");
  EXPECT_FALSE(upload_url.empty());

  HttpRequest chunk = api_request(emulator, "POST", "");
  chunk.url = upload_url;
  chunk.headers.push_back({"X-Goog-Upload-Command", "upload, finalize"});
  chunk.headers.push_back({"X-Goog-Upload-Offset", "0"});
  chunk.body_file = path;
  chunk.body_file_offset = offset;
  chunk.body_file_length = length;
  status = client.send(chunk, response);
  EXPECT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("x-goog-upload-status"), "final");
  auto at = response.body.find("\"name\":\"files/");
  EXPECT_NE(at, std::string::npos) << response.body;
  auto begin = at + 8;
  return response.body.substr(begin, response.body.find('"', begin) - begin);
}

std::int64_t stat(const test::EmulatorProcess& emulator, const std::string& name) {
  std::string stats = emulator.stats_json();
  auto at = stats.find("\"" + name + "\":");
  if (at == std::string::npos) return 0;
  return std::stoll(stats.substr(at + name.size() + 3));
}

TEST(NetEmulator, TlsVerifiedWithCaFileAndConnectionsReused) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  for (int i = 0; i < 5; ++i) {
    HttpRequest request = api_request(emulator, "GET", "/v1beta/batches?pageSize=10");
    HttpResponse response;
    Status status = client->send(request, response);
    ASSERT_TRUE(status.is_ok()) << status.message();
    EXPECT_EQ(response.status, 200) << response.body;
  }
  auto stats = http_client_stats(*client);
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 4u);
  EXPECT_EQ(stat(emulator, "key_in_query"), 0);
}

TEST(NetEmulator, CertificateErrorWithoutCaFile) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs, /*trust=*/false);
  HttpRequest request = api_request(emulator, "GET", "/v1beta/batches");
  HttpResponse response;
  Status status = client->send(request, response);
  ASSERT_TRUE(status.is_fatal()) << status.message();
  EXPECT_NE(status.message().find("certificate verification failed"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("ca_file"), std::string::npos) << status.message();
}

TEST(NetEmulator, UploadsAFileRangeAndDownloadsItToAFileAndToLines) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  test::TempDir dir;
  std::string prefix = "this prefix is not part of the upload\n";
  std::string content = jsonl(3000);
  test::write_file(dir.file("in.jsonl"), prefix + content + "and neither is this suffix");
  std::string file = upload(*client, emulator, dir.file("in.jsonl"), prefix.size(), content.size());
  EXPECT_EQ(stat(emulator, "uploaded_bytes"), static_cast<std::int64_t>(content.size()));

  HttpRequest download = api_request(emulator, "GET", "/download/v1beta/" + file + ":download?alt=media");
  download.response_file = dir.file("out.jsonl");
  HttpResponse response;
  Status status = client->send(download, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(test::read_file(dir.file("out.jsonl")) == content);

  std::vector<std::string> lines;
  download.response_file.clear();
  download.on_response_line = [&](std::string_view line) {
    lines.emplace_back(line);
    return Status::ok();
  };
  status = client->send(download, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  ASSERT_EQ(lines.size(), 3000u);
  EXPECT_EQ(lines[0] + "\n", jsonl(1));
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.body_bytes, content.size());
}

TEST(NetEmulator, TruncatedDownloadIsDetected) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  test::TempDir dir;
  std::string content = jsonl(2000);
  test::write_file(dir.file("in.jsonl"), content);
  std::string file = upload(*client, emulator, dir.file("in.jsonl"), 0, content.size());

  emulator.set_faults("truncate_download=1");
  std::uint64_t lines = 0;
  HttpRequest download = api_request(emulator, "GET", "/download/v1beta/" + file + ":download?alt=media");
  download.on_response_line = [&](std::string_view) {
    ++lines;
    return Status::ok();
  };
  HttpResponse response;
  Status status = client->send(download, response);
  ASSERT_TRUE(status.is_retry()) << "a truncated body must not pass as complete: " << status.message();
  EXPECT_NE(status.message().find("truncated"), std::string::npos) << status.message();
  EXPECT_LT(lines, 2000u);
}

TEST(NetEmulator, DroppedDownloadToFileIsRetried) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  test::TempDir dir;
  std::string content = jsonl(4000);
  test::write_file(dir.file("in.jsonl"), content);
  std::string file = upload(*client, emulator, dir.file("in.jsonl"), 0, content.size());

  emulator.set_faults("drop_download=1");
  HttpRequest download = api_request(emulator, "GET", "/download/v1beta/" + file + ":download?alt=media");
  download.response_file = dir.file("out.jsonl");
  download.retry.max_attempts = 3;
  download.retry.initial_backoff = 10ms;
  HttpResponse response;
  Status status = client->send(download, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_TRUE(test::read_file(dir.file("out.jsonl")) == content);
  EXPECT_EQ(http_client_stats(*client).retries, 1u);
  EXPECT_NE(emulator.stats_json().find("\"drop_download\":1"), std::string::npos) << emulator.stats_json();
}

TEST(NetEmulator, LineDownloadResumesByRangeAfterDrops) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  test::TempDir dir;
  std::string content = jsonl(4000);
  test::write_file(dir.file("in.jsonl"), content);
  std::string file = upload(*client, emulator, dir.file("in.jsonl"), 0, content.size());

  // Each drop resets the connection about halfway through what was asked for.
  emulator.set_faults("drop_download=3");
  std::string received;
  std::uint64_t lines = 0;
  HttpRequest download = api_request(emulator, "GET", "/download/v1beta/" + file + ":download?alt=media");
  download.resume_lines = true;
  download.retry.max_attempts = 4;
  download.retry.initial_backoff = 10ms;
  download.on_response_line = [&](std::string_view line) {
    received.append(line).append("\n");
    ++lines;
    return Status::ok();
  };
  HttpResponse response;
  Status status = client->send(download, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(lines, 4000u);
  EXPECT_TRUE(received == content) << "every line once, in order, none cut";
  EXPECT_EQ(response.status, 206);
  EXPECT_EQ(response.body_bytes, content.size());
  EXPECT_EQ(http_client_stats(*client).line_resumes, 3u);
  EXPECT_NE(emulator.stats_json().find("\"drop_download\":3"), std::string::npos) << emulator.stats_json();
}

TEST(NetEmulator, MultipartUploadToOpenAiFilesIsResentWholeAfterADrop) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  test::TempDir dir;
  std::string content = jsonl(5000);
  test::write_file(dir.file("batch.jsonl"), content);

  // The emulator resets the first upload after about half its body and keeps no file.
  emulator.set_faults("drop_upload=1");
  HttpRequest upload;
  upload.method = "POST";
  upload.url = emulator.base_url() + "/v1/files";
  upload.headers = {{"Authorization", "Bearer test-openai-key"}};
  upload.io_timeout = 20s;
  upload.retry.max_attempts = 3;
  upload.retry.initial_backoff = 10ms;
  upload.multipart.resize(2);
  upload.multipart[0].name = "purpose";
  upload.multipart[0].body = "batch";
  upload.multipart[1].name = "file";
  upload.multipart[1].filename = "batch.jsonl";
  upload.multipart[1].content_type = "application/jsonl";
  upload.multipart[1].body_file = dir.file("batch.jsonl");
  HttpResponse response;
  Status status = client->send(upload, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.body.find("\"bytes\":" + std::to_string(content.size())), std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find("\"filename\":\"batch.jsonl\""), std::string::npos) << response.body;
  EXPECT_EQ(http_client_stats(*client).retries, 1u);
  auto at = response.body.find("\"id\":\"");
  ASSERT_NE(at, std::string::npos) << response.body;
  std::string id = response.body.substr(at + 6, response.body.find('"', at + 6) - at - 6);

  HttpRequest fetch;
  fetch.url = emulator.base_url() + "/v1/files/" + id + "/content";
  fetch.headers = {{"Authorization", "Bearer test-openai-key"}};
  status = client->send(fetch, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body == content)
      << "stored " << response.body.size() << " of " << content.size() << " bytes";

  fetch.url = emulator.base_url() + "/v1/files?purpose=batch";
  status = client->send(fetch, response);
  ASSERT_TRUE(status.is_ok()) << status.message();
  std::size_t files = 0;
  for (auto pos = response.body.find("\"object\":\"file\""); pos != std::string::npos;
       pos = response.body.find("\"object\":\"file\"", pos + 1)) {
    ++files;
  }
  EXPECT_EQ(files, 1u) << response.body;
}

TEST(NetEmulator, ServerErrorsAreRetriedWithBackoff) {
  test::EmulatorOptions options;
  options.faults = "http_5xx=0.5";
  options.seed = 7;
  test::EmulatorProcess emulator(options);
  Logs logs;
  auto client = client_for(emulator, logs);
  int ok = 0;
  for (int i = 0; i < 10; ++i) {
    HttpRequest request = api_request(emulator, "GET", "/v1beta/batches");
    request.retry.max_attempts = 12;
    request.retry.initial_backoff = 5ms;
    request.retry.max_backoff = 20ms;
    HttpResponse response;
    Status status = client->send(request, response);
    ASSERT_TRUE(status.is_ok()) << status.message();
    if (response.status == 200) ++ok;
  }
  EXPECT_EQ(ok, 10);
  EXPECT_GT(http_client_stats(*client).retries, 0u);
  EXPECT_NE(logs.text.find("retrying"), std::string::npos);
}

TEST(NetEmulator, KeyNeverInErrorsOrLogs) {
  test::EmulatorProcess emulator;
  Logs logs;
  auto client = client_for(emulator, logs);
  emulator.set_faults("http_5xx=1");
  HttpRequest request = api_request(emulator, "GET", "/v1beta/batches");
  request.retry.max_attempts = 2;
  request.retry.initial_backoff = 5ms;
  HttpResponse response;
  ASSERT_TRUE(client->send(request, response).is_ok());
  EXPECT_GE(response.status, 500);

  // A transport failure (the certificate is not trusted by this client).
  auto untrusting = client_for(emulator, logs, false);
  Status failed = untrusting->send(request, response);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_FALSE(logs.text.empty());
  EXPECT_EQ(logs.text.find(kKey), std::string::npos) << logs.text;
  EXPECT_EQ(failed.message().find(kKey), std::string::npos) << failed.message();
  EXPECT_EQ(stat(emulator, "key_in_query"), 0);
}

}  // namespace
}  // namespace pipehost::net
