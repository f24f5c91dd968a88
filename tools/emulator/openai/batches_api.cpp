#include "emulator/openai/batches_api.hpp"

#include <charconv>
#include <cmath>

#include "emulator/openai/ids.hpp"
#include "emulator/openai/list_page.hpp"
#include "emulator/openai/openai_error.hpp"

namespace pipehost::emulator::openai {

namespace json = boost::json;

namespace {

// Every endpoint the real Batch API accepts; the emulator answers the first two.
const char* const kEndpoints[] = {"/v1/chat/completions", "/v1/responses",   "/v1/embeddings",
                                  "/v1/completions",      "/v1/moderations", "/v1/images/generations",
                                  "/v1/images/edits",     "/v1/videos"};
constexpr std::size_t kMaxMetadataPairs = 16;
constexpr std::size_t kMaxMetadataKey = 64;
constexpr std::size_t kMaxMetadataValue = 512;

std::string required_string(const json::object& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->value().is_string() || it->value().get_string().empty()) {
    throw OpenAiError(400, std::string("Missing required parameter: '") + name + "'.",
                      "invalid_request_error", name, "missing_required_parameter");
  }
  return std::string(it->value().get_string());
}

json::value checked_metadata(const json::object& body) {
  auto it = body.find("metadata");
  if (it == body.end() || it->value().is_null()) return nullptr;
  const json::object* metadata = it->value().if_object();
  auto invalid = [](const std::string& why) {
    return OpenAiError(400, "Invalid 'metadata': " + why, "invalid_request_error", "metadata",
                       "invalid_value");
  };
  if (!metadata) throw invalid("expected an object of string values.");
  if (metadata->size() > kMaxMetadataPairs) throw invalid("at most 16 key-value pairs are allowed.");
  for (const auto& [key, value] : *metadata) {
    if (key.size() > kMaxMetadataKey) throw invalid("keys may be at most 64 characters long.");
    if (!value.is_string()) throw invalid("values must be strings.");
    if (value.get_string().size() > kMaxMetadataValue)
      throw invalid("values may be at most 512 characters long.");
  }
  return *metadata;
}

std::size_t parse_limit(const std::string& text, std::size_t fallback) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return fallback;
  return std::clamp<std::size_t>(value, 1, 100);
}

}  // namespace

BatchesApi::BatchesApi(EmulatorContext& context, FileStore& files, PromptCache& cache, OpenAiStats& stats)
    : context_(context), files_(files), stats_(stats), processor_(context, files, cache, stats) {}

BatchesApi::~BatchesApi() {
  shutdown();
}

void BatchesApi::shutdown() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, batch] : batches_) {
      std::lock_guard batch_lock(batch->mutex);
      batch->stop = true;
      batch->wake.notify_all();
    }
    workers = std::move(workers_);
  }
  for (auto& worker : workers) worker.join();
}

std::shared_ptr<Batch> BatchesApi::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = batches_.find(id);
  if (it == batches_.end()) throw not_found("Batch", id, "batch_id");
  return it->second;
}

