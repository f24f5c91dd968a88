// Turns a CallEvent into a BrainTrust project-logs event (the body of one element of
// `POST /v1/project_logs/{id}/insert`'s "events"), shaped by the include options. braintrust-log sends
// these; jsonl-log writes the very same objects to a file. The shape is documented in
// plugins/braintrust-log/README.md.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "braintrust_events/event_options.hpp"
#include "pipehost/types.hpp"

namespace pipehost::braintrust {

class EventBuilder {
 public:
  explicit EventBuilder(EventOptions options);

  /// The insert-ready event: id (= event_id, also span_id and root_span_id, so a re-sent event
  /// replaces itself), created, input, output, error, metadata, metrics, tags, span_attributes.
  boost::json::object build(const CallEvent& event);
  /// `build` serialized as one line of compact JSON (no newline).
  std::string build_line(const CallEvent& event);

  /// Names in the configured `input_columns` that `event` has no column for (to warn once).
  std::vector<std::string> unknown_input_columns(const CallEvent& event) const;

  const EventOptions& options() const { return options_; }

 private:
  /// The system message content for the configured mode ("" = leave the message out).
  std::string system_content(const std::shared_ptr<const std::string>& instruction);

  EventOptions options_;
  // Every request of a run shares one instruction object: hash it once, not once per row.
  std::shared_ptr<const std::string> hashed_instruction_;
  std::string hashed_value_;
};

/// "2026-01-01T00:00:00.000Z" for a Unix time in seconds.
std::string iso8601_utc(double unix_seconds);
/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace pipehost::braintrust
