// OpenAIBatchProvider against the emulator binary over verified TLS, through the host's real HTTP
// client (TestHost::http): whole batches, each fault on its own, every batch ending, find by name,
// online calls, and the key kept out of URLs, logs and files.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "openai_batch_provider.hpp"
#include "test_host.hpp"

namespace pipehost::openai {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "test-openai-key";
const char* const kSchema =
    R"({"type":"object","properties":{"genre":{"type":"string","enum":["rock","pop","jazz"]},)"
    R"("mood":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["genre","mood"]})";

/// Sets OPENAI_API_KEY for the provider (the emulator requires the same key).
class KeyInEnvironment {
 public:
  explicit KeyInEnvironment(const std::string& value = kKey) { setenv("OPENAI_API_KEY", value.c_str(), 1); }
  ~KeyInEnvironment() { unsetenv("OPENAI_API_KEY"); }
};

Value stats(const test::EmulatorProcess& emulator) {
  Value value;
  std::string error;
  EXPECT_TRUE(parse_json(emulator.stats_json(), value, error)) << error;
  return value;
}

std::int64_t openai_counter(const test::EmulatorProcess& emulator, const std::string& name) {
  Value all = stats(emulator);
  const Value* value = all.find("openai") ? all.find("openai")->find(name) : nullptr;
  return value && value->fits_int64() ? value->as_int() : 0;
}

std::int64_t route_count(const test::EmulatorProcess& emulator, const std::string& route) {
  Value all = stats(emulator);
  const Value* value = all.find("requests_by_route") ? all.find("requests_by_route")->find(route) : nullptr;
  return value && value->fits_int64() ? value->as_int() : 0;
}

struct Rig {
  explicit Rig(test::EmulatorOptions options = {}, std::string extra = "")
      : emulator(std::move(options)), provider(make(std::move(extra))) {}

  std::unique_ptr<OpenAIBatchProvider> make(std::string extra) {
    std::string config = R"({"model":"gpt-4.1-mini","base_url":")" + emulator.base_url() +
                         R"(/v1","ca_file":")" + emulator.ca_file() +
                         R"(","retry_backoff_s":0.01,"io_timeout_s":30)" + extra + "}";
    OpenAIConfig parsed;
    Status read = config_spec().read_json(config, parsed);
    EXPECT_TRUE(read.is_ok()) << read.message();
    return std::make_unique<OpenAIBatchProvider>(StageContext{host, config, "", "/provider"}, parsed);
  }

  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  std::unique_ptr<OpenAIBatchProvider> provider;
};

std::vector<Request> make_requests(int count, std::size_t instruction_size = 5000,
                                   const std::string& prefix = "row-") {
  auto instruction = std::make_shared<const std::string>("You classify songs. Answer with JSON.\n" +
                                                         std::string(instruction_size, 'x'));
  auto schema = std::make_shared<const std::string>(kSchema);
  std::vector<Request> requests;
  for (int i = 0; i < count; ++i) {
    Request request;
    request.key = prefix + std::to_string(i);
    request.system_instruction = instruction;
    request.user_parts = {"Title: Song " + std::to_string(i) + "\nArtist: Band " + std::to_string(i % 17)};
    request.generation.temperature = 0.2;
    request.generation.response_schema_json = schema;
    requests.push_back(std::move(request));
  }
  return requests;
}

JobStatus wait_until_done(Provider& provider, const std::string& handle) {
  JobStatus status;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    Status polled = provider.poll(handle, status);
    EXPECT_TRUE(polled.is_ok()) << polled.message();
    if (!polled.is_ok() || is_terminal(status.state)) return status;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "batch " << handle << " did not finish";
  return status;
}

std::map<std::string, Response> fetch_all(Provider& provider, const std::string& handle,
                                          Status* result = nullptr) {
  std::map<std::string, Response> responses;
  Status fetched = provider.fetch(handle, [&](Response&& response) {
    std::string key = response.key;
    EXPECT_TRUE(responses.emplace(key, std::move(response)).second) << "key delivered twice: " << key;
    return Status::ok();
  });
  if (result)
    *result = fetched;
  else
    EXPECT_TRUE(fetched.is_ok()) << fetched.message();
  return responses;
}

std::string submit(Rig& s, const std::string& name, const std::vector<Request>& requests) {
  std::string handle;
  Status submitted = s.provider->submit(name, requests, handle);
  EXPECT_TRUE(submitted.is_ok()) << submitted.message();
  return handle;
}

