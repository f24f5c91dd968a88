#include "emulator/util/json_util.hpp"

#include <charconv>

namespace pipehost::emulator {

const json::value* find_any(const json::object& object, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (auto it = object.find(name); it != object.end()) return &it->value();
  }
  return nullptr;
}

const json::object* find_object(const json::object& object, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (auto it = object.find(name); it != object.end() && it->value().is_object())
      return &it->value().get_object();
  }
  return nullptr;
}

std::string string_or(const json::object& object, std::initializer_list<std::string_view> names,
                      std::string_view fallback) {
  for (auto name : names) {
    if (auto it = object.find(name); it != object.end() && it->value().is_string()) {
      return std::string(it->value().get_string());
    }
  }
  return std::string(fallback);
}

std::int64_t int64_or(const json::object& object, std::initializer_list<std::string_view> names,
                      std::int64_t fallback) {
  const json::value* value = find_any(object, names);
  if (!value) return fallback;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  if (value->is_string()) {
    auto text = value->get_string();
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size()) return parsed;
  }
  return fallback;
}

double number_or(const json::value* value, double fallback) {
  if (!value) return fallback;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  return fallback;
}

}  // namespace pipehost::emulator
