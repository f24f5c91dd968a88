#include "services/logging.hpp"

#include <cstdio>
#include <mutex>
#include <stdexcept>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "services/status_line.hpp"

namespace pipehost::services {

namespace {

// Formats like any sink, then redacts the finished line, so no formatting path can leak a secret.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingStderrSink(std::shared_ptr<const SecretRegistry> secrets) : secrets_(std::move(secrets)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line = secrets_->redact(std::string_view(formatted.data(), formatted.size()));
    StatusLine::on_stderr().write_log(line);  // never glued onto a live progress line
  }
  void flush_() override { std::fflush(stderr); }

 private:
  std::shared_ptr<const SecretRegistry> secrets_;
};

}  // namespace

spdlog::level::level_enum parse_log_level(const std::string& name) {
  for (auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                     spdlog::level::err, spdlog::level::off}) {
    auto text = spdlog::level::to_string_view(level);
    if (name == std::string(text.data(), text.size()) || (name == "error" && level == spdlog::level::err) ||
        (name == "warn" && level == spdlog::level::warn))
      return level;
  }
  throw std::invalid_argument("unknown log level \"" + name + "\" (use trace, debug, info, warn, error or off)");
}

void setup_logging(spdlog::level::level_enum level, std::shared_ptr<const SecretRegistry> secrets) {
  auto sink = std::make_shared<RedactingStderrSink>(std::move(secrets));
  auto logger = std::make_shared<spdlog::logger>("pipehost", sink);
  logger->set_pattern("%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace pipehost::services
