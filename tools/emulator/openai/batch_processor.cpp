#include "emulator/openai/batch_processor.hpp"

#include <fstream>

#include "emulator/openai/answer_body.hpp"
#include "emulator/openai/ids.hpp"
#include "emulator/openai/input_validation.hpp"
#include "emulator/openai/openai_error.hpp"
#include "emulator/openai/result_file.hpp"

namespace pipehost::emulator::openai {

namespace json = boost::json;

namespace {

/// One line of an output or error file, with ids derived from the batch and the line's index.
std::string result_line(const Batch& batch, std::int64_t index, const std::string& custom_id,
                        json::value response, json::value error) {
  std::uint64_t seed = mix64(hash_of(batch.id) + static_cast<std::uint64_t>(index));
  json::object out;
  out["id"] = "batch_req_" + hex32(seed);
  out["custom_id"] = custom_id;
  out["response"] = std::move(response);
  out["error"] = std::move(error);
  return json::serialize(out);
}

json::object http_response(const Batch& batch, std::int64_t index, unsigned status, json::value body) {
  std::uint64_t seed = mix64(hash_of(batch.id) ^ (static_cast<std::uint64_t>(index) << 1) ^ 0x7E9);
  return json::object{{"status_code", status}, {"request_id", hex32(seed)}, {"body", std::move(body)}};
}

json::value error_body(const OpenAiError& error) {
  return json::parse(openai_error(error).body);
}

const OpenAiError kLineError(
    500,
    "The server had an error processing your request. Sorry about that! You can retry your "
    "request, or contact us through our help center at help.openai.com if you keep seeing "
    "this error. (emulated line_error fault)",
    "server_error");

}  // namespace

void BatchProcessor::process(Batch& batch) {
  try {
    InputValidation validation = validate_input(batch.input_path, batch.endpoint);
    {
      std::lock_guard lock(batch.mutex);
      batch.validated_at = WallClock::now();
      batch.model = validation.model;
      batch.total = validation.requests;
      batch.errors = std::move(validation.errors);
      if (batch.errors.empty() && batch.fate == Fate::fail) {
        batch.errors.push_back(
            {"token_limit_exceeded", std::nullopt,
             "Enqueued token limit reached for " + batch.model +
                 " in organization org-emulator. Limit: 90,000 enqueued tokens. Please try submitting fewer "
                 "requests or try again once some in_progress batches have been completed. (emulated "
                 "batch_fail "
                 "fault)",
             std::nullopt});
      }
      if (!batch.errors.empty()) {
        batch.worker_done_at = batch.validated_at;
        return;
      }
    }
    answer_lines(batch, validation.requests);
  } catch (const std::exception& error) {
    std::lock_guard lock(batch.mutex);
    auto now = WallClock::now();
    if (!batch.validated_at) batch.validated_at = now;
    batch.errors = {{"emulator_error", std::nullopt,
                     std::string("The emulator could not process the batch: ") + error.what(), std::nullopt}};
    batch.worker_done_at = now;
  }
}

void BatchProcessor::answer_lines(Batch& batch, std::int64_t count) {
  std::ifstream in(batch.input_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + batch.input_path.string());
  SplitMix64 fault_random(batch.seed);
  SplitMix64 order_random(mix64(batch.seed ^ 0x0D0E5));
  ResultFile output(files_, batch.id + "_output.jsonl", order_random);
  ResultFile errors(files_, batch.id + "_error.jsonl", order_random);
  // batch_expire: the first half of the lines get answered, the rest expire.
  const std::int64_t answerable = batch.fate == Fate::expire ? count / 2 : count;

  std::string text;
  std::int64_t index = 0;
  bool stopped = false;
  while (!stopped && std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    const std::int64_t line_index = index++;
    json::value parsed = json::parse(text);  // validated: every line is a JSON object
    const json::object& request = parsed.get_object();
    std::string custom_id(request.at("custom_id").get_string());
    const json::object& body = request.at("body").get_object();

    if (line_index >= answerable) {
      errors.add(result_line(
          batch, line_index, custom_id, nullptr,
          json::object{
              {"code", "batch_expired"},
              {"message", "This request could not be executed before the completion window expired."}}));
      std::lock_guard lock(batch.mutex);
      ++batch.failed;
      continue;
    }
    {
      std::unique_lock lock(batch.mutex);
      if (batch.wake.wait_until(lock, batch.line_due(line_index, count), [&] { return batch.stop; })) {
        stopped = true;  // cancelled (or shut down): the lines not answered yet are left out
        break;
      }
      if (!batch.answering_started_at) batch.answering_started_at = WallClock::now();
    }

    std::int64_t created = unix_seconds(WallClock::now());
    if (auto bad = check_request_body(batch.model_endpoint, body)) {
      errors.add(result_line(batch, line_index, custom_id,
                             http_response(batch, line_index, bad->status, error_body(*bad)), nullptr));
      std::lock_guard lock(batch.mutex);
      ++batch.failed;
      continue;
    }
    if (fault_random.chance(batch.line_faults.line_error)) {
      context_.faults.record("line_error");
      errors.add(result_line(batch, line_index, custom_id,
                             http_response(batch, line_index, kLineError.status, error_body(kLineError)),
                             nullptr));
      std::lock_guard lock(batch.mutex);
      ++batch.failed;
      continue;
    }
    AnswerForm form;
    form.fenced = fault_random.chance(batch.line_faults.fenced);
    form.prose = fault_random.chance(batch.line_faults.prose);
    if (form.fenced) context_.faults.record("fenced");
    if (form.prose) context_.faults.record("prose");
    Answer answer = make_answer(prompt_of(batch.model_endpoint, body), custom_id, form, cache_);
    output.add(result_line(
        batch, line_index, custom_id,
        http_response(batch, line_index, 200, answer_body(batch.model_endpoint, answer, body, created)),
        nullptr));
    stats_.answered(custom_id, batch.id);
    std::lock_guard lock(batch.mutex);
    ++batch.completed;
    batch.input_tokens += answer.prompt_tokens;
    batch.cached_tokens += answer.cached_tokens;
    batch.output_tokens += answer.completion_tokens;
  }
  {
    std::lock_guard lock(batch.mutex);
    if (!stopped) batch.answering_done_at = WallClock::now();
  }
  std::string output_id = output.finish();
  std::string error_id = errors.finish();
  std::lock_guard lock(batch.mutex);
  batch.output_file_id = output_id;
  batch.error_file_id = error_id;
  batch.worker_done_at = WallClock::now();
}

}  // namespace pipehost::emulator::openai
