// CallEvents as the engine builds them, for logger tests: answers that parsed, answers that did not,
// and calls that failed, with a run-wide shared system instruction, token usage and timing.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "pipehost/types.hpp"

namespace pipehost::test {

/// The system instruction every call of the test run shares (about 2 KB).
inline std::shared_ptr<const std::string> test_system_instruction() {
  static const auto instruction = [] {
    std::string text = "You classify songs. Answer with JSON only.\n";
    while (text.size() < 2000) text += "Rule: be precise about genre, mood and era; never invent facts.\n";
    return std::make_shared<const std::string>(text);
  }();
  return instruction;
}

enum class CallKind { parsed, unparsable, call_error };

/// Which kind call number `i` is: mostly parsed, every 10th (from 7) unparsable, every 25th (from 3) failed.
inline CallKind call_kind(int i) {
  if (i % 25 == 3) return CallKind::call_error;
  if (i % 10 == 7) return CallKind::unparsable;
  return CallKind::parsed;
}

/// Call number `i` of run `run_id` (event id stable per run, row and attempt, as the engine makes it).
inline CallEvent make_call_event(int i, const std::string& run_id = "run-1", int attempt = 1) {
  CallEvent event;
  event.run_id = run_id;
  event.key = "song-" + std::to_string(i);
  event.attempt = attempt;
  char id[40];
  std::snprintf(id, sizeof id, "%08x%08x%016d", static_cast<unsigned>(std::hash<std::string>{}(run_id)),
                static_cast<unsigned>(attempt), i);
  event.event_id = id;
  event.job_name = "pipehost-" + run_id + "-job-" + std::to_string(i / 500 + 1);
  event.model = "gemini-flash-latest";
  event.request.key = event.key;
  event.request.system_instruction = test_system_instruction();
  event.request.user_parts = {"Title: Song " + std::to_string(i) + "\nArtist: Band \"" +
                              std::to_string(i % 37) + "\" \xC3\xA9t\xC3\xA9"};
  event.input_columns = {"id", "title", "artist"};
  event.input_values = {std::to_string(i), "Song " + std::to_string(i), "Band " + std::to_string(i % 37)};
  event.start_time = 1767225600.0 + i;  // 2026-01-01T00:00:00Z + i s
  event.end_time = event.start_time + 0.25;
  event.response.key = event.key;
  event.response.model_version = "gemini-2.5-flash-001";
  switch (call_kind(i)) {
    case CallKind::parsed:
      event.response.text = R"({"genre":"rock","mood":"happy"})";
      event.response.finish_reason = "STOP";
      event.response.usage = {120 + i % 7, 100, 0, 12, 3};  // input (100 cached), output, thinking
      event.output_columns = {"genre", "mood"};
      event.output_values = {i % 2 ? "rock" : "jazz", "happy"};
      event.ok = true;
      break;
    case CallKind::unparsable:
      event.response.text = "I think this song is rock, but I am not sure.";
      event.response.finish_reason = "STOP";
      event.response.usage = {120, 0, 0, 15, 0};
      event.error = "no JSON found in the answer";
      break;
    case CallKind::call_error:
      event.response.error = ResponseError{"INTERNAL", "the model failed to answer", true};
      event.error = "INTERNAL: the model failed to answer";
      break;
  }
  return event;
}

}  // namespace pipehost::test