Response BatchesApi::create(Request& request) {
  stats_.add("batch_create_attempts");
  std::string text = request.body->read_all(1 << 20);
  if (context_.faults.take_create_429()) {
    double delay_s = context_.faults.config().retry_delay_s;
    Response refused = openai_error(OpenAiError(429,
                                                "Rate limit reached for batch creation in organization "
                                                "org-emulator on requests per hour: Limit 2000. "
                                                "Please try again later. (emulated create_429 fault)",
                                                "requests", std::nullopt, "rate_limit_exceeded"));
    refused.with_header("retry-after", std::to_string(static_cast<long long>(std::ceil(delay_s))))
        .with_header("retry-after-ms", std::to_string(static_cast<long long>(std::llround(delay_s * 1000))));
    return refused;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    throw OpenAiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
        "your HTTP library correctly. The OpenAI API expects a JSON payload.)");
  }
  const json::object& body = parsed.get_object();
  auto batch = std::make_shared<Batch>();
  batch->input_file_id = required_string(body, "input_file_id");
  batch->endpoint = required_string(body, "endpoint");
  batch->completion_window = required_string(body, "completion_window");
  if (std::find(std::begin(kEndpoints), std::end(kEndpoints), batch->endpoint) == std::end(kEndpoints)) {
    throw OpenAiError(
        400,
        "Invalid value: '" + batch->endpoint +
            "'. Supported values are: '/v1/responses', '/v1/chat/completions', '/v1/embeddings', "
            "'/v1/completions', '/v1/moderations', '/v1/images/generations', '/v1/images/edits' "
            "and '/v1/videos'.",
        "invalid_request_error", "endpoint", "invalid_value");
  }
  auto endpoint = model_endpoint(batch->endpoint);
  if (!endpoint) {
    throw OpenAiError(400, "The emulator answers only /v1/chat/completions and /v1/responses batches.",
                      "invalid_request_error", "endpoint", "invalid_value");
  }
  batch->model_endpoint = *endpoint;
  if (batch->completion_window != "24h") {
    throw OpenAiError(400, "Invalid value: '" + batch->completion_window + "'. Supported values are: '24h'.",
                      "invalid_request_error", "completion_window", "invalid_value");
  }
  batch->metadata = checked_metadata(body);
  if (const json::object* metadata = batch->metadata.if_object()) {
    if (auto it = metadata->find("name"); it != metadata->end())
      batch->name = std::string(it->value().get_string());
  }
  auto input = files_.get(batch->input_file_id);
  if (!input) throw not_found("File", batch->input_file_id, "input_file_id");
  if (input->purpose != "batch") {
    throw OpenAiError(400,
                      "The input file must be uploaded with purpose 'batch', not '" + input->purpose + "'.",
                      "invalid_request_error", "input_file_id", "invalid_value");
  }
  batch->input_path = input->path;

  FaultConfig faults = context_.faults.config();
  batch->created = WallClock::now();
  batch->duration = std::chrono::milliseconds(faults.batch_ms);
  batch->line_faults = {faults.line_error, faults.fenced, faults.prose};
  if (context_.faults.draw_batch_fail()) {
    batch->fate = Fate::fail;
  } else if (context_.faults.draw_batch_expire()) {
    batch->fate = Fate::expire;
  }
  batch->seed = context_.faults.next_batch_seed();
  {
    std::lock_guard lock(mutex_);
    std::uint64_t n = next_++;
    batch->id = "batch_" + hex32(mix64(n ^ 0xBA7C40A1));
    batches_[batch->id] = batch;
    order_.push_back(batch->id);
    workers_.emplace_back([this, batch] { processor_.process(*batch); });
  }
  stats_.batch_created(batch->name);
  return Response::json(200, json::serialize(batch->to_json(batch->created)));
}

Response BatchesApi::get(const std::string& id) {
  return Response::json(200, json::serialize(find(id)->to_json(WallClock::now())));
}

Response BatchesApi::list(const Request& request) {
  std::vector<std::shared_ptr<Batch>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      all.push_back(batches_.at(*it));  // newest first
  }
  auto now = WallClock::now();
  json::object page = list_page(
      all, request.query_value("after"), parse_limit(request.query_value("limit"), 20),
      [](const std::shared_ptr<Batch>& batch) { return batch->id; },
      [&](const std::shared_ptr<Batch>& batch) { return batch->to_json(now); });
  return Response::json(200, json::serialize(page));
}

Response BatchesApi::cancel(const std::string& id) {
  auto batch = find(id);
  auto now = WallClock::now();
  if (auto status = batch->request_cancel(now)) {
    throw OpenAiError(400, std::string("Cannot cancel a batch with status '") + status_name(*status) + "'.");
  }
  return Response::json(200, json::serialize(batch->to_json(now)));
}

std::map<std::string, std::int64_t> BatchesApi::count_by_status() const {
  std::vector<std::shared_ptr<Batch>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, batch] : batches_) all.push_back(batch);
  }
  std::map<std::string, std::int64_t> counts;
  auto now = WallClock::now();
  for (const auto& batch : all) ++counts[status_name(batch->status_at(now))];
  return counts;
}

}  // namespace pipehost::emulator::openai
