#include "braintrust_logger.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "backlog.hpp"

namespace pipehost::braintrust {

namespace {

/// Events per journal segment: small enough that delivered segments are removed during a run.
constexpr std::size_t kEventsPerJournalSegment = 1000;

std::string trim(std::string text) {
  auto is_space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && is_space(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "\"" : ", \"") + name + "\"";
  return out;
}

BraintrustLogConfig checked(BraintrustLogConfig config) {
  check_config(config);
  return config;
}

}  // namespace

BraintrustLogger::BraintrustLogger(const StageContext& context, BraintrustLogConfig config)
    : host_(context.host), config_(checked(std::move(config))), builder_(config_.events) {
  limits_.max_events = static_cast<std::size_t>(config_.batch_size);
  limits_.max_bytes = static_cast<std::size_t>(config_.max_request_bytes);
  failed_path_ = config_.failed_file.value_or("").empty()
                     ? std::filesystem::path(host_.state_dir()) / "braintrust-failed.jsonl"
                     : std::filesystem::path(*config_.failed_file);
}

BraintrustLogger::~BraintrustLogger() {
  stop_worker();
  if (journal_) journal_->settle();
}

RetryPolicy BraintrustLogger::retry_policy() const {
  RetryPolicy policy;
  // Bounded by time, not by count: max_total ends the retries.
  policy.max_attempts = config_.max_retry().count() > 0 ? 1000000 : 1;
  policy.initial_backoff = config_.retry_initial_backoff();
  policy.max_backoff = std::max(config_.retry_max_backoff(), config_.retry_initial_backoff());
  policy.max_total = config_.max_retry();
  return policy;
}

Status BraintrustLogger::start() try {
  if (started_) return Status::ok();
  std::string key;
  Status secret = host_.secret(config_.api_key_env, key);
  if (!secret) return Status::fatal("BrainTrust API key: " + secret.message());
  key = trim(std::move(key));
  if (key.empty())
    return Status::fatal("BrainTrust API key: environment variable " + config_.api_key_env + " is blank");

  HttpClientOptions options;
  options.ca_file = config_.ca_file.value_or("");
  Status made;
  std::shared_ptr<HttpClient> http = host_.http(options, made);
  if (!http) return Status::fatal("cannot set up the HTTP client for BrainTrust: " + made.message());
  BraintrustApi::Endpoints endpoints{config_.api_url, config_.app_url, config_.connect_timeout(),
                                     config_.io_timeout()};
  api_ = std::make_unique<BraintrustApi>(std::move(http), endpoints, key, config_.api_key_env);

  Status resolved = api_->resolve_project(config_.project, config_.project_id, retry_policy(), project_);
  if (resolved.is_retry()) return start_offline(resolved);
  if (!resolved) return resolved;
  // The login for the link goes to app_url; only where the user pointed us (or both are the public
  // service), never to the public app while api_url points elsewhere (a test emulator, say).
  std::string link = config_.link_allowed() ? api_->logs_link(project_) : "";
  host_.log(LogLevel::info, "logging calls to BrainTrust project \"" + project_.name + "\" (id " +
                                project_.id + ") at " + config_.api_url +
                                (link.empty() ? "" : "; view them at " + link));

  sender_ = std::make_unique<EventSender>(*api_, host_, project_.id, retry_policy());
  journal_dir_ = std::filesystem::path(host_.scratch_dir()) / "pending-events";
  try {
    JournalLeftovers leftovers = JournalLeftovers::claim(journal_dir_);
    BacklogResult backlog = resend_backlog(*sender_, host_, failed_path_, leftovers, limits_);
    if (backlog.resent + backlog.kept + backlog.malformed > 0) {
      host_.log(backlog.kept ? LogLevel::warn : LogLevel::info,
                "resent " + std::to_string(backlog.resent) + " events left over by an earlier run" +
                    (backlog.kept ? "; " + std::to_string(backlog.kept) +
                                        " still could not be delivered and stay in " + failed_path_.string()
                                  : ""));
    }
    host_.progress("braintrust_events_delivered", static_cast<std::int64_t>(backlog.resent));
  } catch (const std::exception& e) {
    return Status::fatal(
        api_->redact(std::string("resending events left over by an earlier run: ") + e.what()));
  }
  journal_ = std::make_unique<PendingJournal>(journal_dir_, kEventsPerJournalSegment);
  started_ = true;
  worker_ = std::thread([this] { worker_loop(); });
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status BraintrustLogger::start_offline(const Status& why) {
  // The host may go on without this logger ("required": false). Events then only go to the journal;
  // the next start that reaches BrainTrust finds the segments as leftovers and delivers them.
  try {
    journal_dir_ = std::filesystem::path(host_.scratch_dir()) / "pending-events";
    journal_ = std::make_unique<PendingJournal>(journal_dir_, kEventsPerJournalSegment);
    offline_ = true;
  } catch (const std::exception& e) {
    host_.log(LogLevel::warn, std::string("cannot keep events for a later run: ") + e.what());
  }
  return why;
}

Status BraintrustLogger::log_offline(const CallEvent& event) {
  try {
    journal_->append(builder_.build_line(event));
    ++journaled_;
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::fatal(
        std::string("BrainTrust was unreachable at start, and the event could not be kept for "
                    "a later run: ") +
        e.what());
  }
}

Status BraintrustLogger::log(const CallEvent& event) try {
  if (offline_) return log_offline(event);
  if (!started_) return Status::fatal("braintrust-log: log() was called without a successful start()");
  if (!checked_columns_) {
    checked_columns_ = true;
    auto unknown = builder_.unknown_input_columns(event);
    if (!unknown.empty())
      host_.log(LogLevel::warn, "input_columns names columns the input does not have: " + join(unknown));
  }
  QueuedEvent queued{builder_.build_line(event), 0};
  if (!journal_broken_) {
    try {
      queued.journal_segment = journal_->append(queued.json);
    } catch (const std::exception& e) {
      journal_broken_ = true;
      host_.log(LogLevel::warn, std::string("pending-events journal turned off: ") + e.what() +
                                    " (events still queued are lost if the process dies)");
    }
  }
  std::unique_lock lock(mutex_);
  space_free_.wait(lock,
                   [&] { return queue_.size() < static_cast<std::size_t>(config_.queue_size) || stopping_; });
  queue_.push_back(std::move(queued));
  ++accepted_;
  lock.unlock();
  work_ready_.notify_one();
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status BraintrustLogger::flush(std::uint64_t& delivered, std::uint64_t& set_aside) try {
  delivered = set_aside = 0;
  if (offline_) {
    set_aside = journaled_ - reported_journaled_;
    reported_journaled_ = journaled_;
    if (set_aside > 0)
      host_.log(LogLevel::warn,
                std::to_string(set_aside) + " events are kept in " + journal_dir_.string() +
                    " because BrainTrust was unreachable at start; the next run delivers them");
    return Status::ok();
  }
  if (!started_) return Status::ok();
  std::uint64_t lost = 0;
  {
    std::unique_lock lock(mutex_);
    flush_wanted_ = true;
    work_ready_.notify_one();
    all_done_.wait(lock, [&] { return resolved_ == accepted_; });
    flush_wanted_ = false;
    delivered = delivered_ - reported_delivered_;
    set_aside = set_aside_ - reported_set_aside_;
    lost = lost_ - reported_lost_;
    reported_delivered_ = delivered_;
    reported_set_aside_ = set_aside_;
    reported_lost_ = lost_;
  }
  journal_->settle();
  if (set_aside > 0) {
    host_.log(LogLevel::warn, std::to_string(set_aside) +
                                  " events could not be delivered to BrainTrust; they are in " +
                                  failed_path_.string() + " and the next run resends them");
  }
  if (lost > 0) {
    set_aside += lost;
    return Status::fatal(std::to_string(lost) +
                         " events could neither be delivered to BrainTrust nor written to " +
                         failed_path_.string() + "; they stay in the pending journal " +
                         journal_dir_.string() + " and the next run resends them");
  }
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

void BraintrustLogger::worker_loop() {
  using Clock = std::chrono::steady_clock;
  std::vector<QueuedEvent> batch;
  std::size_t batch_bytes = 0;
  Clock::time_point batch_started{};
  std::unique_lock lock(mutex_);
  for (;;) {
    bool took = false;
    while (!queue_.empty() && limits_.fits(batch.size(), batch_bytes, queue_.front().json.size())) {
      if (batch.empty()) batch_started = Clock::now();
      batch_bytes += queue_.front().json.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      took = true;
    }
    if (took) space_free_.notify_all();
    // Events left in the queue mean the batch is full (by count or by bytes).
    bool due = !batch.empty() && (!queue_.empty() || batch.size() >= limits_.max_events || flush_wanted_ ||
                                  stopping_ || Clock::now() >= batch_started + config_.flush_interval());
    if (due) {
      lock.unlock();
      BatchResult result = send_batch(batch);
      lock.lock();
      delivered_ += result.delivered;
      set_aside_ += result.set_aside;
      lost_ += result.lost;
      resolved_ += batch.size();
      batch.clear();
      batch_bytes = 0;
      all_done_.notify_all();
      continue;
    }
    if (batch.empty()) {
      if (stopping_) return;
      work_ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    } else {
      work_ready_.wait_until(lock, batch_started + config_.flush_interval(),
                             [&] { return !queue_.empty() || stopping_ || flush_wanted_; });
    }
  }
}

BraintrustLogger::BatchResult BraintrustLogger::send_batch(const std::vector<QueuedEvent>& batch) {
  BatchResult result;
  std::vector<std::string_view> events;
  events.reserve(batch.size());
  for (const auto& queued : batch) events.push_back(queued.json);

  EventSender::Outcome outcome;
  try {
    outcome = sender_->send(events);
  } catch (const std::exception& e) {  // e.g. out of memory building the body: keep the events
    outcome = {};
    for (std::size_t i = 0; i < events.size(); ++i) outcome.undelivered.push_back(i);
    outcome.reason = e.what();
  }
  result.delivered = outcome.delivered;

  std::vector<bool> resolved(batch.size(), true);
  if (!outcome.undelivered.empty()) {
    std::vector<std::string_view> undelivered;
    for (std::size_t index : outcome.undelivered) undelivered.push_back(events[index]);
    if (set_aside(undelivered, outcome.reason)) {
      result.set_aside = undelivered.size();
    } else {
      result.lost = undelivered.size();
      for (std::size_t index : outcome.undelivered) resolved[index] = false;  // they stay in the journal
    }
  }
  std::map<std::uint64_t, std::size_t> per_segment;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (resolved[i] && batch[i].journal_segment != 0) ++per_segment[batch[i].journal_segment];
  }
  for (const auto& [segment, count] : per_segment) journal_->resolved(segment, count);

  if (result.delivered)
    host_.progress("braintrust_events_delivered", static_cast<std::int64_t>(result.delivered));
  if (result.set_aside)
    host_.progress("braintrust_events_set_aside", static_cast<std::int64_t>(result.set_aside));
  return result;
}

bool BraintrustLogger::set_aside(const std::vector<std::string_view>& events, const std::string& reason) {
  try {
    if (!failed_) failed_ = std::make_unique<AppendFile>(failed_path_);
    failed_->append_lines(events);
    failed_->sync();
    host_.log(LogLevel::debug, "set aside " + std::to_string(events.size()) + " events in " +
                                   failed_path_.string() + " (" + reason + ")");
    return true;
  } catch (const std::exception& e) {
    failed_.reset();
    host_.log(LogLevel::error,
              "could not set aside " + std::to_string(events.size()) + " undelivered events: " + e.what());
    return false;
  }
}

void BraintrustLogger::stop_worker() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  space_free_.notify_all();
  worker_.join();
}

}  // namespace pipehost::braintrust
