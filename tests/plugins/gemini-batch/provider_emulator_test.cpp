// GeminiBatchProvider against the emulator binary over TLS with verification on (ca_file), through the
// host's real HTTP client (TestHost::http): full batches, injected faults, states, find, online calls,
// and secret hygiene.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "gemini_batch_provider.hpp"
#include "test_host.hpp"

namespace pipehost::gemini {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kKey = "test-gemini-key";
const char* const kSchema =
    R"({"type":"OBJECT","properties":{"genre":{"type":"STRING","enum":["rock","pop","jazz"]},)"
    R"("mood":{"type":"ARRAY","items":{"type":"STRING"}}},"required":["genre","mood"]})";

/// Sets GEMINI_API_KEY for the provider (the emulator gets the same key through its own environment).
class KeyInEnvironment {
 public:
  explicit KeyInEnvironment(const std::string& value = kKey) { setenv("GEMINI_API_KEY", value.c_str(), 1); }
  ~KeyInEnvironment() { unsetenv("GEMINI_API_KEY"); }
};

std::string config_json(const test::EmulatorProcess& emulator, const std::string& extra = "",
                        bool trust = true) {
  json::object config{{"model", "gemini-2.5-flash"},
                      {"base_url", emulator.base_url()},
                      {"retry_backoff_s", 0.01},
                      {"http_attempts", 5},
                      {"io_timeout_s", 30}};
  if (trust) config["ca_file"] = emulator.ca_file();
  std::string text = json::serialize(config);
  if (!extra.empty()) text = text.substr(0, text.size() - 1) + "," + extra + "}";
  return text;
}

std::unique_ptr<GeminiBatchProvider> make_provider(test::TestHost& host, const std::string& config) {
  StageContext context{host, "", "", "/provider"};
  context.config_json = config;
  context.config_pointer = "/provider";
  GeminiConfig read;
  Status status = config_spec().read(context, read);
  if (!status) throw std::invalid_argument(status.message());
  return std::make_unique<GeminiBatchProvider>(context, std::move(read));
}

std::vector<Request> make_requests(int count, std::size_t instruction_size = 2000) {
  auto instruction = std::make_shared<const std::string>("You classify songs. Answer with JSON.\n" +
                                                         std::string(instruction_size, 'x') + "\n\"end\"");
  auto schema = std::make_shared<const std::string>(kSchema);
  std::vector<Request> requests;
  for (int i = 0; i < count; ++i) {
    Request request;
    request.key = "row-" + std::to_string(i);
    request.system_instruction = instruction;
    request.user_parts = {"Title: Song " + std::to_string(i) + "\nArtist: Band " + std::to_string(i % 17)};
    request.generation.temperature = 0.2;
    request.generation.response_schema_json = schema;
    request.generation.response_mime_type = "application/json";
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
    std::this_thread::sleep_for(50ms);
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
  if (result) {
    *result = fetched;
  } else {
    EXPECT_TRUE(fetched.is_ok()) << fetched.message();
    if (!fetched.is_ok()) std::cerr << "fetch: " << fetched.message() << "\n";
  }
  return responses;
}

json::object stats(const test::EmulatorProcess& emulator) {
  return json::parse(emulator.stats_json()).as_object();
}

std::int64_t counter(const test::EmulatorProcess& emulator, const std::string& name) {
  auto object = stats(emulator);
  auto* value = object.if_contains(name);
  return value && value->is_int64() ? value->get_int64() : 0;
}

std::string all_logs(const test::TestHost& host) {
  std::string text;
  for (const auto& line : host.logs()) text += line + "\n";
  return text;
}

TEST(GeminiProvider, FullBatchOf2000RowsReturnsEveryKeyOnce) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ProviderCapabilities capabilities;
  ASSERT_TRUE(provider->capabilities(capabilities).is_ok());
  EXPECT_TRUE(capabilities.batch);
  EXPECT_TRUE(capabilities.online);
  EXPECT_GT(capabilities.max_bytes_per_job, 0u);
  EXPECT_LT(capabilities.max_bytes_per_job, 2'000'000'001u);
  ASSERT_TRUE(provider->start().is_ok());

  auto requests = make_requests(2000);
  std::uint64_t planned = 0;
  for (const auto& request : requests) {
    std::uint64_t bytes = 0;
    ASSERT_TRUE(provider->encoded_size(request, bytes).is_ok());
    planned += bytes;
  }
  std::string handle;
  Status submitted = provider->submit("run-1-job-1", requests, handle);
  ASSERT_TRUE(submitted.is_ok()) << submitted.message();
  EXPECT_TRUE(handle.starts_with("batches/")) << handle;
  EXPECT_EQ(host.counter("bytes_uploaded"), static_cast<std::int64_t>(planned));
  EXPECT_EQ(counter(emulator, "uploaded_bytes"), static_cast<std::int64_t>(planned));
  EXPECT_TRUE(std::filesystem::is_empty(host.scratch_dir())) << "the JSONL is deleted after the upload";

  JobStatus status = wait_until_done(*provider, handle);
  ASSERT_EQ(status.state, JobState::succeeded) << status.message;
  EXPECT_EQ(status.total, 2000u);
  auto responses = fetch_all(*provider, handle);
  ASSERT_EQ(responses.size(), 2000u);
  for (const auto& request : requests) {
    auto it = responses.find(request.key);
    ASSERT_NE(it, responses.end()) << request.key;
    const Response& response = it->second;
    EXPECT_FALSE(response.error) << response.error->message;
    json::value answer = json::parse(response.text);
    EXPECT_TRUE(answer.as_object().contains("genre")) << response.text;
    EXPECT_EQ(response.finish_reason, "STOP");
    EXPECT_GT(response.usage.input_tokens, 0);
    EXPECT_GT(response.usage.output_tokens, 0);
    EXPECT_FALSE(response.model_version.empty());
  }
  EXPECT_GT(host.counter("bytes_downloaded"), 0);
  EXPECT_EQ(stats(emulator).at("batch_creates_by_display_name").at("run-1-job-1"), json::value(1));
  EXPECT_EQ(counter(emulator, "key_in_query"), 0);
}

TEST(GeminiProvider, SeveralJobsAtOnceFromSeveralThreads) {
  // The host runs batch jobs concurrently: submit, poll and fetch of different jobs at the same time.
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  constexpr int kJobs = 4;
  std::vector<std::size_t> counts(kJobs, 0);
  std::vector<std::string> errors(kJobs);
  std::vector<std::thread> threads;
  for (int job = 0; job < kJobs; ++job) {
    threads.emplace_back([&, job] {
      auto requests = make_requests(100 + 50 * job, 3000);
      for (auto& request : requests) request.key = "job" + std::to_string(job) + "-" + request.key;
      std::string handle;
      Status submitted = provider->submit("parallel-" + std::to_string(job), requests, handle);
      if (!submitted.is_ok()) {
        errors[job] = submitted.message();
        return;
      }
      JobStatus status;
      while (!is_terminal(status.state)) {
        if (Status polled = provider->poll(handle, status); !polled.is_ok()) {
          errors[job] = polled.message();
          return;
        }
        std::this_thread::sleep_for(20ms);
      }
      std::set<std::string> keys;
      Status fetched = provider->fetch(handle, [&](Response&& response) {
        if (!response.key.starts_with("job" + std::to_string(job) + "-")) return Status::fatal("foreign key");
        keys.insert(response.key);
        return Status::ok();
      });
      if (!fetched.is_ok()) errors[job] = fetched.message();
      counts[job] = keys.size();
    });
  }
  for (auto& thread : threads) thread.join();
  for (int job = 0; job < kJobs; ++job) {
    EXPECT_EQ(errors[job], "") << "job " << job;
    EXPECT_EQ(counts[job], static_cast<std::size_t>(100 + 50 * job)) << "job " << job;
  }
  EXPECT_TRUE(std::filesystem::is_empty(host.scratch_dir()));
}

TEST(GeminiProvider, UploadResumesFromTheServersOffsetAfterADrop) {
  test::EmulatorOptions options;
  options.faults = "drop_upload=2";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  // 1 MiB chunks and ~3 MB of JSONL: several chunks, two of them cut in the middle.
  auto provider = make_provider(host, config_json(emulator, R"("upload_chunk_mb":1)"));
  ASSERT_TRUE(provider->start().is_ok());
  auto requests = make_requests(600, 5000);
  std::uint64_t planned = 0;
  for (const auto& request : requests) {
    std::uint64_t bytes = 0;
    provider->encoded_size(request, bytes);
    planned += bytes;
  }
  std::string handle;
  Status submitted = provider->submit("resume-job", requests, handle);
  ASSERT_TRUE(submitted.is_ok()) << submitted.message();
  std::string logs = all_logs(host);
  EXPECT_NE(logs.find("upload interrupted"), std::string::npos) << logs;
  EXPECT_NE(logs.find("upload complete after 2 resume(s)"), std::string::npos) << logs;
  // Resumed, not restarted: the server stored every byte exactly once, in one upload session.
  EXPECT_EQ(counter(emulator, "uploaded_bytes"), static_cast<std::int64_t>(planned));
  EXPECT_EQ(counter(emulator, "upload_sessions"), 1);
  EXPECT_EQ(host.counter("bytes_uploaded"), static_cast<std::int64_t>(planned));
  ASSERT_EQ(wait_until_done(*provider, handle).state, JobState::succeeded);
  EXPECT_EQ(fetch_all(*provider, handle).size(), 600u);
}

TEST(GeminiProvider, CreateQuotaErrorIsRetryWithTheServersHintThenSucceeds) {
  test::EmulatorOptions options;
  options.faults = "create_429=1,retry_delay_s=3";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  auto requests = make_requests(50);
  std::string handle;
  Status first = provider->submit("quota-job", requests, handle);
  ASSERT_TRUE(first.is_retry()) << first.message();
  EXPECT_EQ(first.retry_after_ms(), 3000);
  EXPECT_NE(first.message().find("429"), std::string::npos) << first.message();
  EXPECT_NE(first.message().find("RESOURCE_EXHAUSTED"), std::string::npos) << first.message();
  EXPECT_TRUE(handle.empty());

  Status second = provider->submit("quota-job", requests, handle);
  ASSERT_TRUE(second.is_ok()) << second.message();
  EXPECT_FALSE(handle.empty());
  EXPECT_EQ(counter(emulator, "upload_sessions"), 1) << "the uploaded file is reused for the retried create";
  EXPECT_EQ(stats(emulator).at("batch_creates_by_display_name").at("quota-job"), json::value(1));
}

TEST(GeminiProvider, ServerErrorsWhilePollingAreRetried) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator, R"("http_attempts":10)"));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  ASSERT_TRUE(provider->submit("poll-5xx", make_requests(20), handle).is_ok());
  emulator.set_faults("http_5xx=0.5");
  JobStatus status = wait_until_done(*provider, handle);
  EXPECT_EQ(status.state, JobState::succeeded);
  EXPECT_NE(all_logs(host).find("retrying"), std::string::npos);

  emulator.set_faults("http_5xx=1");
  Status polled = provider->poll(handle, status);
  ASSERT_TRUE(polled.is_retry()) << polled.message();
  EXPECT_NE(polled.message().find("HTTP 50"), std::string::npos) << polled.message();
}

