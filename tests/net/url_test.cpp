#include "net/url.hpp"

#include <gtest/gtest.h>

namespace pipehost::net {
namespace {

TEST(NetUrl, ParsesHttpsWithDefaultPort) {
  Url url;
  ASSERT_TRUE(parse_url("https://Generativelanguage.googleapis.com/v1beta/batches?pageSize=10", url).is_ok());
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "generativelanguage.googleapis.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.target, "/v1beta/batches?pageSize=10");
  EXPECT_TRUE(url.tls());
  EXPECT_EQ(url.host_header(), "generativelanguage.googleapis.com");
  EXPECT_EQ(url.authority(), "generativelanguage.googleapis.com:443");
}

TEST(NetUrl, ParsesExplicitPortEmptyPathAndFragment) {
  Url url;
  ASSERT_TRUE(parse_url("http://127.0.0.1:8080", url).is_ok());
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.target, "/");
  EXPECT_EQ(url.host_header(), "127.0.0.1:8080");
  ASSERT_TRUE(parse_url("http://h/p#frag", url).is_ok());
  EXPECT_EQ(url.target, "/p");
  ASSERT_TRUE(parse_url("http://h?x=1", url).is_ok());
  EXPECT_EQ(url.target, "/?x=1");
}

TEST(NetUrl, ParsesIpv6Literal) {
  Url url;
  ASSERT_TRUE(parse_url("https://[::1]:9443/x", url).is_ok());
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9443);
  EXPECT_EQ(url.authority(), "[::1]:9443");
  EXPECT_EQ(url.str(), "https://[::1]:9443/x");
}

TEST(NetUrl, RejectsBadUrls) {
  Url url;
  EXPECT_TRUE(parse_url("ftp://h/x", url).is_fatal());
  EXPECT_TRUE(parse_url("h/x", url).is_fatal());
  EXPECT_TRUE(parse_url("http:///x", url).is_fatal());
  EXPECT_TRUE(parse_url("http://h:0/", url).is_fatal());
  EXPECT_TRUE(parse_url("http://h:70000/", url).is_fatal());
  EXPECT_TRUE(parse_url("http://h:12ab/", url).is_fatal());
  EXPECT_TRUE(parse_url("http://[::1/", url).is_fatal());
  EXPECT_TRUE(parse_url("http://h/a b", url).is_fatal());
  EXPECT_TRUE(parse_url("http://h/a\r\nX-Evil: 1", url).is_fatal());
}

TEST(NetUrl, RefusesUserinfoAndKeepsItOutOfTheMessage) {
  Url url;
  Status status = parse_url("https://user:hunter2secret@h/x", url);
  ASSERT_TRUE(status.is_fatal());
  EXPECT_EQ(status.message().find("hunter2secret"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("credentials"), std::string::npos) << status.message();
}

TEST(NetUrl, ResolvesLocations) {
  Url base;
  ASSERT_TRUE(parse_url("https://a.example:8443/v1/files/x?alt=media", base).is_ok());
  Url out;
  ASSERT_TRUE(resolve_location(base, "/download/y", out).is_ok());
  EXPECT_EQ(out.str(), "https://a.example:8443/download/y");
  ASSERT_TRUE(resolve_location(base, "z?q=1", out).is_ok());
  EXPECT_EQ(out.str(), "https://a.example:8443/v1/files/z?q=1");
  ASSERT_TRUE(resolve_location(base, "//b.example/p", out).is_ok());
  EXPECT_EQ(out.str(), "https://b.example/p");
  ASSERT_TRUE(resolve_location(base, "http://c.example/", out).is_ok());
  EXPECT_EQ(out.str(), "http://c.example/");
  EXPECT_FALSE(resolve_location(base, "", out).is_ok());
}

TEST(NetUrl, KnowsLoopback) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.3.4.5"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("example.com"));
  EXPECT_FALSE(is_loopback_host("localhost.example.com"));
}

TEST(NetUrl, RedactsSecretQueryParameters) {
  EXPECT_EQ(redact_url("https://h/v1/x?key=SECRET&pageSize=10"), "https://h/v1/x?key=REDACTED&pageSize=10");
  EXPECT_EQ(redact_url("https://h/x?a=1&API_KEY=s&access_token=t#f"),
            "https://h/x?a=1&API_KEY=REDACTED&access_token=REDACTED#f");
  EXPECT_EQ(redact_url("https://h/x"), "https://h/x");
  EXPECT_EQ(redact_url("https://u:pw@h/x?key=k"), "https://[REDACTED]@h/x?key=REDACTED");
  EXPECT_EQ(redact_url("https://h/x?keyboard=1"), "https://h/x?keyboard=1");
}

}  // namespace
}  // namespace pipehost::net
