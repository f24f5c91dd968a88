// Waiting is bounded: a provider whose service cannot be reached (a host name that does not resolve,
// a closed port) stops the run after run.give_up_after_s with exit 3 and a message that names the
// endpoint, even while the HTTP client is sleeping before its next retry; the next run resumes. Plain
// http:// to a host that is not loopback is refused unless the section allows it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

/// A loopback port nothing listens on (bound, then closed).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class BoundedWaitTest : public PipelineTest {
 protected:
  /// `pipehost run` with the provider pointed at `base_url` and more overrides; how long it took.
  ProcessResult run_against(const std::string& base_url, std::vector<std::string> extra, double& took) {
    std::vector<std::string> args = {"run", "--set", "provider.base_url=" + base_url, "--set",
                                     "run.give_up_after_s=2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto start = std::chrono::steady_clock::now();
    auto r = pipehost(args);
    took = seconds_since(start);
    return r;
  }

  void expect_gave_up(const ProcessResult& r, const std::string& endpoint, double took) {
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_GE(took, 2.0);
    EXPECT_LT(took, 20.0) << "the run must stop soon after give_up_after_s";
    EXPECT_NE(r.err.find("/provider (gemini-batch): gave up after"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("without a successful call to " + endpoint), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("last error: "), std::string::npos) << r.err;
    EXPECT_TRUE(r.err.ends_with("run again to resume\n")) << r.err;
  }
};

TEST_F(BoundedWaitTest, UnresolvableHostGivesUpAfterGiveUpAfterSAndTheNextRunResumes) {
  start(20, "");
  double took = 0;
  auto r = run_against("https://pipehost-test.invalid", {}, took);
  expect_gave_up(r, "https://pipehost-test.invalid", took);
  EXPECT_NE(r.err.find("cannot resolve"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(output_path()));

  auto resumed = pipehost({"run"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(expect_complete_output(), 20u);
  expect_no_double_creates();
}

TEST_F(BoundedWaitTest, ClosedPortGivesUpEvenWhileTheClientSleepsBeforeItsNextRetry) {
  // retry_backoff_s=30: the client's own waits between attempts are up to 30 s, and more attempts
  // than the bound allows; the run must still end about give_up_after_s after the first failure.
  start(20, "");
  int port = closed_port();
  std::string endpoint = "https://127.0.0.1:" + std::to_string(port);
  double took = 0;
  auto r = run_against(endpoint,
                       {"--set", "provider.retry_backoff_s=30", "--set", "provider.http_attempts=20"}, took);
  expect_gave_up(r, endpoint, took);
  EXPECT_LT(took, 12.0) << "the client's retry sleep was not interrupted";
  EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

TEST_F(BoundedWaitTest, GiveUpAfterSIsValidated) {
  start(5, "");
  for (const std::string bad : {"0", "-1", "\"soon\"", "1e9"}) {
    auto r = pipehost({"run", "--set", "run.give_up_after_s=" + bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ":\n" << r.err;
    EXPECT_NE(r.err.find("/run/give_up_after_s: "), std::string::npos) << r.err;
  }
}

TEST_F(BoundedWaitTest, PlainHttpToARemoteHostIsRefusedUnlessTheSectionAllowsIt) {
  // 203.0.113.0/24 is TEST-NET-3: nothing answers there, and nothing should be tried.
  start(5, "");
  double took = 0;
  // A bad config (exit 2), found before anything is read or sent; the HTTP client's own refusal
  // (PluginServicesTest) stays behind it for URLs a plugin puts together itself.
  auto refused = run_against("http://203.0.113.7:9", {}, took);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_LT(took, 10.0);
  EXPECT_NE(
      refused.err.find("/provider/base_url: plain http:// to 203.0.113.7, which is not a loopback address"),
      std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("set \"allow_insecure_http\": true in /provider"), std::string::npos)
      << refused.err;
  EXPECT_EQ(stats().at("batches_created").as_int64(), 0);
  auto validated = pipehost({"validate", "--set", "provider.base_url=http://203.0.113.7:9"});
  EXPECT_EQ(validated.exit_code, 2) << validated.err;
  EXPECT_NE(validated.err.find("/provider/base_url: plain http://"), std::string::npos) << validated.err;
  EXPECT_EQ(pipehost({"validate", "--set", "provider.base_url=http://127.0.0.1:9"}).exit_code, 0)
      << "loopback is never refused";

  auto allowed = run_against(
      "http://203.0.113.7:9",
      {"--set", "provider.allow_insecure_http=true", "--set", "provider.connect_timeout_s=0.5"}, took);
  // Sent: nothing answers there (or an intercepting proxy does), so the run still fails, differently.
  EXPECT_NE(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(allowed.err.find("refusing plain http://"), std::string::npos) << allowed.err;

  auto wrong_type = pipehost({"run", "--set", "provider.allow_insecure_http=\"yes\""});
  EXPECT_EQ(wrong_type.exit_code, 2) << wrong_type.err;
  EXPECT_NE(wrong_type.err.find("/provider/allow_insecure_http: expected boolean"), std::string::npos)
      << wrong_type.err;
}

}  // namespace
}  // namespace pipehost::test