TEST(GeminiProvider, TruncatedDownloadIsDetectedAndResumed) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator, R"("http_attempts":3)"));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  ASSERT_TRUE(provider->submit("truncated", make_requests(500), handle).is_ok());
  ASSERT_EQ(wait_until_done(*provider, handle).state, JobState::succeeded);

  // Cut once: detected, resumed where it broke, every key exactly once.
  emulator.set_faults("truncate_download=1,drop_download=1");
  auto responses = fetch_all(*provider, handle);
  EXPECT_EQ(responses.size(), 500u);
  std::string logs = all_logs(host);
  EXPECT_NE(logs.find("truncated"), std::string::npos) << logs;
  EXPECT_NE(logs.find("resuming"), std::string::npos) << logs;

  // Cut every time: never accepted as complete.
  emulator.set_faults("truncate_download=100");
  Status result;
  auto partial = fetch_all(*provider, handle, &result);
  ASSERT_TRUE(result.is_retry()) << result.message();
  EXPECT_NE(result.message().find("truncated"), std::string::npos) << result.message();
  EXPECT_LT(partial.size(), 500u);
}

TEST(GeminiProvider, LineErrorsBecomeFailedResponsesWithTheServersMessage) {
  test::EmulatorOptions options;
  options.faults = "line_error=0.3";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  ASSERT_TRUE(provider->submit("line-errors", make_requests(200), handle).is_ok());
  JobStatus status = wait_until_done(*provider, handle);
  ASSERT_EQ(status.state, JobState::succeeded);
  auto responses = fetch_all(*provider, handle);
  ASSERT_EQ(responses.size(), 200u);
  std::uint64_t failed = 0;
  for (const auto& [key_text, response] : responses) {
    if (!response.error) continue;
    ++failed;
    EXPECT_NE(response.error->message.find("line_error"), std::string::npos) << response.error->message;
    EXPECT_EQ(response.error->code, "INTERNAL");
    EXPECT_TRUE(response.error->retryable);
    EXPECT_TRUE(response.text.empty());
  }
  EXPECT_GT(failed, 20u);
  EXPECT_LT(failed, 120u);
  EXPECT_EQ(status.failed, failed);
}

