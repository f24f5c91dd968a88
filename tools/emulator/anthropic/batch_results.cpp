#include "emulator/anthropic/batch_results.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "emulator/anthropic/anthropic_error.hpp"
#include "emulator/anthropic/message_answer.hpp"
#include "emulator/server/http_message.hpp"
#include "emulator/util/ids.hpp"
#include "emulator/util/shuffle.hpp"

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

constexpr std::size_t kShuffleChunk = 256;

std::string result_line(const std::string& custom_id, json::object result) {
  return json::serialize(json::object{{"custom_id", custom_id}, {"result", std::move(result)}});
}

json::object errored(unsigned status, std::string_view message, std::uint64_t seed, std::size_t index) {
  return {{"type", "errored"}, {"error", error_body(status, message, "req_01" + base36_id(seed, index))}};
}

}  // namespace

void BatchRunner::run(MessageBatch& batch) {
  {
    std::unique_lock lock(batch.mutex);
    while (!batch.stop && WallClock::now() < batch.end_target_locked())
      batch.changed.wait_until(lock, batch.end_target_locked());
    if (batch.stop) return;
  }
  RequestCounts counts;
  bool written = false;
  try {
    counts = write_results(batch, batch.processed_before_cancel());
    written = true;
  } catch (const std::exception&) {
    counts = RequestCounts{};
    counts.errored = batch.request_count;  // no results file: GET results answers 500
  }
  std::lock_guard lock(batch.mutex);
  if (batch.stop) return;
  batch.final_counts = counts;
  batch.results_available = written;
  batch.ended = WallClock::now();
}

RequestCounts BatchRunner::write_results(MessageBatch& batch, std::int64_t processed) {
  std::ifstream in(batch.requests_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + batch.requests_path.string());
  std::filesystem::path part_path = batch.results_path;
  part_path += ".part";
  std::ofstream out(part_path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + part_path.string());

  SplitMix64 fault_random(batch.seed);
  SplitMix64 order_random(mix64(batch.seed ^ 0x0D0E5));
  RequestCounts counts;
  std::vector<std::string> chunk;
  chunk.reserve(kShuffleChunk);
  auto flush = [&] {
    shuffle_not_in_order(chunk, order_random);
    for (auto& line : chunk) {
      line.push_back('\n');
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
    chunk.clear();
  };

  std::string line;
  for (std::size_t index = 0; std::getline(in, line); ++index) {
    if (batch.stop) throw std::runtime_error("stopped");
    json::monotonic_resource resource;
    json::value parsed = json::parse(line, &resource);
    const json::object& request = parsed.as_object();
    std::string custom_id(request.at("custom_id").as_string());
    const json::object& params = request.at("params").as_object();
    json::object result;
    if (static_cast<std::int64_t>(index) >= processed) {
      result = {{"type", "canceled"}};
      ++counts.canceled;
    } else if (batch.fate == BatchFate::expire) {
      result = {{"type", "expired"}};
      ++counts.expired;
    } else if (batch.fate == BatchFate::error) {
      result = errored(500, "Internal server error (emulated batch_fail fault)", batch.seed, index);
      ++counts.errored;
    } else if (fault_random.chance(batch.faults.line_error)) {
      faults_.record("line_error");
      result = errored(500, "Internal server error (emulated line_error fault)", batch.seed, index);
      ++counts.errored;
    } else {
      AnswerForm form;
      form.fenced = fault_random.chance(batch.faults.fenced);
      form.prose = fault_random.chance(batch.faults.prose);
      if (form.fenced) faults_.record("fenced");
      if (form.prose) faults_.record("prose");
      try {
        MessageOutcome outcome = answer_message(params, custom_id, form, cache_, WallClock::now(), "batch");
        stats_.cache_used(outcome.cache);
        stats_.answered(custom_id);
        result = {{"type", "succeeded"}, {"message", std::move(outcome.message)}};
        ++counts.succeeded;
      } catch (const HttpError& invalid) {
        result = errored(invalid.status, invalid.message, batch.seed, index);
        ++counts.errored;
      }
    }
    chunk.push_back(result_line(custom_id, std::move(result)));
    if (chunk.size() == kShuffleChunk) flush();
  }
  flush();
  out.close();
  if (!out) throw std::runtime_error("cannot write " + part_path.string());
  std::filesystem::rename(part_path, batch.results_path);
  return counts;
}

}  // namespace pipehost::emulator::anthropic