TEST(OpenAIProvider, WholeBatchAnswersEveryKeyOnceWithCachedPrefix) {
  Rig s;
  ProviderCapabilities capabilities;
  ASSERT_TRUE(s.provider->capabilities(capabilities).is_ok());
  EXPECT_TRUE(capabilities.batch && capabilities.online);
  EXPECT_EQ(capabilities.max_requests_per_job, 50'000u);
  EXPECT_LE(capabilities.max_bytes_per_job, 200'000'000u);
  EXPECT_EQ(capabilities.job_lookup, JobLookup::by_name);
  ASSERT_TRUE(s.provider->start().is_ok());

  auto requests = make_requests(1000);
  std::uint64_t planned = 0;
  for (const auto& request : requests) {
    std::uint64_t bytes = 0;
    ASSERT_TRUE(s.provider->encoded_size(request, bytes).is_ok());
    planned += bytes;
  }
  std::string handle = submit(s, "run-1-job-1", requests);
  EXPECT_TRUE(handle.starts_with("batch_")) << handle;
  EXPECT_EQ(s.host.counter("bytes_uploaded"), static_cast<std::int64_t>(planned)) << "encoded_size is exact";
  EXPECT_TRUE(std::filesystem::is_empty(s.host.scratch_dir())) << "the JSONL is deleted after the upload";

  JobStatus status = wait_until_done(*s.provider, handle);
  ASSERT_EQ(status.state, JobState::succeeded) << status.message;
  EXPECT_EQ(status.total, 1000u);
  EXPECT_EQ(status.succeeded, 1000u);
  auto responses = fetch_all(*s.provider, handle);
  ASSERT_EQ(responses.size(), 1000u);
  std::int64_t cached = 0;
  for (const auto& request : requests) {
    auto it = responses.find(request.key);
    ASSERT_NE(it, responses.end()) << request.key;
    const Response& response = it->second;
    ASSERT_FALSE(response.error) << response.error->message;
    Value answer;
    std::string error;
    ASSERT_TRUE(parse_json(response.text, answer, error)) << response.text;
    EXPECT_TRUE(answer.find("genre") && answer.find("mood")) << response.text;
    EXPECT_EQ(response.finish, FinishStatus::complete);
    EXPECT_EQ(response.finish_reason, "stop");
    EXPECT_GT(response.usage.input_tokens, 1024);
    EXPECT_GT(response.usage.output_tokens, 0);
    cached += response.usage.cached_input_tokens;
  }
  EXPECT_GT(cached, 999 * 1024)
      << "the shared system message and schema come first: every row after the first "
         "hits the prefix cache";
  Value all = stats(s.emulator);
  EXPECT_EQ(to_json(*all.find("openai")->find("batch_creates_by_name")), R"({"run-1-job-1":1})");
  EXPECT_EQ(openai_counter(s.emulator, "answered_more_than_once"), 0);
  EXPECT_EQ(all.find("key_in_query")->as_int(), 0);
  EXPECT_EQ(route_count(s.emulator, "openai DELETE /v1/files/{id}"), 1) << "the input file is deleted";
}

TEST(OpenAIProvider, ResponsesEndpoint) {
  Rig s({}, R"(,"endpoint":"/v1/responses")");
  ASSERT_TRUE(s.provider->start().is_ok());
  auto requests = make_requests(50);
  std::string handle = submit(s, "responses-job", requests);
  ASSERT_EQ(wait_until_done(*s.provider, handle).state, JobState::succeeded);
  auto responses = fetch_all(*s.provider, handle);
  ASSERT_EQ(responses.size(), 50u);
  EXPECT_NE(responses.begin()->second.text.find("\"genre\""), std::string::npos);
  EXPECT_EQ(responses.begin()->second.finish, FinishStatus::complete);

  Response online;
  ASSERT_TRUE(s.provider->call(requests.front(), online).is_ok());
  EXPECT_NE(online.text.find("\"genre\""), std::string::npos) << online.text;
  EXPECT_EQ(openai_counter(s.emulator, "online_answers"), 1);
}

TEST(OpenAIProvider, CreateQuotaIsRetryAndTheNextCreateReusesTheUpload) {
  Rig s({.faults = "create_429=1,retry_delay_s=2"});
  ASSERT_TRUE(s.provider->start().is_ok());
  auto requests = make_requests(20);
  std::string handle;
  Status first = s.provider->submit("quota-job", requests, handle);
  ASSERT_TRUE(first.is_retry()) << first.message();
  EXPECT_EQ(first.retry_after_ms(), 2000);
  EXPECT_TRUE(handle.empty());
  handle = submit(s, "quota-job", requests);
  EXPECT_FALSE(handle.empty());
  EXPECT_EQ(route_count(s.emulator, "openai POST /v1/files"), 1) << "written and uploaded once";
  EXPECT_EQ(openai_counter(s.emulator, "batch_creates"), 1);
}

TEST(OpenAIProvider, DroppedUploadIsSentAgain) {
  Rig s({.faults = "drop_upload=2"});
  ASSERT_TRUE(s.provider->start().is_ok());
  auto requests = make_requests(200);
  std::string handle = submit(s, "dropped-upload", requests);
  ASSERT_EQ(wait_until_done(*s.provider, handle).state, JobState::succeeded);
  EXPECT_EQ(fetch_all(*s.provider, handle).size(), 200u);
  EXPECT_EQ(route_count(s.emulator, "openai POST /v1/files"), 3);
}

TEST(OpenAIProvider, BrokenDownloadsResumeAndDeliverEveryLineOnce) {
  for (const char* fault : {"drop_download=2", "truncate_download=2"}) {
    SCOPED_TRACE(fault);
    Rig s({.faults = std::string(fault) + ",line_error=0.1"});
    ASSERT_TRUE(s.provider->start().is_ok());
    auto requests = make_requests(600);
    std::string handle = submit(s, "download-job", requests);
    ASSERT_EQ(wait_until_done(*s.provider, handle).state, JobState::succeeded);
    auto responses = fetch_all(*s.provider, handle);  // output file and error file, both broken once
    EXPECT_EQ(responses.size(), 600u);
    std::size_t errors = 0;
    for (const auto& [key, response] : responses) errors += response.error ? 1 : 0;
    EXPECT_GT(errors, 20u);
    EXPECT_LT(errors, 120u);
  }
}

TEST(OpenAIProvider, LineErrorsBecomeRetryableRowErrors) {
  Rig s({.faults = "line_error=0.3"});
  ASSERT_TRUE(s.provider->start().is_ok());
  std::string handle = submit(s, "line-errors", make_requests(100));
  JobStatus status = wait_until_done(*s.provider, handle);
  ASSERT_EQ(status.state, JobState::succeeded);
  EXPECT_GT(status.failed, 0u);
  auto responses = fetch_all(*s.provider, handle);
  ASSERT_EQ(responses.size(), 100u);
  std::size_t errors = 0;
  for (const auto& [key, response] : responses) {
    if (!response.error) continue;
    ++errors;
    EXPECT_TRUE(response.error->retryable);
    EXPECT_EQ(response.error->code, "server_error");
    EXPECT_FALSE(response.error->message.empty());
  }
  EXPECT_EQ(errors, status.failed);
}

TEST(OpenAIProvider, FailedExpiredAndCancelledBatches) {
  {
    Rig s({.faults = "batch_fail=1"});
    ASSERT_TRUE(s.provider->start().is_ok());
    std::string handle = submit(s, "failing", make_requests(10));
    JobStatus status = wait_until_done(*s.provider, handle);
    EXPECT_EQ(status.state, JobState::failed);
    EXPECT_NE(status.message.find("token_limit_exceeded"), std::string::npos) << status.message;
    Status fetched;
    EXPECT_TRUE(fetch_all(*s.provider, handle, &fetched).empty());
    EXPECT_TRUE(fetched.is_fatal()) << "nothing to fetch: " << fetched.message();
    EXPECT_NE(fetched.message().find("without results"), std::string::npos) << fetched.message();
  }
  {
    Rig s({.faults = "batch_expire=1"});
    ASSERT_TRUE(s.provider->start().is_ok());
    std::string handle = submit(s, "expiring", make_requests(40));
    EXPECT_EQ(wait_until_done(*s.provider, handle).state, JobState::expired);
    auto responses = fetch_all(*s.provider, handle);
    ASSERT_EQ(responses.size(), 40u) << "answers of the first half, batch_expired for the rest";
    std::size_t expired = 0;
    for (const auto& [key, response] : responses)
      if (response.error) expired += response.error->code == "batch_expired" && response.error->retryable;
    EXPECT_EQ(expired, 20u);
  }
  {
    Rig s({.faults = "batch_ms=4000"});
    ASSERT_TRUE(s.provider->start().is_ok());
    std::string handle = submit(s, "cancelled", make_requests(40));
    std::this_thread::sleep_for(1500ms);
    ASSERT_TRUE(s.provider->cancel(handle).is_ok());
    JobStatus status = wait_until_done(*s.provider, handle);
    EXPECT_EQ(status.state, JobState::cancelled);
    Status fetched;
    auto responses = fetch_all(*s.provider, handle, &fetched);
    EXPECT_TRUE(fetched.is_ok()) << fetched.message();
    EXPECT_GT(responses.size(), 0u) << "what it answered before the cancel is kept";
    EXPECT_LT(responses.size(), 40u);
    EXPECT_TRUE(s.provider->cancel(handle).is_ok()) << "cancelling an ended batch is harmless";
  }
}

TEST(OpenAIProvider, FindsABatchByNameAcrossPages) {
  Rig s;
  ASSERT_TRUE(s.provider->start().is_ok());
  // 101 batches: the first one created is on the second page of the list (100 per page, newest first).
  std::string first = submit(s, "paged-0", make_requests(1, 10, "p0-"));
  for (int i = 1; i <= 100; ++i) submit(s, "paged-" + std::to_string(i), make_requests(1, 10));
  std::string found;
  ASSERT_TRUE(s.provider->find("paged-0", found).is_ok());
  EXPECT_EQ(found, first);
  ASSERT_TRUE(s.provider->find("never-created", found).is_ok());
  EXPECT_TRUE(found.empty());
  EXPECT_GE(route_count(s.emulator, "openai GET /v1/batches"), 4);
}

TEST(OpenAIProvider, OnlineCallsFromSeveralThreads) {
  Rig s({.faults = "http_5xx=0.2"}, R"(,"http_attempts":8)");
  ASSERT_TRUE(s.provider->start().is_ok());
  auto requests = make_requests(40);
  std::vector<std::thread> threads;
  std::vector<std::string> problems(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 40; i += 4) {
        Response response;
        Status called = s.provider->call(requests[i], response);
        if (!called.is_ok() || response.error || response.key != requests[i].key ||
            response.text.find("\"genre\"") == std::string::npos)
          problems[t] += requests[i].key + ": " + called.message() + "; ";
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& problem : problems) EXPECT_EQ(problem, "");
  EXPECT_EQ(openai_counter(s.emulator, "online_answers"), 40);
}

TEST(OpenAIProvider, WrongOrMissingKeyIsAClearFatalError) {
  Rig s;
  {
    KeyInEnvironment wrong("not-the-key");
    ASSERT_TRUE(s.provider->start().is_ok());
    std::string handle;
    Status submitted = s.provider->submit("wrong-key", make_requests(2), handle);
    EXPECT_TRUE(submitted.is_fatal());
    EXPECT_NE(submitted.message().find("check the API key"), std::string::npos) << submitted.message();
    EXPECT_EQ(submitted.message().find("not-the-key"), std::string::npos);
    Response response;
    Status called = s.provider->call(make_requests(1).front(), response);
    EXPECT_TRUE(called.is_fatal()) << called.message();
  }
  unsetenv("OPENAI_API_KEY");
  auto fresh = s.make("");
  Status started = fresh->start();
  EXPECT_TRUE(started.is_fatal());
  EXPECT_NE(started.message().find("OPENAI_API_KEY"), std::string::npos) << started.message();
}

TEST(OpenAIProvider, KeyOnlyEverInTheAuthorizationHeader) {
  test::EmulatorOptions options;
  options.faults = "http_5xx=0.3,drop_download=1";
  Rig s(options);
  ASSERT_TRUE(s.provider->start().is_ok());
  std::string handle = submit(s, "secret-job", make_requests(30));
  wait_until_done(*s.provider, handle);
  fetch_all(*s.provider, handle);
  std::string found;
  ASSERT_TRUE(s.provider->find("secret-job", found).is_ok());
  for (const auto& line : s.host.logs()) EXPECT_EQ(line.find(kKey), std::string::npos) << line;
  EXPECT_EQ(stats(s.emulator).find("key_in_query")->as_int(), 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(s.host.state_dir())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(test::read_file(entry.path()).find(kKey), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace pipehost::openai
