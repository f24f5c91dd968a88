// AnthropicBatchProvider against the emulator binary over TLS with verification on (ca_file), through
// the host's real HTTP client (TestHost::http): whole batches with every key shape, restarts, listing,
// cancel, every way a batch or a download can end badly, online calls, and key hygiene.
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "anthropic_batch_provider.hpp"
#include "custom_id.hpp"
#include "emulator_process.hpp"
#include "test_host.hpp"

namespace pipehost::anthropic {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "test-anthropic-key";
const char* const kSchema =
    R"({"type":"object","properties":{"genre":{"type":"string","enum":["rock","pop","jazz"]},)"
    R"("mood":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["genre","mood"]})";

/// Sets ANTHROPIC_API_KEY for the provider (the emulator gets its key through its own environment).
class KeyInEnvironment {
 public:
  explicit KeyInEnvironment(const std::string& value = kKey) {
    setenv("ANTHROPIC_API_KEY", value.c_str(), 1);
  }
  ~KeyInEnvironment() { unsetenv("ANTHROPIC_API_KEY"); }
};

Value parse(const std::string& text) {
  Value value;
  std::string error;
  if (!parse_json(text, value, error)) throw std::runtime_error(error + ": " + text.substr(0, 200));
  return value;
}

std::int64_t anthropic_stat(const test::EmulatorProcess& emulator, const char* name) {
  return parse(emulator.stats_json()).find("anthropic")->find(name)->as_int();
}

std::int64_t route_count(const test::EmulatorProcess& emulator, const char* route) {
  Value stats = parse(emulator.stats_json());
  const Value* routes = stats.find("requests_by_route");
  const Value* n = routes ? routes->find(route) : nullptr;
  return n ? n->as_int() : 0;
}

AnthropicConfig config_for(const test::EmulatorProcess& emulator) {
  AnthropicConfig config;
  config.base_url = emulator.base_url();
  config.ca_file = emulator.ca_file();
  config.retry_backoff_s = 0.01;
  config.io_timeout_s = 20;
  return config;
}

std::unique_ptr<AnthropicBatchProvider> make_provider(test::TestHost& host, AnthropicConfig config,
                                                      bool start = true) {
  StageContext context{host, "{}", "", "/provider"};
  auto provider = std::make_unique<AnthropicBatchProvider>(context, std::move(config));
  if (start) {
    Status started = provider->start();
    EXPECT_TRUE(started) << started.message();
  }
  return provider;
}

std::vector<Request> make_requests(const std::vector<std::string>& keys) {
  auto instruction = std::make_shared<const std::string>("You classify songs. Answer with the tool.\n" +
                                                         std::string(6000, 'x'));
  auto schema = std::make_shared<const std::string>(kSchema);
  std::vector<Request> requests;
  for (const auto& key : keys) {
    Request request;
    request.key = key;
    request.system_instruction = instruction;
    request.user_parts = {"Artist: Band\nSong: " + key};
    request.generation.response_schema_json = schema;
    requests.push_back(std::move(request));
  }
  return requests;
}

std::vector<std::string> numbered(int count, const std::string& prefix = "") {
  std::vector<std::string> keys;
  for (int i = 1; i <= count; ++i) keys.push_back(prefix + std::to_string(i));
  return keys;
}

JobStatus wait_until_done(Provider& provider, const std::string& handle) {
  JobStatus status;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    Status polled = provider.poll(handle, status);
    EXPECT_FALSE(polled.is_fatal()) << polled.message();
    if (polled && is_terminal(status.state)) return status;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "batch " << handle << " did not end";
  return status;
}

std::map<std::string, Response> fetch_all(Provider& provider, const std::string& handle) {
  std::map<std::string, Response> responses;
  Status fetched = provider.fetch(handle, [&](Response&& response) {
    std::string key = response.key;
    EXPECT_TRUE(responses.emplace(key, std::move(response)).second) << "key delivered twice: " << key;
    return Status::ok();
  });
  EXPECT_TRUE(fetched) << fetched.message();
  return responses;
}

std::string submit(Provider& provider, const std::vector<Request>& requests) {
  std::string handle;
  Status submitted = provider.submit("job", requests, handle);
  EXPECT_TRUE(submitted) << submitted.message();
  return handle;
}

TEST(AnthropicProvider, ABatchOfEveryKeyShapeComesBackKeyedByRow) {
  test::EmulatorProcess emulator({.faults = "batch_ms=100"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::vector<std::string> keys = {"1",
                                   "row_2",
                                   "Café Ölmüller",
                                   "Tyga Featuring Cedric Gervais, Wiz Khalifa & Mally Mall",
                                   "https://example.com/songs/" + std::string(120, 'p') + "?q=名前",
                                   "名前の歌名前の歌名前の歌名前の歌",
                                   std::string(64, 'k'),
                                   ""};
  auto requests = make_requests(keys);
  std::string handle = submit(*provider, requests);
  ASSERT_FALSE(handle.empty());
  EXPECT_EQ(wait_until_done(*provider, handle).state, JobState::succeeded);
  auto responses = fetch_all(*provider, handle);
  ASSERT_EQ(responses.size(), keys.size());
  std::int64_t written = 0, read = 0;
  for (const auto& k : keys) {
    ASSERT_TRUE(responses.count(k)) << "no answer for '" << k << "'";
    const Response& r = responses[k];
    EXPECT_FALSE(r.error) << r.error->message;
    Value answer = parse(r.text);  // the forced tool's input, as JSON text
    EXPECT_NE(answer.find("genre"), nullptr) << r.text;
    EXPECT_EQ(r.finish, FinishStatus::complete);
    EXPECT_EQ(r.finish_reason, "tool_use");
    EXPECT_GT(r.usage.input_tokens, r.usage.cached_input_tokens + r.usage.cache_write_tokens);
    written += r.usage.cache_write_tokens;
    read += r.usage.cached_input_tokens;
  }
  // One row wrote the cached prefix (tools + system), the others read it; the emulator agrees.
  EXPECT_GT(written, 1500);
  EXPECT_EQ(read, written * static_cast<std::int64_t>(keys.size() - 1));
  EXPECT_EQ(anthropic_stat(emulator, "cache_write_tokens"), written);
  EXPECT_EQ(anthropic_stat(emulator, "cache_read_tokens"), read);

  // What a restarted process sees: a new provider on the same scratch dir decodes every key again,
  // the hashed ones from the record written before the create.
  auto restarted = make_provider(host, config_for(emulator));
  auto again = fetch_all(*restarted, handle);
  std::set<std::string> fetched_keys;
  for (const auto& [k, r] : again) fetched_keys.insert(k);
  EXPECT_EQ(fetched_keys, std::set<std::string>(keys.begin(), keys.end()));
}

TEST(AnthropicProvider, EncodedSizeIsTheBodyTheCreateSends) {
  test::EmulatorProcess emulator({.faults = "batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  auto requests = make_requests(numbered(30, "size-"));
  std::uint64_t total = 0;
  for (const auto& request : requests) {
    std::uint64_t bytes = 0;
    ASSERT_TRUE(provider->encoded_size(request, bytes));
    total += bytes;
  }
  std::string handle = submit(*provider, requests);
  // The emulator keeps the accepted requests, one {"custom_id","params"} line each: the same bytes.
  std::string kept = test::read_file(emulator.state_dir() + "/anthropic/" + handle + ".requests.jsonl");
  EXPECT_EQ(total, kept.size()) << "one byte per request for its comma / newline";
  ProviderCapabilities caps;
  ASSERT_TRUE(provider->capabilities(caps));
  EXPECT_EQ(caps.job_lookup, JobLookup::by_listing);
  EXPECT_EQ(caps.max_requests_per_job, 100000u);
  EXPECT_LE(caps.max_bytes_per_job, 256u * 1000 * 1000);
}

TEST(AnthropicProvider, ListJobsGivesTheBatchesCreatedSinceWithTheirSizes) {
  test::EmulatorProcess emulator({.faults = "batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  double before = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::string> handles;
  for (int size : {3, 1, 2, 5, 4}) handles.push_back(submit(*provider, make_requests(numbered(size))));
  std::vector<JobSummary> jobs;
  ASSERT_TRUE(provider->list_jobs(before - 5, jobs));
  ASSERT_EQ(jobs.size(), 5u);
  std::map<std::string, std::uint64_t> sizes;
  for (const auto& job : jobs) {
    sizes[job.handle] = job.request_count;
    EXPECT_GE(job.created_at, before - 5);
  }
  EXPECT_EQ(sizes[handles[0]], 3u);
  EXPECT_EQ(sizes[handles[3]], 5u);
  jobs.clear();
  ASSERT_TRUE(provider->list_jobs(before + 3600, jobs));
  EXPECT_TRUE(jobs.empty()) << "nothing was created in the future";

  // Paging as the official client does (after_id = last_id while has_more), newest first.
  AnthropicConfig config = config_for(emulator);
  Status made;
  HttpClientOptions options;
  options.ca_file = emulator.ca_file();
  AnthropicApi api(config, host, host.http(options, made), host.http(options, made), kKey);
  std::vector<std::string> listed;
  ASSERT_TRUE(api.list_batches(
      [&](const BatchInfo& batch) {
        listed.push_back(batch.id);
        return true;
      },
      2));
  EXPECT_EQ(listed, std::vector<std::string>(handles.rbegin(), handles.rend()));
  EXPECT_EQ(route_count(emulator, "GET /v1/messages/batches"), 2 + 3)
      << "two listings of 100, three pages of 2";
}

TEST(AnthropicProvider, CancelKeepsTheAnswersGivenAndDropsTheCanceled) {
  test::EmulatorProcess emulator({.faults = "batch_ms=1500"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle = submit(*provider, make_requests(numbered(30)));
  std::this_thread::sleep_for(600ms);
  ASSERT_TRUE(provider->cancel(handle));
  JobStatus status = wait_until_done(*provider, handle);
  EXPECT_EQ(status.state, JobState::cancelled) << status.message;
  auto responses = fetch_all(*provider, handle);
  EXPECT_GT(responses.size(), 0u) << "requests finished before the cancel are kept";
  EXPECT_LT(responses.size(), 30u) << "canceled requests are not answers";
  for (const auto& [k, r] : responses) EXPECT_FALSE(r.error) << k;
}

TEST(AnthropicProvider, FailedAndExpiredRequestsAreRetryableRowErrors) {
  test::EmulatorProcess emulator({.faults = "batch_fail=1,batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle = submit(*provider, make_requests(numbered(4)));
  EXPECT_EQ(wait_until_done(*provider, handle).state, JobState::succeeded) << "errors are per request";
  for (const auto& [k, r] : fetch_all(*provider, handle)) {
    ASSERT_TRUE(r.error) << k;
    EXPECT_EQ(r.error->code, "api_error");
    EXPECT_TRUE(r.error->retryable);
  }
  emulator.set_faults("batch_expire=1,batch_ms=20");
  handle = submit(*provider, make_requests(numbered(4)));
  JobStatus status = wait_until_done(*provider, handle);
  EXPECT_EQ(status.state, JobState::expired);
  EXPECT_NE(status.message.find("expired"), std::string::npos);
  auto responses = fetch_all(*provider, handle);
  EXPECT_EQ(responses.size(), 4u);
  for (const auto& [k, r] : responses)
    EXPECT_TRUE(r.error && r.error->code == "expired" && r.error->retryable);
  EXPECT_EQ(anthropic_stat(emulator, "answered_more_than_once"), 0);
}

TEST(AnthropicProvider, ARefusedCreateIsSentOnceAndSaysWhenToTryAgain) {
  test::EmulatorProcess emulator({.faults = "create_429=1,retry_delay_s=2,batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle;
  Status refused = provider->submit("job", make_requests(numbered(2)), handle);
  EXPECT_TRUE(refused.is_retry()) << refused.message();
  EXPECT_EQ(refused.retry_after_ms(), 2000);
  EXPECT_NE(refused.message().find("rate_limit_error"), std::string::npos) << refused.message();
  EXPECT_TRUE(handle.empty());
  EXPECT_EQ(route_count(emulator, "POST /v1/messages/batches"), 1)
      << "the create is never repeated by itself";
  EXPECT_EQ(anthropic_stat(emulator, "batch_creates"), 0);

  // Overloaded (529) and 500 answers: the idempotent calls are retried, the create is not.
  emulator.set_faults("http_5xx=1,batch_ms=20");
  refused = provider->submit("job", make_requests(numbered(2)), handle);
  EXPECT_TRUE(refused.is_retry()) << refused.message();
  EXPECT_EQ(route_count(emulator, "POST /v1/messages/batches"), 2);
}

TEST(AnthropicProvider, BrokenDownloadsResumeAndDeliverEveryResultOnce) {
  test::EmulatorProcess emulator({.faults = "batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle = submit(*provider, make_requests(numbered(300)));
  wait_until_done(*provider, handle);
  for (const char* fault : {"truncate_download=2", "drop_download=2"}) {
    emulator.set_faults(fault);
    auto responses = fetch_all(*provider, handle);
    EXPECT_EQ(responses.size(), 300u) << fault;
  }
  EXPECT_EQ(route_count(emulator, "GET /v1/messages/batches/{id}/results"), 2 + 4)
      << "each break resumed once";
}

TEST(AnthropicProvider, PollAndFetchRideOutOverloadedAnswers) {
  test::EmulatorProcess emulator({.faults = "batch_ms=20"});
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle = submit(*provider, make_requests(numbered(20)));
  emulator.set_faults("http_5xx=0.3,batch_ms=20");
  wait_until_done(*provider, handle);
  std::map<std::string, Response> responses;
  for (int attempt = 0; attempt < 20 && responses.size() < 20; ++attempt) {
    responses.clear();
    Status fetched = provider->fetch(handle, [&](Response&& r) {
      responses.emplace(r.key, std::move(r));
      return Status::ok();
    });
    EXPECT_FALSE(fetched.is_fatal()) << fetched.message();
  }
  EXPECT_EQ(responses.size(), 20u);
}

TEST(AnthropicProvider, OnlineCallsAnswerAndBadRequestsFailTheRowOnly) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  auto requests = make_requests({"a", "b"});
  Response first, second;
  ASSERT_TRUE(provider->call(requests[0], first));
  ASSERT_TRUE(provider->call(requests[1], second));
  EXPECT_EQ(first.key, "a");
  EXPECT_FALSE(first.error);
  EXPECT_NE(parse(first.text).find("genre"), nullptr) << first.text;
  EXPECT_GT(first.usage.cache_write_tokens, 0);
  EXPECT_EQ(second.usage.cached_input_tokens, first.usage.cache_write_tokens)
      << "the second call reads the cache";
  EXPECT_FALSE(first.raw_json.empty());

  Request bad = requests[0];
  bad.extra_json = R"({"max_tokens": 0})";
  Response failed;
  ASSERT_TRUE(provider->call(bad, failed));
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, "invalid_request_error");
  EXPECT_FALSE(failed.error->retryable);
  EXPECT_NE(failed.error->message.find("max_tokens"), std::string::npos) << failed.error->message;

  emulator.set_faults("prose=1");
  Response prose;
  ASSERT_TRUE(provider->call(requests[0], prose));
  EXPECT_FALSE(prose.text.empty());
  EXPECT_EQ(prose.text.find('{'), std::string::npos) << "prose replaces the forced tool: " << prose.text;
}

TEST(AnthropicProvider, AWrongKeyIsFatalAndNeverShown) {
  test::EmulatorProcess emulator;
  const std::string wrong = "wrong-anthropic-key-5f2e91";
  KeyInEnvironment key(wrong);
  test::TestHost host;
  auto provider = make_provider(host, config_for(emulator));
  std::string handle;
  Status submitted = provider->submit("job", make_requests(numbered(1)), handle);
  EXPECT_TRUE(submitted.is_fatal());
  EXPECT_NE(submitted.message().find("check the API key"), std::string::npos) << submitted.message();
  JobStatus status;
  Status polled = provider->poll("msgbatch_x", status);
  EXPECT_TRUE(polled.is_fatal());
  Response response;
  EXPECT_TRUE(provider->call(make_requests({"a"})[0], response).is_fatal());
  std::string everything = submitted.message() + polled.message();
  for (const auto& line : host.logs()) everything += line;
  EXPECT_EQ(everything.find(wrong), std::string::npos);

  // Without a key nothing starts.
  unsetenv("ANTHROPIC_API_KEY");
  auto no_key = make_provider(host, config_for(emulator), false);
  Status started = no_key->start();
  EXPECT_TRUE(started.is_fatal());
  EXPECT_NE(started.message().find("ANTHROPIC_API_KEY"), std::string::npos);
}

TEST(AnthropicProvider, BadConfigIsRefusedBeforeAnythingIsSent) {
  test::TestHost host;
  auto make = [&](std::string base_url) {
    AnthropicConfig config;
    config.base_url = std::move(base_url);
    return make_provider(host, config, false);
  };
  EXPECT_THROW(make("https://api.anthropic.com/v1"), std::invalid_argument);
  EXPECT_THROW(make("ftp://api.anthropic.com"), std::invalid_argument);
  EXPECT_THROW(make("https://user@api.anthropic.com"), std::invalid_argument);
  EXPECT_EQ(make("https://api.anthropic.com/")->config().base_url, "https://api.anthropic.com");
}

}  // namespace
}  // namespace pipehost::anthropic
