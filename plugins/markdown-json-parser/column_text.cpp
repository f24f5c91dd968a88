#include "column_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace pipehost::markdown_json {
namespace {

namespace json = boost::json;

template <class Number>
void append_number(Number number, std::string& out) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, result.ptr);
}

void append_double(double number, std::string& out) {
  // The parser turns out-of-range literals (1e999) into infinity; write it back as a literal that
  // parses to the same value rather than as "inf", which is not JSON.
  if (std::isinf(number)) {
    out += number > 0 ? "1e999" : "-1e999";
    return;
  }
  append_number(number, out);
}

}  // namespace

void append_json_text(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
      append_number(value.get_int64(), out);
      return;
    case json::kind::uint64:
      append_number(value.get_uint64(), out);
      return;
    case json::kind::double_:
      append_double(value.get_double(), out);
      return;
    case json::kind::string:
      out += json::serialize(value.get_string());
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json_text(element, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(member.key());
        out += ':';
        append_json_text(member.value(), out);
      }
      out += '}';
      return;
    }
  }
}

Value to_value(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return Value();
    case json::kind::bool_:
      return Value(value.get_bool());
    case json::kind::int64:
      return Value(value.get_int64());
    case json::kind::uint64:
      return Value(value.get_uint64());
    case json::kind::double_:
      return Value(value.get_double());
    case json::kind::string:
      return Value(std::string_view(value.get_string()));
    case json::kind::array: {
      std::vector<Value> items;
      items.reserve(value.get_array().size());
      for (const auto& element : value.get_array()) items.push_back(to_value(element));
      return Value::array(std::move(items));
    }
    case json::kind::object: {
      Value object = Value::object();
      for (const auto& member : value.get_object())
        object.set(std::string(member.key()), to_value(member.value()));
      return object;
    }
  }
  return Value();
}

std::string json_excerpt(const json::value& value, std::size_t max_bytes) {
  std::string text;
  append_json_text(value, text);
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += "...";
  return text;
}

}  // namespace pipehost::markdown_json
