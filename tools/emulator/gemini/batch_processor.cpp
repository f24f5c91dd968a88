#include "emulator/gemini/batch_processor.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/util/json_util.hpp"
#include "emulator/util/sha256.hpp"
#include "emulator/util/shuffle.hpp"

namespace pipehost::emulator {

namespace {

constexpr std::size_t kShuffleChunk = 256;

json::object line_error_status() {
  return {{"code", 500},
          {"message", "Internal error encountered (emulated line_error fault)."},
          {"status", "INTERNAL"}};
}

AnswerForm draw_form(const Batch& batch, SplitMix64& random, FaultInjector& recorder) {
  AnswerForm form;
  form.fenced = random.chance(batch.line_faults.fenced);
  form.prose = random.chance(batch.line_faults.prose);
  if (form.fenced) recorder.record("fenced");
  if (form.prose) recorder.record("prose");
  return form;
}

std::string key_text(const json::value& key) {
  if (key.is_string()) return std::string(key.get_string());
  return json::serialize(key);
}

}  // namespace

std::string batch_output_line(std::string_view input_line, std::size_t line_number, const Batch& batch,
                              SplitMix64& fault_random, FaultInjector& recorder, ContentGenerator& generator,
                              bool& succeeded) {
  succeeded = false;
  json::monotonic_resource resource;
  boost::system::error_code ec;
  json::value parsed = json::parse(input_line, ec, &resource);
  json::object out;
  if (ec || !parsed.is_object()) {
    out["error"] = json::object{{"code", 400},
                                {"message", "Invalid JSON on input line " + std::to_string(line_number) +
                                                (ec ? ": " + ec.message() : ": not an object")},
                                {"status", "INVALID_ARGUMENT"}};
    return json::serialize(out);
  }
  const json::object& line = parsed.get_object();
  const json::object* request = nullptr;
  std::string key;
  bool has_key = false;
  if (auto it = line.find("request"); it != line.end()) {
    if (it->value().is_object()) request = &it->value().get_object();
    if (auto key_it = line.find("key"); key_it != line.end()) {
      key = key_text(key_it->value());
      has_key = true;
    }
  } else if (line.contains("contents")) {
    request = &line;  // a bare GenerateContentRequest line (no key)
  }
  if (has_key) out["key"] = key;
  if (!request) {
    out["error"] =
        json::object{{"code", 400},
                     {"message", "Input line " + std::to_string(line_number) + " has no \"request\" object."},
                     {"status", "INVALID_ARGUMENT"}};
    return json::serialize(out);
  }
  if (fault_random.chance(batch.line_faults.line_error)) {
    recorder.record("line_error");
    out["error"] = line_error_status();
    return json::serialize(out);
  }
  AnswerForm form = draw_form(batch, fault_random, recorder);
  GeminiAnswer answer = generator.answer(*request, key, batch.model, form);
  if (answer.refused) {
    out["error"] = std::move(answer.error);
    return json::serialize(out);
  }
  out["response"] = std::move(answer.response);
  succeeded = true;
  return json::serialize(out);
}

void BatchProcessor::process(Batch& batch) {
  try {
    if (batch.inline_mode) {
      process_inline(batch);
    } else {
      process_file(batch);
    }
  } catch (const std::exception& error) {
    std::lock_guard lock(batch.mutex);
    batch.processing_error = std::string("emulator could not process the batch: ") + error.what();
    batch.processing_done = true;
    batch.processed_at = WallClock::now();
  }
}

void BatchProcessor::process_file(Batch& batch) {
  auto input = files_.get(batch.input_file_id);
  if (!input) throw std::runtime_error("input file files/" + batch.input_file_id + " no longer exists");
  std::ifstream in(input->path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + input->path.string());

  std::string output_id = "batch-" + batch.id;
  std::filesystem::path final_path = files_.path_for(output_id);
  std::filesystem::path part_path = final_path;
  part_path += ".part";
  std::ofstream out(part_path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + part_path.string());

  SplitMix64 fault_random(batch.seed);
  SplitMix64 order_random(mix64(batch.seed ^ 0x0D0E5));
  Sha256 hash;
  std::uint64_t written = 0;
  std::int64_t ok = 0, failed = 0;
  std::vector<std::string> chunk;
  chunk.reserve(kShuffleChunk);
  auto flush = [&] {
    shuffle_not_in_order(chunk, order_random);
    for (auto& line : chunk) {
      line.push_back('\n');
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      hash.update(line);
      written += line.size();
    }
    chunk.clear();
    {
      std::lock_guard lock(batch.mutex);
      batch.request_count = ok + failed;
    }
  };

  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (batch.stop) return;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bool succeeded = false;
    chunk.push_back(
        batch_output_line(line, line_number, batch, fault_random, context_.faults, generator_, succeeded));
    (succeeded ? ok : failed) += 1;
    if (chunk.size() == kShuffleChunk) flush();
  }
  flush();
  out.close();
  if (!out) throw std::runtime_error("cannot write " + part_path.string());
  std::filesystem::rename(part_path, final_path);

