// What a logged call event contains: the include options shared by braintrust-log and jsonl-log
// (same names, same defaults, same schema text), so both loggers write the same event shape.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace pipehost::braintrust {

/// How the system instruction (often ~17 KB, the same in every row) goes into `input.messages`.
enum class SystemInstructionMode { omit, hash, full };

struct EventOptions {
  SystemInstructionMode system_instruction = SystemInstructionMode::omit;
  /// The user message (the row's prompt text) in `input.messages`.
  bool user_message = true;
  /// The model's raw text as `output` when it could not be used (failed call or parse), or always when
  /// `parsed_fields` is off.
  bool raw_answer = true;
  /// The parsed output columns as the `output` object.
  bool parsed_fields = true;
  /// Input row columns copied into `metadata.input_row`: nullopt = every column, empty = none.
  std::optional<std::vector<std::string>> input_columns;
  /// Added to every event's `tags`.
  std::vector<std::string> tags;
};

/// The JSON Schema `properties` members of the include options (comma-separated members without the
/// surrounding braces), spliced into each logger's config schema.
extern const char* const kEventOptionsSchemaProperties;

/// Reads the include options from a logger's config object (keys absent = defaults). Throws
/// std::invalid_argument naming "<section>.<key>" and what is wrong.
EventOptions parse_event_options(const boost::json::object& config, const std::string& section);

}  // namespace pipehost::braintrust
