#include "emulator/faults/fault_config.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace pipehost::emulator {

namespace {

enum class Kind { count, probability, seconds, milliseconds };

struct Field {
  const char* name;
  Kind kind;
  std::uint64_t FaultConfig::*count = nullptr;
  double FaultConfig::*real = nullptr;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> all = {
      {"create_429", Kind::count, &FaultConfig::create_429, nullptr},
      {"grounding_429", Kind::count, &FaultConfig::grounding_429, nullptr},
      {"http_5xx", Kind::probability, nullptr, &FaultConfig::http_5xx},
      {"drop_upload", Kind::count, &FaultConfig::drop_upload, nullptr},
      {"drop_download", Kind::count, &FaultConfig::drop_download, nullptr},
      {"truncate_download", Kind::count, &FaultConfig::truncate_download, nullptr},
      {"fenced", Kind::probability, nullptr, &FaultConfig::fenced},
      {"prose", Kind::probability, nullptr, &FaultConfig::prose},
      {"line_error", Kind::probability, nullptr, &FaultConfig::line_error},
      {"batch_fail", Kind::probability, nullptr, &FaultConfig::batch_fail},
      {"batch_expire", Kind::probability, nullptr, &FaultConfig::batch_expire},
      {"batch_ms", Kind::milliseconds, &FaultConfig::batch_ms, nullptr},
      {"bt_5xx", Kind::probability, nullptr, &FaultConfig::bt_5xx},
      {"echo_key", Kind::probability, nullptr, &FaultConfig::echo_key},
      {"retry_delay_s", Kind::seconds, nullptr, &FaultConfig::retry_delay_s},
  };
  return all;
}

std::string names_list() {
  std::string names;
  for (const auto& field : fields()) {
    if (!names.empty()) names += ", ";
    names += field.name;
  }
  return names;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() &&
         (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r'))
    text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::string format_double(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

FaultConfig FaultConfig::parse(std::string_view spec) {
  FaultConfig config;
  spec = trim(spec);
  while (!spec.empty()) {
    auto comma = spec.find(',');
    std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      throw std::invalid_argument("fault spec item '" + std::string(item) + "' is not name=value");
    }
    std::string_view name = trim(item.substr(0, eq));
    std::string_view value = trim(item.substr(eq + 1));
    const Field* field = nullptr;
    for (const auto& candidate : fields()) {
      if (name == candidate.name) field = &candidate;
    }
    if (!field) {
      throw std::invalid_argument("unknown fault '" + std::string(name) + "' (known: " + names_list() + ")");
    }
    auto bad = [&](const std::string& expected) {
      return std::invalid_argument("fault '" + std::string(name) + "': value '" + std::string(value) +
                                   "' is not " + expected);
    };
    if (field->count) {
      std::uint64_t parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        throw bad("a non-negative integer");
      }
      config.*(field->count) = parsed;
    } else {
      double parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) throw bad("a number");
      if (field->kind == Kind::probability && !(parsed >= 0 && parsed <= 1)) {
        throw bad("a probability between 0 and 1");
      }
      if (field->kind == Kind::seconds && !(parsed >= 0 && parsed <= 3600)) throw bad("seconds in [0, 3600]");
      config.*(field->real) = parsed;
    }
  }
  return config;
}

std::string FaultConfig::to_spec() const {
  std::string spec;
  for (const auto& field : fields()) {
    if (!spec.empty()) spec += ',';
    spec += field.name;
    spec += '=';
    spec += field.count ? std::to_string(this->*(field.count)) : format_double(this->*(field.real));
  }
  return spec;
}

}  // namespace pipehost::emulator
