// The jsonl-log logger stage: the same events braintrust-log sends (same JSON shape, same include
// options), one per line, appended to a local file. Each line reaches the kernel in one write() in
// log(), so a killed run keeps every line it logged; flush() fsyncs. Handy offline, and the reference
// the braintrust-log tests compare against.
#pragma once

#include <memory>

#include "braintrust_events/append_file.hpp"
#include "braintrust_events/event_builder.hpp"
#include "config.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::jsonl_log {

class JsonlLogger final : public Logger {
 public:
  /// Throws std::invalid_argument when `path` is empty.
  JsonlLogger(const StageContext& context, JsonlLogConfig config);

  /// Opens (creates) the file.
  Status start() override;
  Status log(const CallEvent& event) override;
  Status flush(std::uint64_t& delivered, std::uint64_t& set_aside) override;

 private:
  HostServices& host_;
  JsonlLogConfig config_;
  braintrust::EventBuilder builder_;
  std::unique_ptr<braintrust::AppendFile> file_;
  std::uint64_t written_ = 0;
  bool checked_columns_ = false;
};

}  // namespace pipehost::jsonl_log
