#include "braintrust_events/event_options.hpp"

namespace pipehost::braintrust {

ConfigSpec<EventOptions> event_options_spec() {
  ConfigSpec<EventOptions> spec;
  spec.add("system_instruction", &EventOptions::system_instruction,
           {{"omit", SystemInstructionMode::omit},
            {"hash", SystemInstructionMode::hash},
            {"full", SystemInstructionMode::full}},
           "The system instruction in input.messages: omit it (it can be 17 KB per row), log its SHA-256 "
           "(\"sha256:<hex>\"), or log it in full.");
  spec.add("user_message", &EventOptions::user_message,
           "Log the user message (the row's prompt) in input.messages.");
  spec.add("raw_answer", &EventOptions::raw_answer,
           "Log the model's raw text as output when the call or its parsing failed (or always when "
           "parsed_fields is false).");
  spec.add("parsed_fields", &EventOptions::parsed_fields,
           "Log the parsed output columns as the output object.");
  spec.add("input_columns", &EventOptions::input_columns,
           "Input row columns copied into metadata.input_row: null = all columns, [] = none.");
  spec.add("tags", &EventOptions::tags, "Tags added to every logged event.");
  return spec;
}

}  // namespace pipehost::braintrust
