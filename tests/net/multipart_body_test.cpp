// The multipart/form-data body on its own: exact bytes per RFC 7578, the length announced up front,
// the boundary kept out of in-memory parts, names that could break the headers refused, replays.
#include "net/multipart_body.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace pipehost::net {
namespace {

/// Every byte the source hands out; the size of each piece in `sizes` when given.
std::string drain(BodySource& body, std::vector<std::size_t>* sizes = nullptr) {
  std::string out;
  while (true) {
    std::string_view piece;
    Status status = body.next(piece);
    EXPECT_TRUE(status.is_ok()) << status.message();
    if (!status.is_ok() || piece.empty()) return out;
    if (sizes) sizes->push_back(piece.size());
    out.append(piece);
  }
}

std::string boundary_of(const BodySource& body) {
  std::string type = body.content_type();
  const std::string prefix = "multipart/form-data; boundary=";
  EXPECT_EQ(type.rfind(prefix, 0), 0u) << type;
  return type.substr(prefix.size());
}

TEST(MultipartBody, ExactBytesWithAFieldAndAFile) {
  test::TempDir dir;
  std::string content = "{\"a\":1}\n{\"a\":2}\n";
  test::write_file(dir.file("in.jsonl"), content);
  std::vector<MultipartPart> parts(2);
  parts[0].name = "purpose";
  parts[0].body = "batch";
  parts[1].name = "file";
  parts[1].filename = "in.jsonl";
  parts[1].body_file = dir.file("in.jsonl");
  std::unique_ptr<BodySource> body;
  ASSERT_TRUE(multipart_body(parts, body).is_ok());
  std::string boundary = boundary_of(*body);
  EXPECT_GE(boundary.size(), 30u);
  EXPECT_LE(boundary.size(), 70u);  // RFC 2046
  std::string expected = "--" + boundary +
                         "\r\n"
                         "Content-Disposition: form-data; name=\"purpose\"\r\n"
                         "\r\n"
                         "batch\r\n"
                         "--" +
                         boundary +
                         "\r\n"
                         "Content-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
                         "Content-Type: application/octet-stream\r\n"
                         "\r\n" +
                         content + "\r\n--" + boundary + "--\r\n";
  EXPECT_EQ(drain(*body), expected);
  ASSERT_TRUE(body->length().has_value());
  EXPECT_EQ(*body->length(), expected.size());

  // A retry sends the same bytes again.
  ASSERT_TRUE(body->replayable());
  ASSERT_TRUE(body->rewind().is_ok());
  EXPECT_EQ(drain(*body), expected);

  // Each body has its own boundary.
  std::unique_ptr<BodySource> other;
  ASSERT_TRUE(multipart_body(parts, other).is_ok());
  EXPECT_NE(boundary_of(*other), boundary);
}

TEST(MultipartBody, ContentTypeGivenAndEmptyParts) {
  std::vector<MultipartPart> parts(2);
  parts[0].name = "meta";
  parts[0].content_type = "application/json";
  parts[0].body = "{}";
  parts[1].name = "empty";
  std::unique_ptr<BodySource> body;
  ASSERT_TRUE(multipart_body(parts, body).is_ok());
  std::string b = boundary_of(*body);
  EXPECT_EQ(drain(*body), "--" + b + "\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: " +
                              "application/json\r\n\r\n{}\r\n--" + b +
                              "\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--" + b +
                              "--\r\n");
}

TEST(MultipartBody, LargeFileIsReadInPiecesAndLargeMemoryBodyIsNotCopied) {
  test::TempDir dir;
  std::string content(3 * 1024 * 1024 + 11, 'x');
  for (std::size_t i = 0; i < content.size(); i += 4099) content[i] = '\n';
  test::write_file(dir.file("big.jsonl"), content);
  std::vector<MultipartPart> parts(2);
  parts[0].name = "file";
  parts[0].filename = "big.jsonl";
  parts[0].body_file = dir.file("big.jsonl");
  parts[1].name = "notes";
  parts[1].body = std::string(200 * 1024, 'n');
  std::unique_ptr<BodySource> body;
  ASSERT_TRUE(multipart_body(parts, body).is_ok());
  std::vector<std::size_t> sizes;
  std::string all = drain(*body, &sizes);
  EXPECT_EQ(all.size(), *body->length());
  EXPECT_NE(all.find(content), std::string::npos);
  EXPECT_NE(all.find(parts[1].body + "\r\n--"), std::string::npos);
  // The file came in read-buffer pieces (256 KiB), the large in-memory body as its own piece.
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 256u * 1024);
  EXPECT_GE(sizes.size(), content.size() / (256 * 1024));
  EXPECT_NE(std::find(sizes.begin(), sizes.end(), parts[1].body.size()), sizes.end());
}

TEST(MultipartBody, BoundaryAvoidsInMemoryText) {
  std::vector<MultipartPart> parts(1);
  parts[0].name = "text";
  parts[0].body = "contains pipehost-AAAA somewhere";
  std::vector<std::string> candidates = {"pipehost-AAAA", "pipehost-BBBB"};
  std::size_t next = 0;
  EXPECT_EQ(pick_boundary(parts, [&] { return candidates[next++]; }), "pipehost-BBBB");
  EXPECT_EQ(next, 2u);
}

TEST(MultipartBody, NamesThatCouldBreakTheHeadersAreRefusedOrEscaped) {
  std::unique_ptr<BodySource> body;
  for (std::string bad : {std::string("a\"b"), std::string("a\r\nX-Injected: 1"), std::string("a\nb"),
                          std::string("a\\b"), std::string("a\0b", 3), std::string()}) {
    std::vector<MultipartPart> parts(1);
    parts[0].name = bad;
    parts[0].body = "x";
    Status status = multipart_body(parts, body);
    EXPECT_TRUE(status.is_fatal()) << "name accepted: " << bad;
  }
  std::vector<MultipartPart> parts(1);
  parts[0].name = "file";
  parts[0].content_type = "text/plain\r\nX-Injected: 1";
  EXPECT_TRUE(multipart_body(parts, body).is_fatal());

  // File names come from paths: escaped as browsers do, never able to end the header.
  parts[0].content_type.clear();
  parts[0].filename = "we\"ird\r\nname.jsonl";
  ASSERT_TRUE(multipart_body(parts, body).is_ok());
  EXPECT_NE(drain(*body).find("filename=\"we%22ird%0D%0Aname.jsonl\"\r\n"), std::string::npos);

  parts[0].body = "x";
  parts[0].body_file = "/nonexistent";
  Status both = multipart_body(parts, body);
  EXPECT_TRUE(both.is_fatal());
  EXPECT_NE(both.message().find("both body and body_file"), std::string::npos) << both.message();
  parts[0].body.clear();
  Status missing = multipart_body(parts, body);
  EXPECT_TRUE(missing.is_fatal());
  EXPECT_NE(missing.message().find("multipart part 'file'"), std::string::npos) << missing.message();
}

}  // namespace
}  // namespace pipehost::net