TEST(GeminiProvider, FailedAndExpiredBatches) {
  test::EmulatorOptions options;
  options.faults = "batch_fail=1";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  ASSERT_TRUE(provider->submit("doomed", make_requests(10), handle).is_ok());
  JobStatus status = wait_until_done(*provider, handle);
  EXPECT_EQ(status.state, JobState::failed);
  EXPECT_FALSE(status.message.empty());
  Status result;
  fetch_all(*provider, handle, &result);
  EXPECT_TRUE(result.is_fatal()) << result.message();
  EXPECT_NE(result.message().find("FAILED"), std::string::npos) << result.message();

  emulator.set_faults("batch_fail=0,batch_expire=1");
  ASSERT_TRUE(provider->submit("too-slow", make_requests(10), handle).is_ok());
  status = wait_until_done(*provider, handle);
  EXPECT_EQ(status.state, JobState::expired);
  fetch_all(*provider, handle, &result);
  EXPECT_TRUE(result.is_fatal()) << result.message();
  EXPECT_NE(result.message().find("EXPIRED"), std::string::npos) << result.message();
}

TEST(GeminiProvider, CancelStopsARunningBatch) {
  test::EmulatorOptions options;
  options.faults = "batch_ms=20000";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  ASSERT_TRUE(provider->submit("to-cancel", make_requests(10), handle).is_ok());
  ASSERT_TRUE(provider->cancel(handle).is_ok());
  EXPECT_EQ(wait_until_done(*provider, handle).state, JobState::cancelled);
}

