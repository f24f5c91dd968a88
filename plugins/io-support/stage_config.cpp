#include "io_support/stage_config.hpp"

#include <filesystem>
#include <stdexcept>

namespace pipehost::io {

StageConfig::StageConfig(const StageContext& context, std::string stage)
    : stage_(std::move(stage)), pointer_(context.config_pointer), config_dir_(context.config_dir) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(context.config_json, error);
  if (error) {
    throw std::invalid_argument(stage_ + " config " + pointer_ + ": not valid JSON: " + error.message());
  }
  if (!parsed.is_object())
    throw std::invalid_argument(stage_ + " config " + pointer_ + ": must be a JSON object");
  object_ = std::move(parsed.as_object());
}

void StageConfig::fail(std::string_view key, std::string_view what) const {
  throw std::invalid_argument(stage_ + " config " + pointer_ + "/" + std::string(key) + ": " +
                              std::string(what));
}

const boost::json::value* StageConfig::find(std::string_view key) {
  used_.emplace(key);
  return object_.if_contains(key);
}

std::optional<std::string> StageConfig::optional_string(std::string_view key) {
  const boost::json::value* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_string()) fail(key, "must be a string");
  return std::string(value->as_string());
}

std::string StageConfig::string(std::string_view key, std::string_view default_value) {
  return optional_string(key).value_or(std::string(default_value));
}

std::string StageConfig::path(std::string_view key) {
  std::optional<std::string> value = optional_string(key);
  if (!value) fail(key, "is required");
  if (value->empty()) fail(key, "must not be empty");
  std::filesystem::path path(*value);
  if (path.is_relative() && !config_dir_.empty()) path = std::filesystem::path(config_dir_) / path;
  return path.string();
}

std::string StageConfig::choice(std::string_view key, std::initializer_list<std::string_view> allowed,
                                std::string_view default_value) {
  std::string value = string(key, default_value);
  std::string listed;
  for (std::string_view option : allowed) {
    if (value == option) return value;
    listed += (listed.empty() ? "\"" : ", \"") + std::string(option) + "\"";
  }
  fail(key, "must be one of " + listed + ", not \"" + value + "\"");
}

char StageConfig::ascii_character(std::string_view key, char default_value) {
  std::string value = string(key, std::string_view(&default_value, 1));
  if (value.size() != 1 || static_cast<unsigned char>(value[0]) >= 0x80) {
    fail(key, "must be exactly one ASCII character, not \"" + value + "\"");
  }
  return value[0];
}

bool StageConfig::boolean(std::string_view key, bool default_value) {
  const boost::json::value* value = find(key);
  if (!value) return default_value;
  if (!value->is_bool()) fail(key, "must be true or false");
  return value->as_bool();
}

std::uint64_t StageConfig::integer(std::string_view key, std::uint64_t default_value, std::uint64_t minimum,
                                   std::uint64_t maximum) {
  const boost::json::value* value = find(key);
  if (!value) return default_value;
  std::uint64_t number = 0;
  if (value->is_uint64()) {
    number = value->as_uint64();
  } else if (value->is_int64() && value->as_int64() >= 0) {
    number = static_cast<std::uint64_t>(value->as_int64());
  } else if (value->is_double() && value->as_double() >= 0 && value->as_double() <= 1.8e19 &&
             value->as_double() == static_cast<double>(static_cast<std::uint64_t>(value->as_double()))) {
    number = static_cast<std::uint64_t>(value->as_double());
  } else {
    fail(key, "must be a non-negative integer");
  }
  if (number < minimum || number > maximum) {
    fail(key, "must be between " + std::to_string(minimum) + " and " + std::to_string(maximum));
  }
  return number;
}

std::vector<std::string> StageConfig::string_list(std::string_view key) {
  const boost::json::value* value = find(key);
  std::vector<std::string> list;
  if (!value) return list;
  if (!value->is_array()) fail(key, "must be an array of strings");
  for (const boost::json::value& item : value->as_array()) {
    if (!item.is_string()) fail(key, "must be an array of strings");
    list.emplace_back(item.as_string());
  }
  return list;
}

void StageConfig::reject_unknown_keys() const {
  for (const auto& entry : object_) {
    if (!used_.contains(std::string_view(entry.key()))) {
      std::string known;
      for (const std::string& name : used_) known += (known.empty() ? "" : ", ") + name;
      fail(entry.key(), "unknown setting (known: " + known + ")");
    }
  }
}

}  // namespace pipehost::io
