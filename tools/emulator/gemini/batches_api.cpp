#include "emulator/gemini/batches_api.hpp"

#include <charconv>

#include "emulator/gemini/google_error.hpp"
#include "emulator/util/ids.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator {

namespace {

std::size_t parse_size(const std::string& text, std::size_t fallback) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return fallback;
  return value;
}

}  // namespace

BatchesApi::BatchesApi(EmulatorContext& context, FileStore& files, ContentGenerator& generator)
    : context_(context), files_(files), processor_(context, files, generator) {}

BatchesApi::~BatchesApi() {
  shutdown();
}

void BatchesApi::shutdown() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, batch] : batches_) batch->stop = true;
    workers = std::move(workers_);
  }
  for (auto& worker : workers) worker.join();
}

std::shared_ptr<Batch> BatchesApi::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = batches_.find(id);
  if (it == batches_.end()) throw HttpError(404, "NOT_FOUND", "Requested entity was not found.");
  return it->second;
}

Response BatchesApi::create(Request& request, const std::string& model) {
  context_.stats.add("batch_create_attempts");
  std::string body = request.body->read_all();
  if (context_.faults.take_create_429()) {
    double delay = context_.faults.config().retry_delay_s;
    return google_error(
        429, "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota). You have exceeded the enqueued-token "
        "limit for batch jobs.",
        quota_failure_details("generativelanguage.googleapis.com/batch_enqueued_tokens",
                              "BatchEnqueuedTokensPerModelPerTier", delay));
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) throw HttpError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
  const json::object* batch_json = find_object(parsed.get_object(), {"batch"});
  if (!batch_json) batch_json = &parsed.get_object();
  const json::object* input = find_object(*batch_json, {"inputConfig", "input_config"});
  if (!input) throw HttpError(400, "INVALID_ARGUMENT", "batch.inputConfig is required.");

  auto batch = std::make_shared<Batch>();
  batch->display_name = string_or(*batch_json, {"displayName", "display_name"});
  batch->model = model;
  std::string file_name = string_or(*input, {"fileName", "file_name"});
  const json::object* requests = find_object(*input, {"requests"});
  if (file_name.empty() && requests) file_name = string_or(*requests, {"fileName", "file_name"});
  if (!file_name.empty()) {
    batch->input_file_id = strip_files_prefix(file_name);
    if (!files_.get(batch->input_file_id)) {
      throw HttpError(404, "NOT_FOUND", "File " + file_name + " was not found.");
    }
    batch->input_config = json::object{{"fileName", "files/" + batch->input_file_id}};
  } else if (requests) {
    const json::value* list = find_any(*requests, {"requests"});
    if (!list || !list->is_array()) {
      throw HttpError(400, "INVALID_ARGUMENT", "batch.inputConfig.requests.requests must be an array.");
    }
    batch->inline_mode = true;
    batch->inline_requests = list->get_array();
    batch->input_config = json::object{{"requests", *requests}};
  } else {
    throw HttpError(400, "INVALID_ARGUMENT", "batch.inputConfig needs fileName or requests.");
  }

  FaultConfig faults = context_.faults.config();
  batch->created = WallClock::now();
  batch->duration = std::chrono::milliseconds(faults.batch_ms);
  batch->line_faults = {faults.line_error, faults.fenced, faults.prose};
  if (context_.faults.draw_batch_fail()) {
    batch->fate = BatchFate::fail;
  } else if (context_.faults.draw_batch_expire()) {
    batch->fate = BatchFate::expire;
  }
  batch->seed = context_.faults.next_batch_seed();
  if (batch->inline_mode) batch->request_count = static_cast<std::int64_t>(batch->inline_requests.size());

  {
    std::lock_guard lock(mutex_);
    batch->id = base36_id(0xBA7C4, next_++);
    batches_[batch->id] = batch;
    order_.push_back(batch->id);
    if (batch->fate == BatchFate::succeed) {
      workers_.emplace_back([this, batch] { processor_.process(*batch); });
    } else {
      std::lock_guard batch_lock(batch->mutex);
      batch->processing_done = true;  // a failed or expired batch produces no output
      batch->processed_at = batch->created;
    }
  }
  context_.stats.add("batches_created");
  context_.stats.add_keyed("batch_creates_by_display_name", batch->display_name);
  return Response::json(200, json::serialize(batch->operation(batch->created)));
}

Response BatchesApi::get(const std::string& id) {
  return Response::json(200, json::serialize(find(id)->operation(WallClock::now())));
}

Response BatchesApi::list(const Request& request) {
  std::vector<std::shared_ptr<Batch>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      all.push_back(batches_.at(*it));  // newest first
  }
  std::size_t page_size = std::clamp<std::size_t>(parse_size(request.query_value("pageSize"), 10), 1, 1000);
  std::size_t start = parse_size(request.query_value("pageToken"), 0);
  auto now = WallClock::now();
  json::array page;
  for (std::size_t i = start; i < all.size() && page.size() < page_size; ++i)
    page.push_back(all[i]->operation(now));
  json::object out;
  out["operations"] = std::move(page);
  if (start + page_size < all.size()) out["nextPageToken"] = std::to_string(start + page_size);
  return Response::json(200, json::serialize(out));
}

Response BatchesApi::cancel(const std::string& id) {
  auto batch = find(id);
  if (!is_terminal(batch->state_at(WallClock::now()))) {
    batch->stop = true;
    std::lock_guard lock(batch->mutex);
    batch->cancelled = true;
    batch->cancelled_at = WallClock::now();
  }
  return Response::json(200, "{}");
}

Response BatchesApi::remove(const std::string& id) {
  auto batch = find(id);
  batch->stop = true;
  std::lock_guard lock(mutex_);
  batches_.erase(id);
  std::erase(order_, id);
  return Response::json(200, "{}");
}

std::map<std::string, std::int64_t> BatchesApi::count_by_state() const {
  std::vector<std::shared_ptr<Batch>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, batch] : batches_) all.push_back(batch);
  }
  std::map<std::string, std::int64_t> counts;
  auto now = WallClock::now();
  for (const auto& batch : all) ++counts[batch_state_name(batch->state_at(now))];
  return counts;
}

}  // namespace pipehost::emulator
