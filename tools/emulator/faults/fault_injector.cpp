#include "emulator/faults/fault_injector.hpp"

namespace pipehost::emulator {

FaultInjector::FaultInjector(std::uint64_t seed, FaultConfig config)
    : config_(config), generator_(mix64(seed ^ 0xFA17FA17FA17FA17ull)) {}

void FaultInjector::configure(FaultConfig config) {
  std::lock_guard lock(mutex_);
  config_ = config;
}

FaultConfig FaultInjector::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

bool FaultInjector::take(std::uint64_t FaultConfig::*count, const char* name) {
  std::lock_guard lock(mutex_);
  if (config_.*count == 0) return false;
  --(config_.*count);
  ++injected_[name];
  return true;
}

bool FaultInjector::draw(double FaultConfig::*probability, const char* name) {
  std::lock_guard lock(mutex_);
  if (!generator_.chance(config_.*probability)) return false;
  ++injected_[name];
  return true;
}

bool FaultInjector::take_create_429() {
  return take(&FaultConfig::create_429, "create_429");
}
bool FaultInjector::take_grounding_429() {
  return take(&FaultConfig::grounding_429, "grounding_429");
}
bool FaultInjector::take_drop_upload() {
  return take(&FaultConfig::drop_upload, "drop_upload");
}
bool FaultInjector::take_drop_download() {
  return take(&FaultConfig::drop_download, "drop_download");
}
bool FaultInjector::take_truncate_download() {
  return take(&FaultConfig::truncate_download, "truncate_download");
}
bool FaultInjector::draw_http_5xx() {
  return draw(&FaultConfig::http_5xx, "http_5xx");
}
bool FaultInjector::draw_bt_5xx() {
  return draw(&FaultConfig::bt_5xx, "bt_5xx");
}
bool FaultInjector::draw_echo_key() {
  return draw(&FaultConfig::echo_key, "echo_key");
}
bool FaultInjector::draw_fenced() {
  return draw(&FaultConfig::fenced, "fenced");
}
bool FaultInjector::draw_prose() {
  return draw(&FaultConfig::prose, "prose");
}
bool FaultInjector::draw_batch_fail() {
  return draw(&FaultConfig::batch_fail, "batch_fail");
}
bool FaultInjector::draw_batch_expire() {
  return draw(&FaultConfig::batch_expire, "batch_expire");
}

std::uint64_t FaultInjector::next_batch_seed() {
  std::lock_guard lock(mutex_);
  return generator_.next();
}

std::uint64_t FaultInjector::next_choice() {
  std::lock_guard lock(mutex_);
  return generator_.next();
}

void FaultInjector::record(const std::string& fault) {
  std::lock_guard lock(mutex_);
  ++injected_[fault];
}

std::map<std::string, std::int64_t> FaultInjector::injected() const {
  std::lock_guard lock(mutex_);
  return injected_;
}

void FaultInjector::reset_counters() {
  std::lock_guard lock(mutex_);
  injected_.clear();
}

}  // namespace pipehost::emulator