TEST(GeminiProvider, FindsABatchByDisplayNameAfterACrash) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  std::string handle;
  {
    test::TestHost host;
    auto provider = make_provider(host, config_json(emulator));
    ASSERT_TRUE(provider->start().is_ok());
    for (int i = 0; i < 3; ++i) {
      std::string other;
      ASSERT_TRUE(provider->submit("other-" + std::to_string(i), make_requests(3), other).is_ok());
    }
    ASSERT_TRUE(provider->submit("run-7-job-3", make_requests(5), handle).is_ok());
  }  // the process "crashed" here: the handle was never recorded
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  std::string found;
  ASSERT_TRUE(provider->find("run-7-job-3", found).is_ok());
  EXPECT_EQ(found, handle);
  ASSERT_TRUE(provider->find("never-submitted", found).is_ok());
  EXPECT_TRUE(found.empty());
}

TEST(GeminiProvider, TlsErrorWithoutCaFile) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator, "", /*trust=*/false));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  Status submitted = provider->submit("untrusted", make_requests(3), handle);
  ASSERT_TRUE(submitted.is_fatal()) << submitted.message();
  EXPECT_NE(submitted.message().find("certificate verification failed"), std::string::npos)
      << submitted.message();
  EXPECT_EQ(counter(emulator, "upload_sessions"), 0);
}

