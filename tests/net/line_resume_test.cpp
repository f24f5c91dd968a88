// The pieces of resuming a line download that need no server: Content-Range and Range parsing, how
// far delivered lines reach, and what an answer to a resumed request may be.
#include "net/line_resume.hpp"

#include <gtest/gtest.h>

#include "net/line_splitter.hpp"

namespace pipehost::net {
namespace {

TEST(LineResume, ParsesContentRange) {
  auto full = parse_content_range("bytes 100-199/1000");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->first, 100u);
  EXPECT_EQ(full->last, 199u);
  EXPECT_EQ(full->total, 1000u);
  auto unknown_total = parse_content_range("Bytes 5-9/*");
  ASSERT_TRUE(unknown_total);
  EXPECT_EQ(unknown_total->first, 5u);
  EXPECT_FALSE(unknown_total->total);
  auto unsatisfied = parse_content_range("bytes */42");
  ASSERT_TRUE(unsatisfied);
  EXPECT_FALSE(unsatisfied->first);
  EXPECT_EQ(unsatisfied->total, 42u);
  for (const char* bad : {"", "bytes", "bytes 1-2", "bytes 9-1/10", "bytes 1-10/10", "items 1-2/3",
                          "bytes */*", "bytes -1/3", "bytes 1-x/3"}) {
    EXPECT_FALSE(parse_content_range(bad)) << bad;
  }
}

TEST(LineResume, ParsesOpenRange) {
  EXPECT_EQ(parse_open_range("bytes=0-"), 0u);
  EXPECT_EQ(parse_open_range(" bytes=1234- "), 1234u);
  for (const char* bad : {"bytes=1-2", "bytes=-5", "bytes=1-,5-", "bytes=", "items=1-"}) {
    EXPECT_FALSE(parse_open_range(bad)) << bad;
  }
}

TEST(LineResume, SplitterCountsBytesUpToTheLastNewline) {
  LineSplitter splitter([](std::string_view) { return Status::ok(); });
  ASSERT_TRUE(splitter.feed("ab\r\ncd").is_ok());
  EXPECT_EQ(splitter.consumed(), 4u);
  ASSERT_TRUE(splitter.feed("e\nf").is_ok());
  EXPECT_EQ(splitter.consumed(), 8u);  // "ab\r\ncde\n"
  ASSERT_TRUE(splitter.feed("\n\n").is_ok());
  EXPECT_EQ(splitter.consumed(), 11u);
  EXPECT_EQ(splitter.lines(), 4u);
}

HttpRequest line_request() {
  HttpRequest request;
  request.on_response_line = [](std::string_view) { return Status::ok(); };
  request.resume_lines = true;
  return request;
}

HttpResponse answer(int status, std::vector<HttpHeader> headers) {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  return response;
}

TEST(LineResume, RequestMustStreamLinesAndRangesMustBeOpenEnded) {
  LineResume resume;
  HttpRequest request;
  request.resume_lines = true;
  EXPECT_TRUE(resume.prepare(request).is_fatal());
  request = line_request();
  EXPECT_TRUE(resume.prepare(request).is_ok());
  request.headers = {{"range", "bytes=0-99"}};
  EXPECT_TRUE(resume.prepare(request).is_fatal());
  request.headers = {{"Range", "bytes=50-"}};
  EXPECT_TRUE(resume.prepare(request).is_ok());
}

TEST(LineResume, AnswersToAResumedRequest) {
  LineResume resume;
  ASSERT_TRUE(resume.prepare(line_request()).is_ok());
  EXPECT_FALSE(resume.started());
  auto plan = resume.fresh(answer(200, {{"Content-Length", "1000"}, {"ETag", "\"v1\""}}));
  EXPECT_TRUE(plan.lines);
  EXPECT_EQ(plan.base, 0u);
  EXPECT_TRUE(resume.started());
  EXPECT_FALSE(resume.resuming());
  resume.advance(300);
  ASSERT_TRUE(resume.resuming());
  EXPECT_EQ(resume.range(), "bytes=300-");

  LineResume::Plan next;
  ASSERT_TRUE(resume.resumed(answer(206, {{"Content-Range", "bytes 300-999/1000"}}), next).is_ok());
  EXPECT_TRUE(next.lines);
  EXPECT_EQ(next.skip, 0u);
  EXPECT_EQ(next.base, 300u);
  ASSERT_TRUE(resume.resumed(answer(200, {{"Content-Length", "1000"}}), next).is_ok());
  EXPECT_TRUE(next.lines);
  EXPECT_EQ(next.skip, 300u);
  ASSERT_TRUE(resume.resumed(answer(503, {}), next).is_ok());
  EXPECT_FALSE(next.lines);  // stays in memory; the retry loop asks again

  EXPECT_TRUE(resume.resumed(answer(206, {{"Content-Range", "bytes 0-999/1000"}}), next).is_fatal());
  EXPECT_TRUE(resume.resumed(answer(206, {}), next).is_fatal());
  EXPECT_TRUE(resume.resumed(answer(206, {{"Content-Range", "bytes 300-899/900"}}), next).is_fatal());
  EXPECT_TRUE(resume.resumed(answer(200, {{"Content-Length", "999"}}), next).is_fatal());
  EXPECT_TRUE(resume.resumed(answer(206, {{"Content-Range", "bytes 300-999/1000"}, {"ETag", "\"v2\""}}), next)
                  .is_fatal());
  Status unsatisfiable = resume.resumed(answer(416, {{"Content-Range", "bytes */200"}}), next);
  EXPECT_TRUE(unsatisfiable.is_fatal());
  EXPECT_NE(unsatisfiable.message().find("416"), std::string::npos) << unsatisfiable.message();
  EXPECT_TRUE(resume.resumed(answer(404, {}), next).is_fatal());
}

TEST(LineResume, CallersOwnRangeSetsTheOrigin) {
  LineResume resume;
  HttpRequest request = line_request();
  request.headers = {{"Range", "bytes=500-"}};
  ASSERT_TRUE(resume.prepare(request).is_ok());
  auto plan = resume.fresh(answer(206, {{"Content-Range", "bytes 500-999/1000"}}));
  EXPECT_EQ(plan.base, 500u);
  EXPECT_EQ(resume.origin(), 500u);
  EXPECT_TRUE(resume.resuming());  // even before a line: the next attempt must ask for bytes=500-
  EXPECT_EQ(resume.range(), "bytes=500-");
}

}  // namespace
}  // namespace pipehost::net
