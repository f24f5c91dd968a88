#include "emulator/anthropic/message_batches_api.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <unordered_set>

#include <boost/json.hpp>

#include "emulator/anthropic/anthropic_error.hpp"
#include "emulator/util/ids.hpp"

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

constexpr std::size_t kDefaultListLimit = 20;
constexpr std::size_t kMaxListLimit = 1000;

/// ^[a-zA-Z0-9_-]{1,64}$
bool valid_custom_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

HttpError too_large() {
  return HttpError(413, "request_too_large", "Request exceeds the maximum size of a batch (256 MB)");
}

/// Parses the body as it arrives, so a 256 MB batch is held once (as JSON), not twice.
json::value parse_streamed_body(Request& request, json::monotonic_resource& resource) {
  if (request.body->content_length().value_or(0) > kMaxBatchBytes) throw too_large();
  json::stream_parser parser;
  parser.reset(&resource);
  std::vector<char> buffer(1u << 16);
  std::size_t received = 0;
  boost::system::error_code ec;
  while (std::size_t got = request.body->read_some(buffer.data(), buffer.size())) {
    received += got;
    if (received > kMaxBatchBytes) throw too_large();
    parser.write(buffer.data(), got, ec);
    if (ec) throw invalid_request("There was an error parsing the body: " + ec.message());
  }
  parser.finish(ec);
  if (ec) throw invalid_request("There was an error parsing the body: " + ec.message());
  return parser.release();
}

HttpError not_found(const std::string& id) {
  return HttpError(404, "not_found_error", "message_batch " + id + " not found");
}

}  // namespace

MessageBatchesApi::MessageBatchesApi(EmulatorContext& context, PromptCache& cache, AnthropicStats& stats)
    : context_(context),
      stats_(stats),
      runner_(cache, stats, context.faults),
      dir_(context.state_dir / "anthropic") {}

MessageBatchesApi::~MessageBatchesApi() {
  shutdown();
}

void MessageBatchesApi::shutdown() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, batch] : batches_) {
      std::lock_guard batch_lock(batch->mutex);
      batch->stop = true;
      batch->changed.notify_all();
    }
    workers = std::move(workers_);
  }
  for (auto& worker : workers) worker.join();
}

std::shared_ptr<MessageBatch> MessageBatchesApi::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = batches_.find(id);
  if (it == batches_.end()) throw not_found(id);
  return it->second;
}

