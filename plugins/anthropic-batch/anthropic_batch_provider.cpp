#include "anthropic_batch_provider.hpp"

#include <filesystem>

#include "custom_id.hpp"
#include "pricing.hpp"
#include "response_decoder.hpp"

namespace pipehost::anthropic {

namespace {

/// Create bodies are produced in pieces of about this size, never whole in memory.
constexpr std::size_t kBodyChunk = 1 << 20;

}  // namespace

AnthropicBatchProvider::AnthropicBatchProvider(const StageContext& context, AnthropicConfig config)
    : host_(context.host), config_(std::move(config)), encoder_(config_) {
  check_config(config_);
}

Status AnthropicBatchProvider::capabilities(ProviderCapabilities& capabilities) {
  capabilities = ProviderCapabilities{};
  capabilities.batch = true;
  capabilities.online = true;
  capabilities.max_requests_per_job = kMaxRequestsPerBatch;
  capabilities.max_bytes_per_job = kMaxBytesPerBatch;
  capabilities.max_online_concurrency = 0;  // the host decides (online_concurrency)
  capabilities.job_lookup = JobLookup::by_listing;
  return Status::ok();
}

Status AnthropicBatchProvider::model(ModelInfo& info) {
  info = model_info(config_.model, config_.cache_ttl);
  return Status::ok();
}

Status AnthropicBatchProvider::start() {
  std::string key;
  if (Status found = host_.secret(config_.api_key_env, key); !found.is_ok()) {
    return Status::fatal("anthropic-batch needs an API key in the environment variable " +
                         config_.api_key_env + " (" + found.message() + ")");
  }
  HttpClientOptions options;
  options.ca_file = config_.ca_file.value_or("");
  // Enough idle keep-alive connections for the host's online concurrency and jobs in flight.
  options.max_idle_per_host = 64;
  Status made;
  auto http = host_.http(options, made);
  if (!http) return made.is_ok() ? Status::fatal("the host gave no HTTP client") : made;
  options.max_idle_per_host = 0;
  auto create_http = host_.http(options, made);
  if (!create_http) return made.is_ok() ? Status::fatal("the host gave no HTTP client") : made;
  std::string book = (std::filesystem::path(host_.scratch_dir()) / "custom-ids.jsonl").string();
  if (Status opened = book_.open(book); !opened) return opened;
  api_ =
      std::make_unique<AnthropicApi>(config_, host_, std::move(http), std::move(create_http), std::move(key));
  return Status::ok();
}

Status AnthropicBatchProvider::require_started() const {
  if (!api_) return Status::fatal("anthropic-batch: start() must succeed before any API call");
  return Status::ok();
}

Status AnthropicBatchProvider::encoded_size(const Request& request, std::uint64_t& bytes) {
  Status sized = encoder_.batch_item_size(encode_custom_id(request.key), request, bytes);
  if (!sized) return sized.with_context("request for key '" + request.key + "'");
  bytes += 1;  // the comma between items
  return Status::ok();
}

Status AnthropicBatchProvider::submit(const std::string& display_name, const std::vector<Request>& requests,
                                      std::string& handle) {
  if (Status started = require_started(); !started) return started;
  if (requests.empty()) return Status::fatal("submit: a batch needs at least one request");
  if (requests.size() > kMaxRequestsPerBatch)
    return Status::fatal("submit: " + std::to_string(requests.size()) + " requests, over the API's " +
                         std::to_string(kMaxRequestsPerBatch) + " per batch");
  handle.clear();

  // Every custom_id, and the durable record of the hashed ones, before the batch can exist.
  std::vector<std::string> ids;
  ids.reserve(requests.size());
  std::vector<std::pair<std::string, std::string>> hashed;
  std::uint64_t length = sizeof(R"({"requests":[]})") - 1;
  for (const auto& request : requests) {
    ids.push_back(encode_custom_id(request.key));
    if (is_hashed_custom_id(ids.back())) hashed.emplace_back(ids.back(), request.key);
    std::uint64_t size = 0;
    Status sized = encoder_.batch_item_size(ids.back(), request, size);
    if (!sized) return sized.with_context("request for key '" + request.key + "'");
    length += size + (ids.size() > 1 ? 1 : 0);
  }
  if (length > 256ull * 1000 * 1000)
    return Status::fatal("submit: the batch body is " + std::to_string(length) +
                         " bytes, over the API's 256 MB");
  if (Status recorded = book_.record(hashed); !recorded) return recorded;

  // The body is produced as it is sent, from the requests the host keeps until the create returns.
  std::size_t next = 0;
  bool opened = false, closed = false;
  auto producer = [&](std::string& chunk) -> Status {
    if (!opened) {
      chunk += R"({"requests":[)";
      opened = true;
    }
    while (next < requests.size() && chunk.size() < kBodyChunk) {
      if (next > 0) chunk += ',';
      if (Status item = encoder_.append_batch_item(chunk, ids[next], requests[next]); !item) return item;
      ++next;
    }
    if (next == requests.size() && !closed && chunk.size() < kBodyChunk) {
      chunk += "]}";
      closed = true;
    }
    return Status::ok();
  };
  BatchInfo info;
  Status created = api_->create_batch(producer, length, info);
  if (!created) return created.with_context(display_name);
  handle = info.id;
  host_.log(LogLevel::info, "created " + handle + " (" + display_name + ", " +
                                std::to_string(requests.size()) + " requests, " + std::to_string(length) +
                                " bytes)");
  return Status::ok();
}

Status AnthropicBatchProvider::poll(const std::string& handle, JobStatus& status) {
  if (Status started = require_started(); !started) return started;
  BatchInfo info;
  if (Status got = api_->get_batch(handle, info); !got) return got;
  status = info.status();
  return Status::ok();
}

Status AnthropicBatchProvider::fetch(const std::string& handle,
                                     const std::function<Status(Response&&)>& on_response) {
  if (Status started = require_started(); !started) return started;
  BatchInfo info;
  if (Status got = api_->get_batch(handle, info); !got) return got;
  if (info.processing_status != "ended")
    return Status::retry(handle + " has not ended yet (" + info.processing_status + ")");
  std::uint64_t answers = 0, canceled = 0, unreadable = 0, strangers = 0;
  Status caller;  // a stop asked by the host is returned as it is
  Status streamed = api_->results_lines(info, [&](std::string_view line) -> Status {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::ok();
    std::string custom_id;
    ResultType type = ResultType::succeeded;
    Response response;
    if (Status decoded = decode_result_line(line, custom_id, type, response); !decoded) {
      // Its row stays unanswered; the host sends it again in a later job.
      if (unreadable++ < 5)
        host_.log(LogLevel::warn, handle + ": results line skipped: " + decoded.message());
      return Status::ok();
    }
    if (type == ResultType::canceled) {
      ++canceled;
      return Status::ok();
    }
    if (!key_of_custom_id(custom_id, book_, response.key)) {
      // Not an id this plugin makes (a stranger's batch adopted by listing): the host sees an answer
      // for no row of the job, which is how it finds out.
      if (strangers++ < 3)
        host_.log(LogLevel::warn, handle + ": result for a custom_id this plugin never made: " + custom_id);
      response.key.clear();
    }
    ++answers;
    caller = on_response(std::move(response));
    return caller;
  });
  if (!caller) return caller;
  if (!streamed) return streamed;
  if (unreadable) host_.progress("unreadable_output_lines", static_cast<std::int64_t>(unreadable));
  host_.log(LogLevel::info, "fetched " + std::to_string(answers) + " results of " + handle +
                                (canceled ? " (" + std::to_string(canceled) + " canceled)" : ""));
  return Status::ok();
}

Status AnthropicBatchProvider::cancel(const std::string& handle) {
  if (Status started = require_started(); !started) return started;
  return api_->cancel_batch(handle);
}

Status AnthropicBatchProvider::list_jobs(double created_since, std::vector<JobSummary>& jobs) {
  if (Status started = require_started(); !started) return started;
  // Newest first: stop after a whole page older than created_since (a page is 100 batches, so a
  // batch listed slightly out of order is still seen).
  std::size_t seen_on_page = 0, older_on_page = 0;
  return api_->list_batches([&](const BatchInfo& batch) {
    if (batch.created_at >= created_since)
      jobs.push_back(batch.summary());
    else
      ++older_on_page;
    if (++seen_on_page < 100) return true;
    bool page_all_older = older_on_page == seen_on_page;
    seen_on_page = older_on_page = 0;
    return !page_all_older;
  });
}

Status AnthropicBatchProvider::call(const Request& request, Response& response) {
  if (Status started = require_started(); !started) return started;
  std::string body;
  if (Status encoded = encoder_.append_params(body, request); !encoded)
    return encoded.with_context("request for key '" + request.key + "'");
  HttpResponse http;
  if (Status sent = api_->create_message(body, http); !sent) return sent;
  response = Response{};
  response.key = request.key;
  const std::string what = "message for key '" + request.key + "'";
  if (http.status >= 200 && http.status < 300) {
    if (Status decoded = decode_message(http.body, response); !decoded)
      return Status::retry(what + ": " + decoded.message());
    response.key = request.key;
    return Status::ok();
  }
  Status error = api_status(http, what);
  if (http.status == 400 || http.status == 413 || http.status == 422) {
    // This request is wrong, not the service: the row fails, the run goes on.
    Value body_json;
    std::string parse_error, type = "invalid_request_error";
    if (parse_json(http.body, body_json, parse_error))
      if (const Value* inner = body_json.is_object() ? body_json.find("error") : nullptr;
          inner && inner->is_object())
        if (const Value* t = inner->find("type"); t && t->is_string()) type = t->as_string();
    response.error = ResponseError{type, error.message(), false};
    response.finish = FinishStatus::error;
    response.raw_json = http.body;
    return Status::ok();
  }
  return error;
}

}  // namespace pipehost::anthropic
