#include "openai_batch_provider.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pricing.hpp"

namespace pipehost::openai {

namespace {

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

OpenAIConfig checked(OpenAIConfig config) {
  check_config(config);
  return config;
}

}  // namespace

OpenAIBatchProvider::OpenAIBatchProvider(const StageContext& context, OpenAIConfig config)
    : host_(context.host), config_(checked(std::move(config))), encoder_(config_.model, config_.endpoint) {}

Status OpenAIBatchProvider::capabilities(ProviderCapabilities& capabilities) {
  capabilities = ProviderCapabilities{};
  capabilities.batch = true;
  capabilities.online = true;
  capabilities.max_requests_per_job = static_cast<std::uint64_t>(config_.max_batch_requests);
  capabilities.max_bytes_per_job = static_cast<std::uint64_t>(config_.max_batch_bytes);
  capabilities.job_lookup = JobLookup::by_name;
  return Status::ok();
}

Status OpenAIBatchProvider::model(ModelInfo& info) {
  info = model_info(config_.model);
  return Status::ok();
}

Status OpenAIBatchProvider::start() {
  std::string key;
  if (Status found = host_.secret(config_.api_key_env, key); !found) {
    return Status::fatal("openai-batch needs an API key in the environment variable " + config_.api_key_env +
                         " (" + found.message() + ")");
  }
  HttpClientOptions options;
  options.ca_file = config_.ca_file.value_or("");
  // The host may run several jobs and many online calls at once; keep their connections alive.
  options.max_idle_per_host = 64;
  Status made;
  auto http = host_.http(options, made);
  if (!http) return made.is_ok() ? Status::fatal("the host gave no HTTP client") : made;
  api_ = std::make_unique<OpenAIApi>(config_, host_, std::move(http), std::move(key));
  remove_leftover_request_files();
  return Status::ok();
}

void OpenAIBatchProvider::remove_leftover_request_files() {
  // A killed process leaves the request files of jobs it had not uploaded; the engine plans those rows
  // again from its ledger, so the files are never read again.
  try {
    for (const auto& entry : std::filesystem::directory_iterator(host_.scratch_dir()))
      if (entry.path().extension() == ".jsonl") std::filesystem::remove(entry.path());
  } catch (const std::exception& e) {
    host_.log(LogLevel::warn, std::string("cannot remove leftover request files: ") + e.what());
  }
}

Status OpenAIBatchProvider::require_started() const {
  if (!api_) return Status::fatal("openai-batch: start() must succeed before any API call");
  return Status::ok();
}

void OpenAIBatchProvider::warn_ignored_settings(const Request& request) {
  if (warned_ignored_.load(std::memory_order_relaxed)) return;
  std::string ignored = RequestEncoder::ignored_settings(request);
  if (ignored.empty() || warned_ignored_.exchange(true)) return;
  host_.log(LogLevel::warn, "OpenAI has no " + ignored + " setting; it is left out of the requests");
}

Status OpenAIBatchProvider::encoded_size(const Request& request, std::uint64_t& bytes) {
  warn_ignored_settings(request);
  try {
    bytes = encoder_.line_size(request);
  } catch (const std::exception& e) {
    return Status::fatal("request for key '" + request.key + "': " + e.what());
  }
  return Status::ok();
}

std::string OpenAIBatchProvider::scratch_path(const std::string& display_name) const {
  std::string safe;
  for (char c : display_name)
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (safe.empty()) safe = "batch";
  return (std::filesystem::path(host_.scratch_dir()) / (safe + ".jsonl")).string();
}

Status OpenAIBatchProvider::write_input(const std::vector<Request>& requests, const std::string& path,
                                        std::uint64_t& bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Status::fatal("cannot create " + path + ": " + std::strerror(errno));
  std::string buffer;
  constexpr std::size_t kFlushAt = 4 << 20;
  buffer.reserve(kFlushAt + (256 << 10));
  bytes = 0;
  auto flush = [&] {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) return false;
    bytes += buffer.size();
    buffer.clear();
    return true;
  };
  Status result;
  for (const auto& request : requests) {
    try {
      encoder_.append_line(buffer, request);
    } catch (const std::exception& e) {
      result = Status::fatal("request for key '" + request.key + "': " + e.what());
      break;
    }
    if (buffer.size() >= kFlushAt && !flush()) {
      result = Status::fatal("cannot write " + path + ": " + std::strerror(errno));
      break;
    }
  }
  if (result && !flush()) result = Status::fatal("cannot write " + path + ": " + std::strerror(errno));
  if (std::fclose(file) != 0 && result)
    result = Status::fatal("cannot write " + path + ": " + std::strerror(errno));
  return result;
}

