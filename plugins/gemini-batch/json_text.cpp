#include "json_text.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "io_support/utf8.hpp"

namespace pipehost::gemini {
namespace {

/// Walks `text` once, handing runs that need no change to `run` and replacements to `special`.
template <class Run, class Special>
void escape(std::string_view text, Run&& run, Special&& special) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      auto* at = reinterpret_cast<const unsigned char*>(text.data()) + i;
      std::size_t ill_formed = 0;
      std::size_t length = io::utf8_sequence_length(at, at + (text.size() - i), ill_formed);
      if (length > 0) {
        i += length;
        continue;
      }
    }
    run(text.substr(start, i - start));
    switch (c) {
      case '"':
        special("\\\"");
        break;
      case '\\':
        special("\\\\");
        break;
      case '\n':
        special("\\n");
        break;
      case '\r':
        special("\\r");
        break;
      case '\t':
        special("\\t");
        break;
      case '\b':
        special("\\b");
        break;
      case '\f':
        special("\\f");
        break;
      default:
        if (c < 0x20) {
          char escaped[7] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], 0};
          special(std::string_view(escaped, 6));
        } else {
          special(io::kReplacementCharacter);  // one U+FFFD per invalid byte
        }
    }
    ++i;
    start = i;
  }
  run(text.substr(start));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  escape(
      text, [&](std::string_view run) { out.append(run); }, [&](std::string_view s) { out.append(s); });
  out.push_back('"');
}

std::size_t json_string_size(std::string_view text) {
  std::size_t size = 2;
  escape(
      text, [&](std::string_view run) { size += run.size(); }, [&](std::string_view s) { size += s.size(); });
  return size;
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) throw std::invalid_argument("JSON has no representation for NaN or infinity");
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) throw std::runtime_error("cannot format a number");
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  // JavaScript writes exponents without leading zeros or '+': 1e-7, 1e+21.
  if (auto e = text.find('e'); e != std::string_view::npos) {
    out.append(text.substr(0, e + 1));
    std::string_view exponent = text.substr(e + 1);
    char sign = exponent.front();
    exponent.remove_prefix(1);
    while (exponent.size() > 1 && exponent.front() == '0') exponent.remove_prefix(1);
    out.push_back(sign);
    out.append(exponent);
    return;
  }
  out.append(text);
}

void append_json_number(std::string& out, std::int64_t value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace pipehost::gemini
