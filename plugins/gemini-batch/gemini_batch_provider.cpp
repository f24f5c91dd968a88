#include "gemini_batch_provider.hpp"

#include <filesystem>
#include <stdexcept>

#include "jsonl_writer.hpp"
#include "pricing.hpp"
#include "response_decoder.hpp"

namespace pipehost::gemini {

namespace {

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

const char* state_name(JobState state) {
  switch (state) {
    case JobState::pending:
      return "PENDING";
    case JobState::running:
      return "RUNNING";
    case JobState::succeeded:
      return "SUCCEEDED";
    case JobState::failed:
      return "FAILED";
    case JobState::cancelled:
      return "CANCELLED";
    case JobState::expired:
      return "EXPIRED";
  }
  return "UNKNOWN";
}

GeminiConfig checked(GeminiConfig config) {
  check_config(config);
  return config;
}

}  // namespace

GeminiBatchProvider::GeminiBatchProvider(const StageContext& context, GeminiConfig config)
    : host_(context.host), config_(checked(std::move(config))) {}

Status GeminiBatchProvider::capabilities(ProviderCapabilities& capabilities) {
  capabilities = ProviderCapabilities{};
  capabilities.batch = true;
  capabilities.online = true;
  capabilities.max_bytes_per_job = static_cast<std::uint64_t>(config_.max_batch_bytes);
  // 0 = the host decides (its engine reads online_concurrency from the provider section itself).
  capabilities.max_online_concurrency = 0;
  return Status::ok();
}

Status GeminiBatchProvider::model(ModelInfo& info) {
  info = model_info(config_.model);
  return Status::ok();
}

Status GeminiBatchProvider::start() try {
  std::string key;
  Status found = host_.secret(config_.api_key_env, key);
  if (!found.is_ok()) {
    return Status::fatal("gemini-batch needs an API key in the environment variable " + config_.api_key_env +
                         " (" + found.message() + ")");
  }
  HttpClientOptions options;
  options.ca_file = config_.ca_file.value_or("");
  options.insecure_skip_verify = config_.insecure_skip_verify;
  // Enough idle keep-alive connections for the host's online concurrency (idle ones expire after 30 s).
  // The host may run many jobs and online calls at once; keep their connections alive.
  options.max_idle_per_host = 64;
  Status made;
  auto http = host_.http(options, made);
  if (!http) return made.is_ok() ? Status::fatal("the host gave no HTTP client") : made;
  api_ = std::make_unique<GeminiApi>(config_, host_, std::move(http), std::move(key));
  remove_leftover_request_files();
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

void GeminiBatchProvider::remove_leftover_request_files() {
  // A process killed between writing a job's request file and uploading it leaves the file behind;
  // the job is written again from the ledger when it is retried, so the file is never read again.
  try {
    for (const auto& entry : std::filesystem::directory_iterator(host_.scratch_dir())) {
      if (entry.path().extension() == ".jsonl") std::filesystem::remove(entry.path());
    }
  } catch (const std::exception& e) {
    host_.log(LogLevel::warn, std::string("cannot remove leftover request files: ") + e.what());
  }
}

Status GeminiBatchProvider::require_started() const {
  if (!api_) return Status::fatal("gemini-batch: start() must succeed before any API call");
  return Status::ok();
}

Status GeminiBatchProvider::encoded_size(const Request& request, std::uint64_t& bytes) {
  try {
    bytes = encoder_.line_size(request);
  } catch (const std::exception& e) {
    return Status::fatal("request for key '" + request.key + "': " + e.what());
  }
  return Status::ok();
}

std::string GeminiBatchProvider::scratch_path(const std::string& display_name) const {
  std::string safe;
  for (char c : display_name) {
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  }
  if (safe.empty()) safe = "batch";
  return (std::filesystem::path(host_.scratch_dir()) / (safe + ".jsonl")).string();
}

Status GeminiBatchProvider::upload_input(const std::string& display_name,
                                         const std::vector<Request>& requests, std::string& file_name) {
  {
    std::lock_guard lock(mutex_);
    auto it = uploaded_.find(display_name);
    if (it != uploaded_.end() && it->second.count == requests.size() &&
        it->second.first_key == requests.front().key && it->second.last_key == requests.back().key) {
      file_name = it->second.file_name;
      host_.log(LogLevel::info, "reusing the uploaded " + file_name + " for " + display_name);
      return Status::ok();
    }
  }
  std::string path = scratch_path(display_name);
  std::uint64_t bytes = 0;
  Status written = write_jsonl(encoder_, requests, path, bytes);
  if (!written.is_ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return written;
  }
  const auto max_bytes = static_cast<std::uint64_t>(config_.max_batch_bytes);
  if (bytes > max_bytes) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return Status::fatal("batch " + display_name + " is " + megabytes(bytes) + ", over max_batch_bytes (" +
                         megabytes(max_bytes) + ")");
  }
  host_.log(LogLevel::debug, "wrote " + std::to_string(requests.size()) + " requests (" + megabytes(bytes) +
                                 ") for " + display_name);
  Status uploaded = api_->upload_file(path, display_name, file_name);
  if (!uploaded.is_ok()) return uploaded;  // the scratch file stays for the retry
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::lock_guard lock(mutex_);
  uploaded_[display_name] =
      UploadedInput{file_name, requests.size(), requests.front().key, requests.back().key};
  return Status::ok();
}

Status GeminiBatchProvider::submit(const std::string& display_name, const std::vector<Request>& requests,
                                   std::string& handle) try {
  if (Status started = require_started(); !started.is_ok()) return started;
  if (requests.empty()) return Status::fatal("submit: a batch needs at least one request");
  handle.clear();

  bool check_first = false;
  {
    std::lock_guard lock(mutex_);
    check_first = ambiguous_creates_.contains(display_name);
  }
  if (check_first) {
    // The last create may have succeeded although we saw an error: never pay for a batch twice.
    Status looked = find(display_name, handle);
    if (!looked.is_ok()) return looked;
    if (!handle.empty()) {
      std::lock_guard lock(mutex_);
      ambiguous_creates_.erase(display_name);
      uploaded_.erase(display_name);
      host_.log(LogLevel::info, "batch " + display_name + " had been created after all: " + handle);
      return Status::ok();
    }
  }

  std::string file_name;
  Status uploaded = upload_input(display_name, requests, file_name);
  if (!uploaded.is_ok()) return uploaded;

  BatchInfo info;
  bool ambiguous = false;
  Status created = api_->create_batch(display_name, file_name, info, ambiguous);
  std::lock_guard lock(mutex_);
  if (!created.is_ok()) {
    if (ambiguous) ambiguous_creates_.insert(display_name);
    return created;
  }
  ambiguous_creates_.erase(display_name);
  uploaded_.erase(display_name);
  handle = info.name;
  host_.log(LogLevel::info, "created " + handle + " (" + display_name + ", " +
                                std::to_string(requests.size()) + " requests)");
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status GeminiBatchProvider::poll(const std::string& handle, JobStatus& status) {
  if (Status started = require_started(); !started.is_ok()) return started;
  BatchInfo info;
  Status got = api_->get_batch(handle, info);
  if (!got.is_ok()) return got;
  status = info.status;
  return Status::ok();
}

Status GeminiBatchProvider::fetch(const std::string& handle,
                                  const std::function<Status(Response&&)>& on_response) try {
  if (Status started = require_started(); !started.is_ok()) return started;
  BatchInfo info;
  std::string body;
  Status got = api_->get_batch(handle, info, &body);
  if (!got.is_ok()) return got;
  if (!is_terminal(info.status.state)) {
    return Status::retry(handle + " is not finished yet (" + state_name(info.status.state) + ")");
  }
  std::uint64_t lines = 0;
  std::uint64_t unreadable = 0;
  Status fetched;
  if (!info.responses_file.empty()) {
    fetched = api_->download_lines(info.responses_file, [&](std::string_view line) -> Status {
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::ok();
      Response response;
      Status decoded = decode_output_line(line, response);
      if (!decoded.is_ok()) {
        // Its row stays unanswered; the host retries it in a later job.
        if (unreadable++ < 5)
          host_.log(LogLevel::warn, handle + ": output line skipped: " + decoded.message());
        return Status::ok();
      }
      ++lines;
      price_tool_uses(config_.model, response);
      return on_response(std::move(response));
    });
  } else if (info.has_inline_responses) {
    fetched = for_each_inline_response(body, [&](Response&& response) {
      ++lines;
      price_tool_uses(config_.model, response);
      return on_response(std::move(response));
    });
  } else {
    std::string why = info.status.message.empty() ? "" : ": " + info.status.message;
    return Status::fatal(handle + " ended " + state_name(info.status.state) + " without results" + why);
  }
  if (!fetched.is_ok()) return fetched;
  if (unreadable > 0) host_.progress("unreadable_output_lines", static_cast<std::int64_t>(unreadable));
  host_.log(LogLevel::info, "fetched " + std::to_string(lines) + " responses of " + handle);
  if (config_.delete_input_file && !info.input_file.empty()) {
    Status deleted = api_->delete_file(info.input_file);
    if (!deleted.is_ok())
      host_.log(LogLevel::debug, "could not delete " + info.input_file + ": " + deleted.message());
  }
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status GeminiBatchProvider::cancel(const std::string& handle) {
  if (Status started = require_started(); !started.is_ok()) return started;
  return api_->cancel_batch(handle);
}

Status GeminiBatchProvider::find(const std::string& display_name, std::string& handle) {
  if (Status started = require_started(); !started.is_ok()) return started;
  handle.clear();
  std::string newest_time;
  int matches = 0;
  Status listed = api_->list_batches([&](const BatchInfo& info) {
    if (info.display_name != display_name) return true;
    ++matches;
    if (handle.empty() || info.create_time > newest_time) {
      handle = info.name;
      newest_time = info.create_time;
    }
    return true;
  });
  if (!listed.is_ok()) return listed;
  if (matches > 1) {
    host_.log(LogLevel::warn, std::to_string(matches) + " batches are named " + display_name +
                                  "; using the newest, " + handle);
  }
  return Status::ok();
}

Status GeminiBatchProvider::call(const Request& request, Response& response) {
  if (Status started = require_started(); !started.is_ok()) return started;
  std::string body;
  try {
    encoder_.append_request(body, request);
  } catch (const std::exception& e) {
    return Status::fatal("request for key '" + request.key + "': " + e.what());
  }
  HttpResponse http;
  Status sent = api_->generate_content(body, http);
  if (!sent.is_ok()) return sent;
  response = Response{};
  response.key = request.key;
  if (http.status >= 200 && http.status < 300) {
    Status decoded = decode_generate_content(http.body, response);
    if (!decoded.is_ok())
      return Status::retry("generateContent for key '" + request.key + "': " + decoded.message());
    response.key = request.key;
    price_tool_uses(config_.model, response);
    return Status::ok();
  }
  Status error = api_error("generateContent for key '" + request.key + "'", http.status, http.body,
                           http.header("retry-after"));
  if (http.status == 400) {
    // This request is wrong, not the service: the row fails, the run goes on.
    response.error = ResponseError{"INVALID_ARGUMENT", error.message(), false};
    response.raw_json = http.body;
    return Status::ok();
  }
  return error;
}

}  // namespace pipehost::gemini
