#include "jsonl_logger.hpp"

#include <stdexcept>

namespace pipehost::jsonl_log {

JsonlLogger::JsonlLogger(const StageContext& context, JsonlLogConfig config)
    : host_(context.host), config_(std::move(config)), builder_(config_.events) {
  if (config_.path.empty()) throw std::invalid_argument("jsonl-log.path: required (the JSONL file to write)");
}

Status JsonlLogger::start() try {
  if (!file_) file_ = std::make_unique<braintrust::AppendFile>(config_.path);
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status JsonlLogger::log(const CallEvent& event) try {
  if (!file_) {
    if (Status started = start(); !started) return started;
  }
  if (!checked_columns_) {
    checked_columns_ = true;
    for (const auto& name : builder_.unknown_input_columns(event))
      host_.log(LogLevel::warn, "input_columns names a column the input does not have: \"" + name + "\"");
  }
  file_->append_line(builder_.build_line(event));
  ++written_;
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status JsonlLogger::flush(std::uint64_t& delivered, std::uint64_t& set_aside) try {
  set_aside = 0;
  if (file_) file_->sync();
  delivered = written_;
  written_ = 0;
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

}  // namespace pipehost::jsonl_log
