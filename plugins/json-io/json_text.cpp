#include "json_text.hpp"

#include <array>
#include <charconv>

#include <boost/json.hpp>

#include "io_support/utf8.hpp"

namespace pipehost::json_io {
namespace {

/// Bytes that can be copied as they are: printable ASCII except quote and backslash.
constexpr std::array<bool, 256> kVerbatim = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  return table;
}();

void append_escaped_ascii(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  out.push_back('"');
  while (p < end) {
    auto* run = p;
    while (p < end && kVerbatim[*p]) ++p;
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    if (*p < 0x80) {
      append_escaped_ascii(out, *p++);
      continue;
    }
    std::size_t bad = 0;
    std::size_t length = io::utf8_sequence_length(p, end, bad);
    if (length != 0) {
      out.append(reinterpret_cast<const char*>(p), length);
      p += length;
    } else {
      out.append(io::kReplacementCharacter);
      p += bad;
    }
  }
  out.push_back('"');
}

void append_json_value(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      append_json_string(out, value.get_string());
      return;
    case boost::json::kind::double_: {
      char digits[32];
      auto end = std::to_chars(digits, digits + sizeof digits, value.get_double()).ptr;
      out.append(digits, end);  // parsed JSON never holds inf or nan
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const boost::json::value& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json_value(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& entry : value.get_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, entry.key());
        out += ':';
        append_json_value(out, entry.value());
      }
      out += '}';
      return;
    }
    default:  // null, bool, integers
      out += boost::json::serialize(value);
  }
}

}  // namespace pipehost::json_io
