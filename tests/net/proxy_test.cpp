#include "net/proxy.hpp"

#include <gtest/gtest.h>

namespace pipehost::net {
namespace {

Url url(const std::string& text) {
  Url out;
  EXPECT_TRUE(parse_url(text, out).is_ok()) << text;
  return out;
}

TEST(NetProxy, PicksProxyBySchemeAndHonoursNoProxy) {
  std::vector<std::string> problems;
  auto settings = ProxySettings::from_values("http://proxy.corp:3128", "proxy2.corp:8080",
                                             " internal.corp, .example.org,10.1.2.3, api.x:8443", problems);
  EXPECT_TRUE(problems.empty());
  auto p = settings.proxy_for(url("https://generativelanguage.googleapis.com/"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authority(), "proxy.corp:3128");
  p = settings.proxy_for(url("http://plain.example.com/"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authority(), "proxy2.corp:8080");

  EXPECT_FALSE(settings.proxy_for(url("https://internal.corp/")));
  EXPECT_FALSE(settings.proxy_for(url("https://a.internal.corp/")));
  EXPECT_TRUE(settings.proxy_for(url("https://notinternal.corp/")));
  EXPECT_FALSE(settings.proxy_for(url("https://example.org/")));
  EXPECT_FALSE(settings.proxy_for(url("https://www.example.org/")));
  EXPECT_FALSE(settings.proxy_for(url("https://10.1.2.3/")));
  EXPECT_FALSE(settings.proxy_for(url("https://api.x:8443/")));
  EXPECT_TRUE(settings.proxy_for(url("https://api.x:443/")));
}

TEST(NetProxy, LoopbackAlwaysDirect) {
  std::vector<std::string> problems;
  auto settings = ProxySettings::from_values("http://proxy:1", "http://proxy:1", "", problems);
  EXPECT_FALSE(settings.proxy_for(url("https://127.0.0.1:9000/")));
  EXPECT_FALSE(settings.proxy_for(url("http://localhost/")));
  EXPECT_FALSE(settings.proxy_for(url("http://[::1]/")));
}

TEST(NetProxy, StarDisablesProxies) {
  std::vector<std::string> problems;
  auto settings = ProxySettings::from_values("http://proxy:1", "", "*", problems);
  EXPECT_FALSE(settings.proxy_for(url("https://example.com/")));
}

TEST(NetProxy, BadProxyValuesAreReportedWithoutCredentials) {
  std::vector<std::string> problems;
  auto settings =
      ProxySettings::from_values("http://user:s3cretpass@proxy:1", "https://proxy:2", "", problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].find("s3cretpass"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("only http://"), std::string::npos) << problems[1];
  EXPECT_FALSE(settings.proxy_for(url("https://example.com/")));
}

}  // namespace
}  // namespace pipehost::net