  StoredFile file;
  file.id = output_id;
  file.display_name = output_id;
  file.mime_type = "application/jsonl";
  file.size = written;
  file.created = WallClock::now();
  file.sha256 = hash.finish();
  file.generated = true;
  file.path = final_path;
  files_.add(file);
  context_.stats.add("batch_lines_processed", ok + failed);

  std::lock_guard lock(batch.mutex);
  batch.output_file_id = output_id;
  batch.request_count = ok + failed;
  batch.succeeded_count = ok;
  batch.failed_count = failed;
  batch.processing_done = true;
  batch.processed_at = WallClock::now();
}

void BatchProcessor::process_inline(Batch& batch) {
  SplitMix64 fault_random(batch.seed);
  SplitMix64 order_random(mix64(batch.seed ^ 0x0D0E5));
  std::vector<json::object> responses;
  std::int64_t ok = 0, failed = 0;
  for (const auto& item : batch.inline_requests) {
    if (batch.stop) return;
    json::object out;
    const json::object* entry = item.if_object();
    const json::object* request = nullptr;
    std::string key;
    if (entry) {
      if (auto it = entry->find("request"); it != entry->end()) request = it->value().if_object();
      if (auto it = entry->find("metadata"); it != entry->end()) {
        out["metadata"] = it->value();
        if (const json::object* metadata = it->value().if_object()) {
          if (auto key_it = metadata->find("key"); key_it != metadata->end()) key = key_text(key_it->value());
        }
      }
    }
    if (!request) {
      out["error"] = json::object{{"code", 400},
                                  {"message", "inlined request has no \"request\" object"},
                                  {"status", "INVALID_ARGUMENT"}};
      ++failed;
    } else if (fault_random.chance(batch.line_faults.line_error)) {
      context_.faults.record("line_error");
      out["error"] = line_error_status();
      ++failed;
    } else {
      AnswerForm form = draw_form(batch, fault_random, context_.faults);
      GeminiAnswer answer = generator_.answer(*request, key, batch.model, form);
      if (answer.refused) {
        out["error"] = std::move(answer.error);
        ++failed;
      } else {
        out["response"] = std::move(answer.response);
        ++ok;
      }
    }
    responses.push_back(std::move(out));
  }
  shuffle_not_in_order(responses, order_random);
  json::array inlined;
  for (auto& response : responses) inlined.push_back(std::move(response));
  context_.stats.add("batch_lines_processed", ok + failed);

  std::lock_guard lock(batch.mutex);
  batch.inlined_responses = std::move(inlined);
  batch.request_count = ok + failed;
  batch.succeeded_count = ok;
  batch.failed_count = failed;
  batch.processing_done = true;
  batch.processed_at = WallClock::now();
}

}  // namespace pipehost::emulator