TEST(GeminiProvider, MissingKeyIsAClearErrorBeforeAnythingIsSent) {
  test::EmulatorProcess emulator;
  unsetenv("GEMINI_API_KEY");
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  Status started = provider->start();
  ASSERT_TRUE(started.is_fatal());
  EXPECT_NE(started.message().find("GEMINI_API_KEY"), std::string::npos) << started.message();
  std::string handle;
  Status submitted = provider->submit("no-key", make_requests(3), handle);
  EXPECT_TRUE(submitted.is_fatal());
  EXPECT_TRUE(stats(emulator).at("requests_by_route").as_object().empty()) << emulator.stats_json();
}

TEST(GeminiProvider, WrongKeyIsFatal) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key("wrong-key-value");
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  std::string handle;
  Status submitted = provider->submit("bad-key", make_requests(3), handle);
  ASSERT_TRUE(submitted.is_fatal()) << submitted.message();
  EXPECT_NE(submitted.message().find("API key not valid"), std::string::npos) << submitted.message();
  EXPECT_EQ(submitted.message().find("wrong-key-value"), std::string::npos);
}

TEST(GeminiProvider, KeyNeverLandsInFilesOrLogs) {
  test::EmulatorOptions options;
  options.faults = "drop_upload=1,http_5xx=0.2,line_error=0.1";
  test::EmulatorProcess emulator(options);
  KeyInEnvironment key;
  test::TestHost host;
  {
    auto provider = make_provider(host, config_json(emulator, R"("upload_chunk_mb":1,"http_attempts":10)"));
    ASSERT_TRUE(provider->start().is_ok());
    std::string handle;
    Status submitted;
    for (int attempt = 0; attempt < 5; ++attempt) {  // a 5xx on create is the host's to retry
      submitted = provider->submit("hygiene", make_requests(300, 4000), handle);
      if (!submitted.is_retry()) break;
    }
    ASSERT_TRUE(submitted.is_ok()) << submitted.message();
    ASSERT_EQ(wait_until_done(*provider, handle).state, JobState::succeeded);
    fetch_all(*provider, handle);
    // An error that goes through every layer.
    emulator.set_faults("http_5xx=1");
    JobStatus status;
    EXPECT_FALSE(provider->poll(handle, status).is_ok());
  }
  std::string logs = all_logs(host);
  EXPECT_FALSE(logs.empty());
  EXPECT_EQ(logs.find(kKey), std::string::npos) << logs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(host.state_dir())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(test::read_file(entry.path()).find(kKey), std::string::npos) << entry.path();
  }
  EXPECT_EQ(counter(emulator, "key_in_query"), 0);
}

TEST(GeminiProvider, OnlineCallsFromSeveralThreads) {
  test::EmulatorProcess emulator;
  KeyInEnvironment key;
  test::TestHost host;
  auto provider = make_provider(host, config_json(emulator));
  ASSERT_TRUE(provider->start().is_ok());
  auto requests = make_requests(40);
  std::vector<Response> responses(requests.size());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < requests.size(); i += 4) {
        if (!provider->call(requests[i], responses[i]).is_ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(responses[i].key, requests[i].key);
    EXPECT_FALSE(responses[i].error);
    EXPECT_TRUE(json::parse(responses[i].text).as_object().contains("genre")) << responses[i].text;
    EXPECT_GT(responses[i].usage.output_tokens, 0);
  }
  EXPECT_EQ(counter(emulator, "generate_content_calls"), 40);
}

}  // namespace
}  // namespace pipehost::gemini