Response MessageBatchesApi::create(Request& request) {
  json::monotonic_resource resource;
  json::value parsed = parse_streamed_body(request, resource);
  if (context_.faults.take_create_429()) {
    throw HttpError(429, "rate_limit_error",
                    "Number of batch requests waiting to be processed exceeds your rate limit (emulated "
                    "create_429 fault)");
  }
  if (!parsed.is_object()) throw invalid_request("There was an error parsing the body: not a JSON object");
  auto requests_it = parsed.get_object().find("requests");
  if (requests_it == parsed.get_object().end()) throw invalid_request("requests: Field required");
  const json::array* requests = requests_it->value().if_array();
  if (!requests) throw invalid_request("requests: Input should be a valid list");
  if (requests->empty())
    throw invalid_request("requests: List should have at least 1 item after validation, not 0");
  if (requests->size() > kMaxBatchRequests) {
    throw invalid_request("requests: List should have at most " + std::to_string(kMaxBatchRequests) +
                          " items after validation, not " + std::to_string(requests->size()));
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(requests->size());
  for (std::size_t i = 0; i < requests->size(); ++i) {
    std::string at = "requests." + std::to_string(i);
    const json::object* item = (*requests)[i].if_object();
    if (!item) throw invalid_request(at + ": Input should be an object");
    auto id = item->find("custom_id");
    if (id == item->end()) throw invalid_request(at + ".custom_id: Field required");
    if (!id->value().is_string() || !valid_custom_id(id->value().get_string()))
      throw invalid_request(at + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
    if (!seen.insert(id->value().get_string()).second) {
      throw invalid_request(at + ".custom_id: Duplicate custom_id '" + std::string(id->value().get_string()) +
                            "'; each custom_id must be unique within the batch");
    }
    auto params = item->find("params");
    if (params == item->end()) throw invalid_request(at + ".params: Field required");
    if (!params->value().is_object()) throw invalid_request(at + ".params: Input should be an object");
  }

  auto batch = std::make_shared<MessageBatch>();
  {
    std::lock_guard lock(mutex_);
    batch->id = "msgbatch_01" + base36_id(0xA7B1C, next_++);
  }
  std::filesystem::create_directories(dir_);
  batch->requests_path = dir_ / (batch->id + ".requests.jsonl");
  batch->results_path = dir_ / (batch->id + ".results.jsonl");
  {
    // The params are spilled to disk so a 256 MB batch does not stay in memory while it runs.
    std::ofstream out(batch->requests_path, std::ios::binary | std::ios::trunc);
    for (const auto& item : *requests) {
      const json::object& object = item.get_object();
      out << json::serialize(
                 json::object{{"custom_id", object.at("custom_id")}, {"params", object.at("params")}})
          << '\n';
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + batch->requests_path.string());
  }

  FaultConfig faults = context_.faults.config();
  batch->created = WallClock::now();
  batch->duration = std::chrono::milliseconds(faults.batch_ms);
  batch->faults = {faults.line_error, faults.fenced, faults.prose};
  batch->request_count = static_cast<std::int64_t>(requests->size());
  if (context_.faults.draw_batch_fail()) {
    batch->fate = BatchFate::error;
  } else if (context_.faults.draw_batch_expire()) {
    batch->fate = BatchFate::expire;
  }
  batch->seed = context_.faults.next_batch_seed();
  json::object created = batch->to_json(context_.base_url);
  {
    std::lock_guard lock(mutex_);
    batches_[batch->id] = batch;
    order_.push_back(batch->id);
    workers_.emplace_back([this, batch] { runner_.run(*batch); });
  }
  stats_.batch_created();
  return Response::json(200, json::serialize(created));
}

Response MessageBatchesApi::get(const std::string& id) {
  return Response::json(200, json::serialize(find(id)->to_json(context_.base_url)));
}

Response MessageBatchesApi::list(const Request& request) {
  std::size_t limit = kDefaultListLimit;
  if (request.has_query("limit")) {
    std::string text = request.query_value("limit");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > kMaxListLimit)
      throw invalid_request("limit: Input should be an integer between 1 and 1000");
  }
  std::string after = request.query_value("after_id"), before = request.query_value("before_id");
  if (!after.empty() && !before.empty())
    throw invalid_request("Only one of before_id and after_id may be given");

  std::vector<std::shared_ptr<MessageBatch>> all;
  std::size_t cursor = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      all.push_back(batches_.at(*it));  // newest first
    const std::string& anchor = after.empty() ? before : after;
    if (!anchor.empty()) {
      auto at = std::find(order_.rbegin(), order_.rend(), anchor);
      if (at == order_.rend())
        throw invalid_request((after.empty() ? "before_id" : "after_id") + std::string(": no batch ") +
                              anchor);
      cursor = static_cast<std::size_t>(at - order_.rbegin());
    }
  }
  std::size_t begin = 0, end = 0;
  bool has_more = false;
  if (!before.empty()) {  // the `limit` batches just newer than before_id
    end = cursor;
    begin = end > limit ? end - limit : 0;
    has_more = begin > 0;
  } else {
    begin = after.empty() ? 0 : cursor + 1;
    end = std::min(all.size(), begin + limit);
    has_more = end < all.size();
  }
  json::array data;
  for (std::size_t i = begin; i < end; ++i) data.push_back(all[i]->to_json(context_.base_url));
  json::object out;
  out["data"] = std::move(data);
  out["has_more"] = has_more;
  out["first_id"] = begin < end ? json::value(all[begin]->id) : json::value(nullptr);
  out["last_id"] = begin < end ? json::value(all[end - 1]->id) : json::value(nullptr);
  return Response::json(200, json::serialize(out));
}

Response MessageBatchesApi::cancel(const std::string& id) {
  auto batch = find(id);
  {
    std::lock_guard lock(batch->mutex);
    if (!batch->ended && !batch->cancel_initiated) {
      batch->cancel_initiated = WallClock::now();
      batch->changed.notify_all();
    }
  }
  return Response::json(200, json::serialize(batch->to_json(context_.base_url)));
}

Response MessageBatchesApi::remove(const std::string& id) {
  auto batch = find(id);
  if (!batch->is_ended()) {
    throw invalid_request("message_batch " + id +
                          " cannot be deleted while it is processing; cancel it and wait until it has ended");
  }
  {
    std::lock_guard lock(mutex_);
    batches_.erase(id);
    std::erase(order_, id);
  }
  return Response::json(200, json::serialize(json::object{{"id", id}, {"type", "message_batch_deleted"}}));
}

Response MessageBatchesApi::results(const std::string& id) {
  auto batch = find(id);
  {
    std::lock_guard lock(batch->mutex);
    if (!batch->ended) {
      throw HttpError(404, "not_found_error",
                      "message_batch " + id + " has not ended yet; its results are not available");
    }
    if (!batch->results_available)
      throw HttpError(500, "api_error", "the emulator could not write the results of " + id);
  }
  Response response;
  response.content_type = "application/binary";
  response.file =
      Response::FileSlice{batch->results_path, 0, std::filesystem::file_size(batch->results_path)};
  if (context_.faults.take_drop_download()) {
    response.ending = Response::Ending::reset;
  } else if (context_.faults.take_truncate_download()) {
    response.ending = Response::Ending::truncate;
  }
  return response;
}

}  // namespace pipehost::emulator::anthropic
