#include "jsonl_logger.hpp"

namespace pipehost::jsonl_log {

JsonlLogger::JsonlLogger(const StageContext& context)
    : host_(context.host), config_(parse_config(context.config_json)), builder_(config_.events) {}

Status JsonlLogger::start() {
  if (!file_) file_ = std::make_unique<braintrust::AppendFile>(config_.path);
  return Status::ok();
}

Status JsonlLogger::log(const CallEvent& event) {
  if (!file_) start();
  if (!checked_columns_) {
    checked_columns_ = true;
    for (const auto& name : builder_.unknown_input_columns(event))
      host_.log(LogLevel::warn, "input_columns names a column the input does not have: \"" + name + "\"");
  }
  file_->append_line(builder_.build_line(event));
  ++written_;
  return Status::ok();
}

Status JsonlLogger::flush(std::uint64_t& delivered, std::uint64_t& set_aside) {
  set_aside = 0;
  if (file_) file_->sync();
  delivered = written_;
  written_ = 0;
  return Status::ok();
}

}  // namespace pipehost::jsonl_log
