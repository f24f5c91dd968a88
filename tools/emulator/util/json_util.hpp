// Small helpers over Boost.JSON for reading client bodies that may use camelCase or snake_case
// names (the Gemini API accepts both).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace pipehost::emulator {

namespace json = boost::json;

/// The first member present among `names`, or nullptr.
const json::value* find_any(const json::object& object, std::initializer_list<std::string_view> names);
/// The first member among `names` that is an object, or nullptr.
const json::object* find_object(const json::object& object, std::initializer_list<std::string_view> names);
/// The first string member among `names`, or `fallback`.
std::string string_or(const json::object& object, std::initializer_list<std::string_view> names,
                      std::string_view fallback = {});
/// A number member as int64 when it is an integer or a decimal string (proto3 JSON int64), or fallback.
std::int64_t int64_or(const json::object& object, std::initializer_list<std::string_view> names,
                      std::int64_t fallback);
/// A JSON number (any representation) as double; nullopt-like `fallback` when not a number.
double number_or(const json::value* value, double fallback);

}  // namespace pipehost::emulator
