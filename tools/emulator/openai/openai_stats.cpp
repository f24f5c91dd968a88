#include "emulator/openai/openai_stats.hpp"

namespace pipehost::emulator::openai {

namespace {
// Present even when zero, so tests can rely on them.
const char* const kCounters[] = {"batch_create_attempts", "batch_creates", "batch_lines_answered",
                                 "online_answers"};
}  // namespace

void OpenAiStats::add(const std::string& counter, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  counters_[counter] += delta;
}

void OpenAiStats::batch_created(const std::string& name) {
  std::lock_guard lock(mutex_);
  ++counters_["batch_creates"];
  ++creates_by_name_[name];
}

void OpenAiStats::answered(const std::string& custom_id, const std::string& batch_id) {
  std::lock_guard lock(mutex_);
  ++counters_["batch_lines_answered"];
  auto [it, first] = answered_.try_emplace(custom_id, Answered{batch_id, false});
  if (first || it->second.more_than_once || it->second.first_batch == batch_id) return;
  it->second.more_than_once = true;
  ++answered_more_than_once_;
}

boost::json::object OpenAiStats::to_json() const {
  std::lock_guard lock(mutex_);
  boost::json::object out;
  for (const char* name : kCounters) out[name] = 0;
  for (const auto& [name, value] : counters_) out[name] = value;
  boost::json::object by_name;
  for (const auto& [name, count] : creates_by_name_) by_name[name] = count;
  out["batch_creates_by_name"] = std::move(by_name);
  out["answered_more_than_once"] = answered_more_than_once_;
  return out;
}

void OpenAiStats::reset() {
  std::lock_guard lock(mutex_);
  counters_.clear();
  creates_by_name_.clear();
  answered_.clear();
  answered_more_than_once_ = 0;
}

}  // namespace pipehost::emulator::openai
