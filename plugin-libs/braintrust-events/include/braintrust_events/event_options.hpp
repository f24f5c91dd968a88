// What a logged call event contains: the include options shared by braintrust-log and jsonl-log (same
// names, same defaults, same schema), so both loggers write the same event shape. Each logger's config
// spec includes event_options_spec(), so the options sit at the top level of its section.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipehost/config.hpp"

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

/// The include options' declaration (keys, defaults, descriptions).
ConfigSpec<EventOptions> event_options_spec();

}  // namespace pipehost::braintrust
