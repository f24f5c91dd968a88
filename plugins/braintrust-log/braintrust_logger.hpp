// The braintrust-log logger stage: every model call becomes one BrainTrust project-logs event.
//
//   log()  (host thread, under the host's stage lock; must be quick)
//     builds the event JSON, appends it to the pending journal, queues it (blocks while the queue is
//     full: back-pressure, never a drop)
//   worker thread
//     takes queued events into batches (batch_size, max_request_bytes), sends a batch when it is full,
//     when its oldest event waited flush_interval, or when a flush is asked for; events that do not
//     arrive after retries are appended to the failed file (fsync) — nothing is dropped
//   flush()   waits until every queued event is delivered or set aside, reports both counts
//   start()   reads the key, resolves the project, resends the failed file and journal leftovers;
//             when BrainTrust cannot be reached it returns retry and the logger goes offline: log()
//             then only appends to the journal, which the next successful start() delivers
//   ~         sends what is still queued (as flush), then stops the worker
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch_limits.hpp"
#include "braintrust_api.hpp"
#include "braintrust_events/append_file.hpp"
#include "braintrust_events/event_builder.hpp"
#include "config.hpp"
#include "event_sender.hpp"
#include "pending_journal.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::braintrust {

class BraintrustLogger final : public Logger {
 public:
  /// Checks what the schema cannot say (check_config); throws std::invalid_argument on a bad config.
  BraintrustLogger(const StageContext& context, BraintrustLogConfig config);
  ~BraintrustLogger() override;

  Status start() override;
  Status log(const CallEvent& event) override;
  Status flush(std::uint64_t& delivered, std::uint64_t& set_aside) override;

  /// Where undelivered events are kept (known after construction).
  const std::filesystem::path& failed_file() const { return failed_path_; }

 private:
  struct QueuedEvent {
    std::string json;
    std::uint64_t journal_segment = 0;  // 0: not journaled
  };
  struct BatchResult {
    std::size_t delivered = 0;
    std::size_t set_aside = 0;
    std::size_t lost = 0;  // neither delivered nor written to the failed file (still in the journal)
  };

  RetryPolicy retry_policy() const;
  /// After a start that could not reach BrainTrust: returns `why`; later events go to the journal.
  Status start_offline(const Status& why);
  Status log_offline(const CallEvent& event);
  void worker_loop();
  BatchResult send_batch(const std::vector<QueuedEvent>& batch);
  /// Appends events to the failed file and syncs it; false (with the reason logged) on I/O errors.
  bool set_aside(const std::vector<std::string_view>& events, const std::string& reason);
  void stop_worker();

  HostServices& host_;
  BraintrustLogConfig config_;
  BatchLimits limits_;
  EventBuilder builder_;  // used by log() only (the host calls log() from one thread at a time)
  std::filesystem::path failed_path_;
  std::filesystem::path journal_dir_;

  std::unique_ptr<BraintrustApi> api_;
  std::unique_ptr<EventSender> sender_;  // used by start(), then by the worker only
  std::unique_ptr<PendingJournal> journal_;
  std::unique_ptr<AppendFile> failed_;  // opened on the first set-aside (worker only)
  Project project_;
  bool started_ = false;
  bool offline_ = false;         // start() could not reach BrainTrust: events are only journaled
  std::uint64_t journaled_ = 0;  // events journaled while offline
  std::uint64_t reported_journaled_ = 0;
  bool checked_columns_ = false;
  bool journal_broken_ = false;

  std::mutex mutex_;
  std::condition_variable work_ready_;  // worker waits: events queued, flush asked, stop
  std::condition_variable space_free_;  // log() waits: queue below queue_size
  std::condition_variable all_done_;    // flush() waits: every accepted event resolved
  std::deque<QueuedEvent> queue_;
  bool flush_wanted_ = false;
  bool stopping_ = false;
  std::uint64_t accepted_ = 0;
  std::uint64_t resolved_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t set_aside_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t reported_delivered_ = 0;
  std::uint64_t reported_set_aside_ = 0;
  std::uint64_t reported_lost_ = 0;
  std::thread worker_;
};

}  // namespace pipehost::braintrust