Status OpenAIBatchProvider::prepare_input(const std::string& display_name,
                                          const std::vector<Request>& requests, Input& input) {
  {
    std::lock_guard lock(mutex_);
    auto it = inputs_.find(display_name);
    if (it != inputs_.end() && it->second.count == requests.size() &&
        it->second.first_key == requests.front().key && it->second.last_key == requests.back().key)
      input = it->second;
  }
  if (input.path.empty() || !std::filesystem::exists(input.path)) {
    if (!input.file_id.empty()) return Status::ok();  // uploaded already; only the create is left
    input = Input{scratch_path(display_name), "", requests.size(), requests.front().key, requests.back().key};
    std::uint64_t bytes = 0;
    Status written = write_input(requests, input.path, bytes);
    if (written && bytes > static_cast<std::uint64_t>(config_.max_batch_bytes))
      written =
          Status::fatal("batch " + display_name + " is " + megabytes(bytes) + ", over max_batch_bytes (" +
                        megabytes(static_cast<std::uint64_t>(config_.max_batch_bytes)) +
                        "): a single request this large cannot go into a batch");
    if (!written) {
      std::error_code ignored;
      std::filesystem::remove(input.path, ignored);
      return written;
    }
    host_.log(LogLevel::debug, "wrote " + std::to_string(requests.size()) + " requests (" + megabytes(bytes) +
                                   ") for " + display_name);
    std::lock_guard lock(mutex_);
    inputs_[display_name] = input;
  }
  if (input.file_id.empty()) {
    host_.log(LogLevel::info,
              "uploading the " + std::to_string(requests.size()) + " requests of " + display_name);
    std::string file_id;
    Status uploaded = api_->upload_file(input.path, display_name + ".jsonl", file_id);
    if (!uploaded) return uploaded;  // the written file stays for the next attempt
    std::error_code ignored;
    std::filesystem::remove(input.path, ignored);
    input.path.clear();
    input.file_id = file_id;
    std::lock_guard lock(mutex_);
    inputs_[display_name] = input;
  }
  return Status::ok();
}

void OpenAIBatchProvider::forget_input(const std::string& display_name) {
  std::lock_guard lock(mutex_);
  auto it = inputs_.find(display_name);
  if (it == inputs_.end()) return;
  if (!it->second.path.empty()) {
    std::error_code ignored;
    std::filesystem::remove(it->second.path, ignored);
  }
  inputs_.erase(it);
}

Status OpenAIBatchProvider::submit(const std::string& display_name, const std::vector<Request>& requests,
                                   std::string& handle) {
  if (Status started = require_started(); !started) return started;
  if (requests.empty()) return Status::fatal("submit: a batch needs at least one request");
  handle.clear();
  Input input;
  if (Status prepared = prepare_input(display_name, requests, input); !prepared) return prepared;
  BatchInfo info;
  bool ambiguous = false;
  Status created = api_->create_batch(display_name, input.file_id, info, ambiguous);
  if (!created) {
    if (ambiguous)
      host_.log(LogLevel::info, "the create of " + display_name +
                                    " may have gone through; it is looked up by name before another");
    return created;
  }
  forget_input(display_name);
  handle = info.id;
  host_.log(LogLevel::info, "created " + handle + " (" + display_name + ", " +
                                std::to_string(requests.size()) + " requests)");
  return Status::ok();
}

Status OpenAIBatchProvider::poll(const std::string& handle, JobStatus& status) {
  if (Status started = require_started(); !started) return started;
  BatchInfo info;
  if (Status got = api_->get_batch(handle, info); !got) return got;
  status = info.job;
  return Status::ok();
}

