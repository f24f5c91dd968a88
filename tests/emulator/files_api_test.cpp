// Gemini Files API through real HTTPS: chunked resumable upload, the query command, resuming
// after a dropped connection, offsets, get/list/delete, downloads and Range.
#include <filesystem>

#include "gemini_client.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

std::string bytes_of(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7) % 26);
  return bytes;
}

std::string disk_copy(const EmulatorProcess& emulator, const std::string& file_name) {
  return read_file(std::filesystem::path(emulator.state_dir()) / "files" / (file_name.substr(6) + ".bin"));
}

TEST(EmulatorFiles, ChunkedUploadWithQueryKeepsExactBytesOnDisk) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string content = bytes_of(300000);
  std::string path = gemini.start_upload(content.size());

  HttpReply query = gemini.upload_chunk(path, "", 0, "query");
  EXPECT_EQ(query.header("x-goog-upload-status"), "active");
  EXPECT_EQ(query.header("x-goog-upload-size-received"), "0");

  HttpReply first = gemini.upload_chunk(path, content.substr(0, 100000), 0, "upload");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("x-goog-upload-status"), "active");
  query = gemini.upload_chunk(path, "", 0, "query");
  EXPECT_EQ(query.header("x-goog-upload-size-received"), "100000");

  HttpReply last = gemini.upload_chunk(path, content.substr(100000), 100000, "upload, finalize");
  ASSERT_EQ(last.status, 200u) << last.body;
  EXPECT_EQ(last.header("x-goog-upload-status"), "final");
  json::object file = parse_json(last.body).at("file").as_object();
  EXPECT_EQ(str(file.at("sizeBytes")), "300000");
  EXPECT_EQ(str(file.at("state")), "ACTIVE");
  EXPECT_EQ(str(file.at("source")), "UPLOADED");
  std::string name = str(file.at("name"));
  EXPECT_EQ(disk_copy(emulator, name), content);

  query = gemini.upload_chunk(path, "", 0, "query");
  EXPECT_EQ(query.header("x-goog-upload-status"), "final");
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("uploaded_bytes").as_int64(), 300000);
}

TEST(EmulatorFiles, ResumesAfterADroppedUploadConnection) {
  EmulatorProcess emulator({.faults = "drop_upload=1"});
  GeminiCalls gemini(emulator);
  std::string content = bytes_of(200000);
  std::string path = gemini.start_upload(content.size());
  EXPECT_ANY_THROW(gemini.upload_chunk(path, content, 0, "upload, finalize")) << "the connection must drop";

  HttpReply query = gemini.upload_chunk(path, "", 0, "query");
  ASSERT_EQ(query.status, 200u);
  EXPECT_EQ(query.header("x-goog-upload-status"), "active");
  std::size_t received = std::stoul(query.header("x-goog-upload-size-received"));
  EXPECT_EQ(received, 100000u) << "about half of the chunk was persisted before the drop";

  HttpReply rest = gemini.upload_chunk(path, content.substr(received), received, "upload, finalize");
  ASSERT_EQ(rest.status, 200u) << rest.body;
  EXPECT_EQ(rest.header("x-goog-upload-status"), "final");
  std::string name = str(parse_json(rest.body).at("file").at("name"));
  EXPECT_EQ(disk_copy(emulator, name), content);
  EXPECT_EQ(parse_json(emulator.stats_json()).at("faults_injected").at("drop_upload").as_int64(), 1);
}

TEST(EmulatorFiles, ResendingFromAnEarlierOffsetOverwritesAndOffsetsBeyondAreRejected) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string content = bytes_of(1000);
  std::string path = gemini.start_upload(content.size());
  ASSERT_EQ(gemini.upload_chunk(path, content.substr(0, 600), 0, "upload").status, 200u);
  HttpReply beyond = gemini.upload_chunk(path, content.substr(800), 800, "upload, finalize");
  EXPECT_EQ(beyond.status, 400u);
  EXPECT_EQ(str(parse_json(beyond.body).at("error").at("status")), "INVALID_ARGUMENT");
  HttpReply rest = gemini.upload_chunk(path, content.substr(500), 500, "upload, finalize");
  ASSERT_EQ(rest.status, 200u) << rest.body;
  EXPECT_EQ(disk_copy(emulator, str(parse_json(rest.body).at("file").at("name"))), content);
}

TEST(EmulatorFiles, FinalizeWithWrongSizeIsRejected) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string path = gemini.start_upload(10);
  HttpReply reply = gemini.upload_chunk(path, "12345", 0, "upload, finalize");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.body.find("declared 10"), std::string::npos) << reply.body;
}

TEST(EmulatorFiles, GetListPagingDeleteAndDownloadRoutes) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) names.push_back(gemini.upload("content " + std::to_string(i) + "\n"));

  HttpReply got = gemini.call("GET", "/v1beta/" + names[1]);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(str(parse_json(got.body).at("name")), names[1]);
  EXPECT_EQ(str(parse_json(got.body).at("sizeBytes")), "10");

  std::vector<std::string> listed;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    HttpReply reply =
        gemini.call("GET", "/v1beta/files?pageSize=2" + (token.empty() ? "" : "&pageToken=" + token));
    ASSERT_EQ(reply.status, 200u);
    json::object body = parse_json(reply.body).as_object();
    for (const auto& file : body.at("files").as_array()) listed.push_back(str(file.at("name")));
    if (!body.contains("nextPageToken")) break;
    token = str(body.at("nextPageToken"));
  }
  EXPECT_EQ(listed, names);

  for (std::string prefix : {"/download/v1beta/", "/v1beta/", "/v1/"}) {
    HttpReply download = gemini.call("GET", prefix + names[2] + ":download?alt=media");
    ASSERT_EQ(download.status, 200u) << prefix;
    EXPECT_EQ(download.body, "content 2\n");
  }
  HttpReply range =
      gemini.call("GET", "/v1beta/" + names[2] + ":download?alt=media", "", {{"Range", "bytes=8-"}});
  EXPECT_EQ(range.status, 206u);
  EXPECT_EQ(range.body, "2\n");
  EXPECT_EQ(range.header("content-range"), "bytes 8-9/10");

  EXPECT_EQ(gemini.call("DELETE", "/v1beta/" + names[0]).status, 200u);
  EXPECT_EQ(gemini.call("GET", "/v1beta/" + names[0]).status, 404u);
  EXPECT_EQ(gemini.call("DELETE", "/v1beta/" + names[0]).status, 404u);
  EXPECT_EQ(disk_copy(emulator, names[0]), "content 0\n") << "bytes stay on disk for inspection";
}

TEST(EmulatorFiles, UnknownUploadIdIsNotFound) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  HttpReply reply = gemini.upload_chunk("/upload/v1beta/files?upload_id=nope", "x", 0, "upload, finalize");
  EXPECT_EQ(reply.status, 404u);
}

}  // namespace
}  // namespace pipehost::test