Status OpenAIBatchProvider::fetch(const std::string& handle,
                                  const std::function<Status(Response&&)>& on_response) {
  if (Status started = require_started(); !started) return started;
  BatchInfo info;
  if (Status got = api_->get_batch(handle, info); !got) return got;
  if (!is_terminal(info.job.state))
    return Status::retry(handle + " is not finished yet (" + info.status + ")");
  if (info.output_file_id.empty() && info.error_file_id.empty()) {
    if (info.job.state == JobState::succeeded) return Status::ok();
    return Status::fatal(handle + " ended " + info.status + " without results (" + info.job.message + ")");
  }
  std::uint64_t answers = 0, errors = 0, unreadable = 0;
  auto deliver = [&](std::string_view line) -> Status {
    Response response;
    if (Status decoded = decode_result_line(line, response); !decoded) {
      // Its row stays unanswered; the host sends it again in a later job.
      if (unreadable++ < 5) host_.log(LogLevel::warn, handle + ": result line skipped: " + decoded.message());
      return Status::ok();
    }
    ++(response.error ? errors : answers);
    if (response.model_version.empty()) response.model_version = config_.model;
    return on_response(std::move(response));
  };
  for (const auto* file : {&info.output_file_id, &info.error_file_id}) {
    if (file->empty()) continue;
    if (Status fetched = api_->download_lines(*file, deliver); !fetched) return fetched;
  }
  if (unreadable > 0) host_.progress("unreadable_output_lines", static_cast<std::int64_t>(unreadable));
  host_.log(LogLevel::info, "fetched " + std::to_string(answers) + " answers and " + std::to_string(errors) +
                                " errors of " + handle + " (" + info.status + ")");
  if (config_.delete_input_file && !info.input_file_id.empty()) {
    if (Status deleted = api_->delete_file(info.input_file_id); !deleted)
      host_.log(LogLevel::debug, "could not delete " + info.input_file_id + ": " + deleted.message());
  }
  return Status::ok();
}

Status OpenAIBatchProvider::cancel(const std::string& handle) {
  if (Status started = require_started(); !started) return started;
  return api_->cancel_batch(handle);
}

Status OpenAIBatchProvider::find(const std::string& display_name, std::string& handle) {
  if (Status started = require_started(); !started) return started;
  handle.clear();
  double newest = -1;
  int matches = 0;
  Status listed = api_->list_batches([&](const BatchInfo& info) {
    if (info.name != display_name) return true;
    ++matches;
    if (info.created_at > newest) {
      handle = info.id;
      newest = info.created_at;
    }
    return true;
  });
  if (!listed) return listed;
  if (matches > 1)
    host_.log(LogLevel::warn, std::to_string(matches) + " batches are named " + display_name +
                                  "; using the newest, " + handle);
  if (!handle.empty()) forget_input(display_name);
  return Status::ok();
}

Status OpenAIBatchProvider::call(const Request& request, Response& response) {
  if (Status started = require_started(); !started) return started;
  warn_ignored_settings(request);
  std::string body;
  try {
    encoder_.append_body(body, request);
  } catch (const std::exception& e) {
    return Status::fatal("request for key '" + request.key + "': " + e.what());
  }
  HttpResponse http;
  if (Status sent = api_->post_online(body, http); !sent) return sent;
  response = Response{};
  response.key = request.key;
  std::string what = "POST " + config_.endpoint_path() + " for key '" + request.key + "'";
  if (http.status >= 200 && http.status < 300) {
    Value answer;
    std::string error;
    if (!parse_json(http.body, answer, error))
      return Status::retry(what + ": the answer is not JSON: " + error);
    if (Status decoded = decode_body(answer, response); !decoded)
      return Status::retry(what + ": " + decoded.message());
    response.key = request.key;
    response.raw_json = std::move(http.body);
    return Status::ok();
  }
  Status status = status_of(http, what);
  if (status.is_fatal() && http.status != 401 && http.status != 403) {
    // This request is wrong, not the service: the row fails, the run goes on.
    Value body_value;
    std::string ignored;
    bool parsed = parse_json(http.body, body_value, ignored);
    response.error = error_of(http.status, parsed ? &body_value : nullptr);
    response.raw_json = http.body;
    return Status::ok();
  }
  return status;
}

}  // namespace pipehost::openai
